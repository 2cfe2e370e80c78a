package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/graph"
	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/service"
)

// TestSchemaSDL: /graphql/schema.graphql serves the printed schema as text, cacheable,
// with an ETag that a revalidation turns into a 304 with no body; another ETag gets the
// schema again; with introspection off the schema is not published.
func TestSchemaSDL(t *testing.T) {
	svc := service.New(nil)
	get := func(mux *http.ServeMux, inm string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/graphql/schema.graphql", nil)
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		mux.ServeHTTP(rec, req)
		return rec
	}
	mux := httpapi.NewMux(svc, partners.New(svc, nil), httpapi.DefaultOptions())

	rec := get(mux, "")
	if rec.Code != http.StatusOK || rec.Body.String() != graph.SDL() {
		t.Fatalf("GET: %d, %d bytes; want 200 and the %d bytes of graph.SDL()", rec.Code, rec.Body.Len(), len(graph.SDL()))
	}
	h := rec.Header()
	if ct := h.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := h.Get("Cache-Control"); !strings.HasPrefix(cc, "public, max-age=") {
		t.Errorf("Cache-Control %q, want public with a max-age", cc)
	}
	etag := h.Get("ETag")
	if len(etag) < 10 || !strings.HasPrefix(etag, `"`) {
		t.Fatalf("ETag %q, want a strong tag", etag)
	}

	if rec := get(mux, etag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 || rec.Header().Get("ETag") != etag {
		t.Errorf("If-None-Match %s: %d with %d bytes and ETag %q, want 304, empty, same ETag", etag, rec.Code, rec.Body.Len(), rec.Header().Get("ETag"))
	}
	if rec := get(mux, `"other"`); rec.Code != http.StatusOK || rec.Body.String() != graph.SDL() {
		t.Errorf("If-None-Match of another schema: %d, want 200 and the schema", rec.Code)
	}

	closed := httpapi.DefaultOptions()
	closed.GraphQL.Introspection = false
	if rec := get(httpapi.NewMux(svc, partners.New(svc, nil), closed), ""); rec.Code != http.StatusNotFound {
		t.Errorf("introspection off: %d, want 404", rec.Code)
	}
}
