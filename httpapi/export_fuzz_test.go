package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/service"
)

// FuzzExportParams requests /export/... with any file name, query string and region, on
// an empty database of every dialect: never a 5xx; a refusal is JSON with a code; a
// bulk export is served only with parameters exportQuery accepts, each known and given
// once; and the same request always gets the same answer.
func FuzzExportParams(f *testing.F) {
	var muxes []*http.ServeMux
	for _, d := range testdb.Dialects() {
		db := testdb.Fresh(f, d)
		svc := service.New(db.Client)
		mux := http.NewServeMux()
		mux.Handle("GET /export/roadmap/{region}/{file}", exportRoadmap(svc))
		mux.Handle("GET /export/{file}", exportBulk(svc, exportLimits{}))
		muxes = append(muxes, mux)
	}
	for _, s := range []struct{ file, query, region string }{
		{"actions.csv", "", ""}, {"objectives.jsonl", "level=region&within=REGION:53&metric=GHG_EMISSIONS&derived=true", ""},
		{"actions.csv", "lever=augm_voitelec&status=DONE", ""}, {"actions.csv", "lever=%00", ""},
		{"rollups.parquet", "level=REGION&lever=augm_voitelec", ""}, {"actions.parquet", "status=LOST", ""},
		{"commitments.csv", "status=%FF%FE", ""}, {"rollups.jsonl", "sector=%00&lever=x", ""},
		{"actions.csv", "level=a&level=b", ""}, {"actions.csv", "nope=1", ""}, {"actions.xml", "", ""},
		{"actions.csv", "within=REGION:%00", ""}, {"actions.csv", "derived=maybe", ""}, {"actions.csv", "%zz", ""},
		{"2026.csv", "", "53"}, {"2026.json", "", "%00"}, {"x.csv", "", "53"}, {"-1.json", "", strings.Repeat("9", 300)},
	} {
		f.Add(s.file, s.query, s.region, s.region != "")
	}
	f.Fuzz(func(t *testing.T, file, rawQuery, region string, roadmap bool) {
		p := "/export/" + url.PathEscape(file)
		if roadmap {
			p = "/export/roadmap/" + url.PathEscape(region) + "/" + url.PathEscape(file)
		}
		for _, mux := range muxes {
			status, body, ctype := serveExport(mux, p, rawQuery)
			if s2, b2, _ := serveExport(mux, p, rawQuery); s2 != status || !bytes.Equal(b2, body) {
				t.Fatalf("%s?%s: %d %q, then %d %q", p, rawQuery, status, body, s2, b2)
			}
			if status >= 500 {
				t.Fatalf("%s?%s: %d %s", p, rawQuery, status, body)
			}
			if status >= 400 && strings.HasPrefix(ctype, "application/json") {
				var r struct {
					Errors []struct {
						Extensions struct{ Code string } `json:"extensions"`
					} `json:"errors"`
				}
				if err := json.Unmarshal(body, &r); err != nil || len(r.Errors) == 0 || r.Errors[0].Extensions.Code == "" {
					t.Fatalf("%s?%s: %d without a code: %s", p, rawQuery, status, body)
				}
			}
			if status == http.StatusOK && !roadmap {
				dataset, _, _ := strings.Cut(file, ".")
				v, err := url.ParseQuery(rawQuery)
				if err != nil {
					t.Fatalf("%s?%s served, its query is malformed: %v", p, rawQuery, err)
				}
				if _, err := exportQuery(dataset, v); err != nil {
					t.Fatalf("%s?%s served, exportQuery refuses it: %v", p, rawQuery, err)
				}
			}
		}
	})
}

func serveExport(mux http.Handler, path, rawQuery string) (int, []byte, string) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.URL.Path, req.URL.RawPath, req.URL.RawQuery = "", path, rawQuery
	if u, err := url.PathUnescape(path); err == nil {
		req.URL.Path = u
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes(), rec.Header().Get("Content-Type")
}
