package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/cop-territoriales/cop-api/graph/generated"
	"github.com/cop-territoriales/cop-api/service"
)

// Error codes of trusted documents.
const (
	// CodeTrustedDocumentRequired refuses an operation that is not a listed document to
	// an anonymous client of a server in the "only" mode (HTTP 403).
	CodeTrustedDocumentRequired = "TRUSTED_DOCUMENT_REQUIRED"
	// CodeTrustedDocumentNotFound answers a documentId the server does not list (HTTP
	// 400): unlike an automatic persisted query, sending the text does not register it.
	CodeTrustedDocumentNotFound = "TRUSTED_DOCUMENT_NOT_FOUND"
)

// Modes of trusted documents.
const (
	// TrustedAllow serves listed documents by their hash and any other operation too.
	TrustedAllow = "allow"
	// TrustedOnly serves anonymous clients listed documents only; a request with a valid
	// API key may still send any operation.
	TrustedOnly = "only"
)

// Manifest is one file of trusted documents: the JSON object that graphql-codegen's
// client preset (persisted documents) and Relay (persisted queries, with SHA-256) write,
// each key the SHA-256 of its document in hex, with or without the prefix "sha256:":
//
//	{"sha256:0b1f...": "query FrancePage { ... }", "7a3c...": "query Search($text: String!) { ... }"}
type Manifest struct {
	Name string // what errors call it: the file's path
	Data []byte
}

// TrustedDocuments are the operations a server serves by their SHA-256 (the allow-list
// dashboards ship), and whether anonymous clients may send anything else. It is the
// first operation parameter mutator of the server: a listed hash is answered from the
// list before automatic persisted queries look in their cache, and in the "only" mode an
// unlisted operation is refused before it is parsed.
type TrustedDocuments struct {
	docs map[string]string // lowercase hex SHA-256 -> document
	only bool
}

// NewTrustedDocuments reads the manifests and checks each document against the API's
// schema: a key that is not the SHA-256 of its document, a document that does not parse
// or that the schema refuses, fails with the manifest's name, the key, the operation's
// name and the error, so that a server never starts with a list it would not serve.
func NewTrustedDocuments(mode string, manifests ...Manifest) (*TrustedDocuments, error) {
	t := &TrustedDocuments{docs: map[string]string{}}
	switch mode {
	case "", TrustedAllow:
	case TrustedOnly:
		t.only = true
	default:
		return nil, fmt.Errorf("trusted documents mode %q: want %s or %s", mode, TrustedAllow, TrustedOnly)
	}
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	for _, m := range manifests {
		var entries map[string]string
		if err := json.Unmarshal(m.Data, &entries); err != nil {
			return nil, fmt.Errorf("trusted documents %s: want a JSON object of SHA-256 hashes to documents: %w", m.Name, err)
		}
		keys := make([]string, 0, len(entries))
		for k := range entries {
			keys = append(keys, k)
		}
		sort.Strings(keys) // the same error first on every start
		for _, key := range keys {
			doc := entries[key]
			hash, err := checkEntry(schema, key, doc)
			if err != nil {
				return nil, fmt.Errorf("trusted documents %s: %w", m.Name, err)
			}
			t.docs[hash] = doc
		}
	}
	return t, nil
}

// checkEntry checks one entry of a manifest and returns its hash, in lowercase hex.
func checkEntry(schema *ast.Schema, key, doc string) (string, error) {
	hash := strings.ToLower(strings.TrimPrefix(key, "sha256:"))
	if b, err := hex.DecodeString(hash); err != nil || len(b) != sha256.Size {
		return "", fmt.Errorf("document %q: the key is not a SHA-256 in hex (sha256:<64 hex digits>)", key)
	}
	if got := Hash(doc); got != hash {
		return "", fmt.Errorf("document %q: the key is not the document's SHA-256 (%s)", key, got)
	}
	parsed, err := parser.ParseQuery(&ast.Source{Name: key, Input: doc})
	if err != nil {
		return "", fmt.Errorf("document %q does not parse: %w", key, err)
	}
	if _, errs := gqlparser.LoadQueryWithRules(schema, doc, rules.NewDefaultRules()); errs != nil {
		return "", fmt.Errorf("document %q (%s) does not match the schema: %w", key, operationNames(parsed), errs)
	}
	return hash, nil
}

