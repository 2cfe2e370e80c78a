//go:build ignore

// trusted_gen writes trusted-documents.json, the manifest of the dashboard's operations
// (static/js/queries.js) and of the example TypeScript client's (the persisted documents
// graphql-codegen writes, ../examples/typescript/src/gql/persisted-documents.json, skipped
// while it does not exist): each document keyed by "sha256:" and its SHA-256 in hex. Run
// by go generate ./... in web/.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"log"
	"os"
	"strings"

	"github.com/cop-territoriales/cop-api/web"
)

func main() {
	docs := map[string]string{}
	js, err := os.ReadFile("static/js/queries.js")
	if err != nil {
		log.Fatal(err)
	}
	for _, op := range web.Operations(string(js)) {
		add(docs, op)
	}
	// The typed client sends the hash codegen gives each document (its __meta__.hash):
	// the manifest lists the text codegen printed, byte for byte, under that hash.
	const persisted = "../examples/typescript/src/gql/persisted-documents.json"
	src, err := os.ReadFile(persisted)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		log.Fatal(err)
	default:
		var byHash map[string]string
		if err := json.Unmarshal(src, &byHash); err != nil {
			log.Fatalf("%s: %v", persisted, err)
		}
		for hash, doc := range byHash {
			key := add(docs, doc)
			if want := "sha256:" + strings.TrimPrefix(hash, "sha256:"); key != want {
				log.Fatalf("%s: %s is not the SHA-256 of its document (%s): set hashAlgorithm: 'sha256' in codegen.ts", persisted, hash, key)
			}
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(docs); err != nil { // keys sorted
		log.Fatal(err)
	}
	if err := os.WriteFile("trusted-documents.json", b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

// add lists doc under "sha256:" and its SHA-256 in hex, and returns that key.
func add(docs map[string]string, doc string) string {
	h := sha256.Sum256([]byte(doc))
	key := "sha256:" + hex.EncodeToString(h[:])
	docs[key] = doc
	return key
}
