package web

import (
	_ "embed"
	"regexp"
	"strings"
)

//go:generate go run trusted_gen.go

// trustedDocuments is the manifest of the dashboard's operations, written by
// trusted_gen.go (go generate) from static/js/queries.js and, when it exists,
// examples/typescript/src/gql/persisted-documents.json (the typed client's documents, as
// graphql-codegen prints and hashes them).
//
//go:embed trusted-documents.json
var trustedDocuments []byte

// TrustedDocuments returns the manifest of the operations of the dashboard and of the
// example clients: the JSON object {"sha256:<hex>": "query ..."} that a server given
// TRUSTED_DOCUMENTS reads (graph.NewTrustedDocuments). The server always lists these, so
// that the dashboard it serves works when anonymous clients may run listed documents
// only.
func TrustedDocuments() []byte { return trustedDocuments }

var (
	jsConst        = regexp.MustCompile("(?s)const ([A-Z_]+) = `(.*?)`;")
	jsSubstitution = regexp.MustCompile(`\$\{([A-Z_]+)\}`)
)

// Operations returns the GraphQL operations of queries.js, by the name of their
// constant: each template literal that starts with "query" (or "mutation"), with the
// ${CONSTANT} it holds replaced as the browser does, so that each text, and thus its
// SHA-256, is the one the dashboard sends.
func Operations(js string) map[string]string {
	consts := map[string]string{}
	for _, m := range jsConst.FindAllStringSubmatch(js, -1) {
		consts[m[1]] = m[2]
	}
	ops := map[string]string{}
	for name, text := range consts {
		if !strings.HasPrefix(text, "query") && !strings.HasPrefix(text, "mutation") {
			continue
		}
		ops[name] = jsSubstitution.ReplaceAllStringFunc(text, func(s string) string { return consts[s[2:len(s)-1]] })
	}
	return ops
}
