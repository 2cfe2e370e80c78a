package graph_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/internal/testdb"
)

// apqRefusals are the messages of the persisted query extension's refusals.
var apqRefusals = []string{"invalid APQ extension data", "unsupported APQ version", "PersistedQueryNotFound",
	"provided APQ hash does not match query"}

// FuzzPersistedQuery sends any extensions.persistedQuery (hash, version), with or
// without the query: never a 5xx nor an internal error; the extension lets an operation
// through only at version 1 and with the SHA-256 of the query sent, or with the hash of
// a query registered before; a registered hash answers what its query answers; and the
// same request always gets the same answer.
func FuzzPersistedQuery(f *testing.F) {
	for _, s := range []struct {
		query, hash, version string
		send, ownHash        bool
	}{
		{`{ territory(level: REGION, code: "53") { name } }`, "", "1", true, true},
		{`{ territory(level: REGION, code: "53") { name } }`, "", "1", false, true},
		{`{ __typename }`, "", "2", true, true},
		{`{ __typename }`, "", `"1"`, true, true},
		{`{ __typename }`, "", "1.0", true, true},
		{`{ __typename }`, "", "1e0", false, true},
		{`{ __typename }`, "00", "1", true, false},
		{`{ __typename }`, strings.Repeat("a", 64), "1", false, false},
		{`{ __typename }`, "", "null", true, true},
		{`{ __typename }`, "", `{"x":1}`, true, true},
		{`{ __typename }`, "", "-1", true, true},
		{`{ __typename }`, "", "18446744073709551617", true, true},
		{"{ nope }", "", "1", true, true},
		{"", "", "1", true, true},
	} {
		f.Add(s.query, s.hash, s.version, s.send, s.ownHash)
	}
	a := newAPI(f, testdb.Loaded(f, testdb.SQLite))
	registered := map[string]string{} // hash: query, in this process's cache
	post := func(t *testing.T, body []byte) (int, []byte) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		a.h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.Bytes()
	}
	f.Fuzz(func(t *testing.T, query, hash, version string, send, ownHash bool) {
		sum := sha256.Sum256([]byte(query))
		if ownHash {
			hash = hex.EncodeToString(sum[:])
		}
		if !json.Valid([]byte(version)) {
			b, _ := json.Marshal(version)
			version = string(b)
		}
		params := map[string]any{"extensions": map[string]any{
			"persistedQuery": map[string]any{"version": json.RawMessage(version), "sha256Hash": hash}}}
		if send {
			params["query"] = query
		}
		body, err := json.Marshal(params)
		if err != nil {
			t.Skip("not a JSON request")
		}
		status, out := post(t, body)
		if s2, o2 := post(t, body); s2 != status || !bytes.Equal(o2, out) {
			t.Fatalf("%s: %d %s, then %d %s", body, status, out, s2, o2)
		}
		var r response
		if status >= 500 || json.Unmarshal(out, &r) != nil {
			t.Fatalf("%s: %d %s", body, status, out)
		}
		refused := false
		for _, e := range r.Errors {
			if e.code() == "INTERNAL_SERVER_ERROR" {
				t.Fatalf("%s: internal error %s", body, out)
			}
			for _, m := range apqRefusals {
				refused = refused || e.Message == m
			}
		}
		if refused {
			if len(r.Data) > 0 && string(r.Data) != "null" {
				t.Fatalf("%s: refused, yet data %s", body, r.Data)
			}
			return
		}
		var v float64
		if json.Unmarshal([]byte(version), &v) != nil || v != 1 {
			t.Fatalf("%s: version %s let through: %s", body, version, out)
		}
		if send {
			if hash != hex.EncodeToString(sum[:]) {
				t.Fatalf("%s: a hash that is not the query's let through: %s", body, out)
			}
			if query != "" {
				registered[hash] = query
			}
			return
		}
		q, ok := registered[hash]
		if !ok {
			t.Fatalf("%s: a hash never registered let through: %s", body, out)
		}
		direct, _ := json.Marshal(map[string]any{"query": q})
		if _, o := post(t, direct); !bytes.Equal(o, out) {
			t.Fatalf("%s answers %s, its query %q answers %s", body, out, q, o)
		}
	})
}
