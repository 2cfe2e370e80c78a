package graph_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/graph"
	"github.com/cop-territoriales/cop-api/store"
)

// regionName is the listed document of the tests.
const regionName = `query RegionName($code: String!) { territory(level: REGION, code: $code) { name } }`

func manifest(t testing.TB, docs ...string) graph.Manifest {
	t.Helper()
	m := map[string]string{}
	for i, d := range docs {
		key := graph.Hash(d)
		if i%2 == 0 {
			key = "sha256:" + key // both forms of key
		}
		m[key] = d
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return graph.Manifest{Name: "test.json", Data: b}
}

// trustedAPI serves db with the documents of m in mode.
func trustedAPI(t *testing.T, db *store.DB, mode string, m graph.Manifest) *api {
	t.Helper()
	docs, err := graph.NewTrustedDocuments(mode, m)
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions()
	opts.GraphQL.TrustedDocuments = docs
	return newAPIWith(t, db, opts)
}

// wantName checks that r is the answer of regionName for Bretagne.
func wantName(t *testing.T, what string, r response) {
	t.Helper()
	if r.status != http.StatusOK || len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"Bretagne"`) {
		t.Errorf("%s: %d %s %+v, want Bretagne", what, r.status, r.Data, r.Errors)
	}
}

func wantRefused(t *testing.T, what string, r response, status int, code string) {
	t.Helper()
	if r.status != status || len(r.Errors) != 1 || r.Errors[0].code() != code || r.Data != nil && string(r.Data) != "null" {
		t.Errorf("%s: %d %s %+v, want %d %s", what, r.status, r.Data, r.Errors, status, code)
	}
}

// TestTrustedDocuments: a listed document is served by its documentId (POST and GET) and
// by its hash as a persisted query, with no registration round trip; in the "only" mode
// an anonymous client's other operations are refused (403 TRUSTED_DOCUMENT_REQUIRED),
// those of a client with a valid key served; in the "allow" mode both are served.
func TestTrustedDocuments(t *testing.T) {
	runPlanned(t, func(t *testing.T, db *store.DB) {
		m := manifest(t, regionName, `{ __typename }`)
		id := "sha256:" + graph.Hash(regionName)
		vars := `{"code": "53"}`
		other := `{"query": "query Other { territory(level: REGION, code: \"53\") { name } }"}`
		key := newKey(t, db, "tests", "REGION:53", access.Reader)
		for _, mode := range []string{graph.TrustedOnly, graph.TrustedAllow} {
			a := trustedAPI(t, db, mode, m)
			wantName(t, mode+": documentId", a.raw(http.MethodPost, "application/json", `{"documentId": "`+id+`", "variables": `+vars+`}`))
			wantName(t, mode+": documentId without its prefix", a.raw(http.MethodPost, "application/json", `{"documentId": "`+graph.Hash(regionName)+`", "variables": `+vars+`}`))
			wantName(t, mode+": documentId over GET", a.raw(http.MethodGet, "", "documentId="+url.QueryEscape(id)+"&variables="+url.QueryEscape(vars)))
			wantName(t, mode+": persisted query hash", a.raw(http.MethodPost, "application/json",
				`{"variables": `+vars+`, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "`+graph.Hash(regionName)+`"}}}`))
			wantName(t, mode+": listed text", a.raw(http.MethodPost, "application/json", `{"query": `+compact(regionName)+`, "variables": `+vars+`}`))
			wantName(t, mode+": other operation with a key", a.as(key).raw(http.MethodPost, "application/json", other))
			wantRefused(t, mode+": unknown documentId", a.raw(http.MethodPost, "application/json", `{"documentId": "sha256:`+strings.Repeat("ab", 32)+`"}`),
				http.StatusBadRequest, graph.CodeTrustedDocumentNotFound)
			wantRefused(t, mode+": documentId and query", a.raw(http.MethodPost, "application/json", `{"documentId": "`+id+`", "query": "{ __typename }"}`),
				http.StatusBadRequest, graph.CodeBadRequest)
			anonymous := a.raw(http.MethodPost, "application/json", other)
			unlistedHash := a.raw(http.MethodPost, "application/json",
				`{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "`+strings.Repeat("cd", 32)+`"}}}`)
			badKey := a.as("cop_nothing_valid").raw(http.MethodPost, "application/json", other)
			if mode == graph.TrustedAllow {
				wantName(t, "allow: other operation", anonymous)
				wantRefused(t, "allow: unlisted hash", unlistedHash, http.StatusOK, "PERSISTED_QUERY_NOT_FOUND")
				continue
			}
			wantRefused(t, "only: other operation", anonymous, http.StatusForbidden, graph.CodeTrustedDocumentRequired)
			wantRefused(t, "only: unlisted hash", unlistedHash, http.StatusForbidden, graph.CodeTrustedDocumentRequired)
			wantRefused(t, "only: other operation with a refused key", badKey, http.StatusForbidden, graph.CodeTrustedDocumentRequired)
			wantRefused(t, "only: other operation over GET", a.raw(http.MethodGet, "", "query="+url.QueryEscape("{ __schema { types { name } } }")),
				http.StatusForbidden, graph.CodeTrustedDocumentRequired)
		}
	})
}

// TestTrustedManifestsChecked: a manifest the server would not serve is refused when it
// is read, naming the document.
func TestTrustedManifestsChecked(t *testing.T) {
	good := manifest(t, regionName)
	if _, err := graph.NewTrustedDocuments(graph.TrustedOnly, good); err != nil {
		t.Fatalf("a good manifest: %v", err)
	}
	wrongHash := graph.Manifest{Name: "wrong.json", Data: []byte(`{"sha256:` + graph.Hash("{ __typename }") + `": ` + compact(regionName) + `}`)}
	cases := []struct {
		name string
		mode string
		m    graph.Manifest
		want []string
	}{
		{"not JSON", "", graph.Manifest{Name: "bad.json", Data: []byte(`["query"]`)}, []string{"bad.json", "JSON object"}},
		{"key not a hash", "", graph.Manifest{Name: "k.json", Data: []byte(`{"abc": "{ __typename }"}`)}, []string{"k.json", `"abc"`, "not a SHA-256"}},
		{"hash of another document", "", wrongHash, []string{"wrong.json", graph.Hash("{ __typename }"), "not the document's SHA-256", graph.Hash(regionName)}},
		{"does not parse", "", manifest(t, "query Broken {"), []string{"test.json", graph.Hash("query Broken {"), "does not parse"}},
		{"unknown field", "", manifest(t, "query Wrong { territory(level: REGION, code: \"53\") { nom } }"),
			[]string{"test.json", graph.Hash("query Wrong { territory(level: REGION, code: \"53\") { nom } }"), "operation Wrong", `"nom"`}},
		{"unknown mode", "some", good, []string{`"some"`, "allow", "only"}},
	}
	for _, c := range cases {
		_, err := graph.NewTrustedDocuments(c.mode, c.m)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", c.name, err, w)
			}
		}
	}
}