func operationNames(doc *ast.QueryDocument) string {
	var names []string
	for _, op := range doc.Operations {
		name := op.Name
		if name == "" {
			name = "anonymous " + string(op.Operation)
		}
		names = append(names, "operation "+name)
	}
	return strings.Join(names, ", ")
}

// Hash is the key of a document in a manifest: its SHA-256 in lowercase hex.
func Hash(doc string) string {
	h := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(h[:])
}

// Len is the number of documents listed (none when t is nil).
func (t *TrustedDocuments) Len() int {
	if t == nil {
		return 0
	}
	return len(t.docs)
}

// Only reports whether anonymous clients may run listed documents only.
func (t *TrustedDocuments) Only() bool { return t != nil && t.only }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = (*TrustedDocuments)(nil)

// ExtensionName names the extension for gqlgen.
func (t *TrustedDocuments) ExtensionName() string { return "TrustedDocuments" }

// Validate is gqlgen's check of the extension against the schema: the documents were
// checked when they were read.
func (t *TrustedDocuments) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters puts in params the document a request names, by its
// documentId (GraphQL over HTTP) or by the hash of its persisted query (Apollo), and in
// the "only" mode refuses to an anonymous client an operation that is not listed.
func (t *TrustedDocuments) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if id := documentID(ctx); id != "" {
		if params.Query != "" {
			return refuse(ctx, http.StatusBadRequest, CodeBadRequest, "send a documentId or a query, not both")
		}
		doc, ok := t.docs[strings.ToLower(strings.TrimPrefix(id, "sha256:"))]
		if !ok {
			return refuse(ctx, http.StatusBadRequest, CodeTrustedDocumentNotFound,
				fmt.Sprintf("no trusted document has the id %q", id))
		}
		params.Query = doc
		return nil
	}
	if hash := persistedHash(params); hash != "" {
		if doc, ok := t.docs[strings.ToLower(hash)]; ok && (params.Query == "" || params.Query == doc) {
			// Listed: served as it is, without the round trip that registers an
			// automatic persisted query, nor a place in their cache.
			params.Query = doc
			delete(params.Extensions, "persistedQuery")
			return nil
		}
	}
	if !t.only || trustedClient(ctx) {
		return nil
	}
	if params.Query != "" {
		if _, ok := t.docs[Hash(params.Query)]; ok {
			return nil
		}
	}
	return refuse(ctx, http.StatusForbidden, CodeTrustedDocumentRequired,
		"this server runs the operations of its trusted documents only, unless the request carries an API key: send a listed document's documentId")
}

// trustedClient reports whether the request carries a valid API key.
func trustedClient(ctx context.Context) bool {
	p, err := service.RequestPrincipal(ctx)
	return p != nil && err == nil
}

// persistedHash is the sha256Hash of an Apollo persistedQuery extension, or "".
func persistedHash(params *graphql.RawParams) string {
	pq, ok := params.Extensions["persistedQuery"].(map[string]any)
	if !ok {
		return ""
	}
	h, _ := pq["sha256Hash"].(string)
	return h
}

// refuse is a request error with code, answered with status by the POST and GET
// transports.
func refuse(ctx context.Context, status int, code, msg string) *gqlerror.Error {
	err := gqlerror.Errorf("%s", msg)
	errcode.Set(err, code)
	noteStatus(ctx, status)
	return err
}

type documentIDKey struct{}

// withDocumentID gives the operation parameter mutators the request's documentId, which
// graphql.RawParams has no field for.
func withDocumentID(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, documentIDKey{}, id)
}

func documentID(ctx context.Context) string {
	id, _ := ctx.Value(documentIDKey{}).(string)
	return id
}
