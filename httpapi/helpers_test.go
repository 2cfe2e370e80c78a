package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

func TestMain(m *testing.M) {
	testdb.Main(m)
}

// api posts GraphQL operations to the whole HTTP edge over one database.
type api struct {
	t     testing.TB
	h     http.Handler
	token string // sent as a bearer token when not empty
}

// newAPI serves db with the default options, without rate limit; with admin, its
// requests carry an admin key of the database.
func newAPI(t testing.TB, db *store.DB, admin bool) *api {
	opts := httpapi.DefaultOptions()
	opts.RatePerSecond = 0
	svc := service.New(db.Client)
	a := &api{t: t, h: httpapi.NewMux(svc, partners.New(svc, db.Client), opts)}
	if admin {
		key, _, err := svc.CreateKey(context.Background(), "tests", hierarchy.Key{Level: hierarchy.Country, Code: "FR"}, access.Admin)
		if err != nil {
			t.Fatal(err)
		}
		a.token = key
	}
	return a
}

// query runs an operation that must succeed and decodes its data into out.
func (a *api) query(query string, vars map[string]any, out any) {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []any           `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || len(r.Errors) > 0 {
		a.t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		a.t.Fatalf("decode %s: %v", r.Data, err)
	}
}

// get sends a GET request to path.
func (a *api) get(path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}
