package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
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
)

// FuzzAuthorizationHeader sends any Authorization header (malformed, huge, odd bytes)
// beside one valid key, on every database: only the valid key, as "Bearer KEY", is
// authenticated; anything else is refused as UNAUTHENTICATED (never an internal error,
// which is what PostgreSQL's refusal of a NUL byte in the prefix became); and the same
// header always gets the same answer.
func FuzzAuthorizationHeader(f *testing.F) {
	type target struct {
		svc *service.Service
		h   http.Handler
		key string
	}
	var targets []target
	for _, d := range testdb.Dialects() {
		db := testdb.Loaded(f, d)
		svc := service.New(db.Client)
		key, _, err := svc.CreateKey(context.Background(), "fuzz", hierarchy.Key{Level: hierarchy.Region, Code: "53"}, access.Contributor)
		if err != nil {
			f.Fatal(err)
		}
		opts := httpapi.DefaultOptions()
		opts.RatePerSecond = 0
		targets = append(targets, target{svc: svc, h: httpapi.NewMux(svc, partners.New(svc, db.Client), opts), key: key})
	}
	valid := targets[0].key
	for _, h := range []string{
		"Bearer " + valid, "Bearer  " + valid + " ", "bearer " + valid, "Basic dXNlcjpwdw==", "Bearer ", "Bearer",
		"Bearer cop_0000000000_forged", "Bearer cop_\x00\x00\x00\x00\x00\x00\x00\x00_" + valid[13:],
		"Bearer cop_1234567\xff_0123456789abcdef0123456789abcdef", "Bearer " + strings.ToUpper(valid),
		"Bearer " + valid[:len(valid)-1] + "g", "Bearer " + strings.Repeat("cop_", 10000),
	} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, header string) {
		for _, tg := range targets {
			// The valid key of this database where the corpus has the first one's.
			header := strings.ReplaceAll(header, valid, tg.key)
			authentic := strings.HasPrefix(header, "Bearer ") && strings.TrimSpace(header[len("Bearer "):]) == tg.key
			p, err := tg.svc.AuthenticateHeader(context.Background(), header)
			if authentic != (p != nil && err == nil) {
				t.Fatalf("%q: principal %v, error %v", header, p, err)
			}
			if !authentic && header != "" && !errors.Is(err, access.ErrUnauthenticated) {
				t.Fatalf("%q refused with %v, not as unauthenticated", header, err)
			}
			p2, err2 := tg.svc.AuthenticateHeader(context.Background(), header)
			if (p2 == nil) != (p == nil) || (err2 == nil) != (err == nil) {
				t.Fatalf("%q: %v %v, then %v %v", header, p, err, p2, err2)
			}

			// Through the edge: a query that needs a key.
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ webhooks { id } }"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header["Authorization"] = []string{header}
			rec := httptest.NewRecorder()
			tg.h.ServeHTTP(rec, req)
			var r struct {
				Errors []struct {
					Extensions struct{ Code string } `json:"extensions"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || rec.Code >= 500 {
				t.Fatalf("%q: %d %s", header, rec.Code, rec.Body.String())
			}
			switch {
			case authentic && len(r.Errors) > 0:
				t.Fatalf("the valid key %q was refused: %s", header, rec.Body.String())
			case !authentic && (len(r.Errors) == 0 || r.Errors[0].Extensions.Code != "UNAUTHENTICATED"):
				t.Fatalf("%q: %s", header, rec.Body.String())
			}
		}
	})
}
