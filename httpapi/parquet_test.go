package httpapi_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/service"
)

// openParquet reads a Parquet export's response into a file.
func openParquet(t *testing.T, rec *httptest.ResponseRecorder) *parquet.File {
	t.Helper()
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/vnd.apache.parquet" {
		t.Fatalf("Parquet: %d %s %.300s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	b := rec.Body.Bytes()
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("Parquet: %v", err)
	}
	return f
}

// parquetAsCSV reads every row of f and writes each value as the CSV export writes it:
// empty for null, numbers in full, times in RFC 3339, lists as JSON arrays.
func parquetAsCSV(t *testing.T, f *parquet.File) [][]string {
	t.Helper()
	leaves := f.Schema().Columns()
	var out [][]string
	for _, rg := range f.RowGroups() {
		rows := rg.Rows()
		buf := make([]parquet.Row, 100)
		for {
			n, err := rows.ReadRows(buf)
			for _, row := range buf[:n] {
				rec := make([]string, len(leaves))
				row.Range(func(col int, vals []parquet.Value) bool {
					leaf, _ := f.Schema().Lookup(leaves[col]...)
					rec[col] = parquetText(t, leaf.Node, len(leaves[col]) > 1, vals)
					return true
				})
				out = append(out, rec)
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		rows.Close()
	}
	return out
}

func parquetText(t *testing.T, leaf parquet.Node, list bool, vals []parquet.Value) string {
	if len(vals) == 1 && vals[0].IsNull() {
		return "" // null, or an empty list
	}
	if list {
		var xs []string
		for _, v := range vals {
			xs = append(xs, string(v.ByteArray()))
		}
		b, _ := json.Marshal(xs)
		return string(b)
	}
	v := vals[0]
	if lt := leaf.Type().LogicalType(); lt != nil && strings.HasPrefix(lt.String(), "TIMESTAMP") {
		return time.UnixMicro(v.Int64()).UTC().Format(time.RFC3339)
	}
	switch v.Kind() {
	case parquet.ByteArray:
		return string(v.ByteArray())
	case parquet.Int32:
		return strconv.Itoa(int(v.Int32()))
	case parquet.Int64:
		return strconv.FormatInt(v.Int64(), 10)
	case parquet.Double:
		return strconv.FormatFloat(v.Double(), 'f', -1, 64)
	case parquet.Boolean:
		return strconv.FormatBool(v.Boolean())
	}
	t.Fatalf("value %v of kind %v", v, v.Kind())
	return ""
}

// TestParquetExports downloads every dataset in Parquet and in CSV on both databases,
// and checks that the Parquet file has the CSV's columns, in order, with their types
// (integers, doubles, timestamps in UTC, lists, optional where the CSV may be empty),
// the licence in its metadata, a row group every 10,000 rows, and the CSV's rows value
// for value.
func TestParquetExports(t *testing.T) {
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) {
			testdb.Parallel(t)
			db := testdb.Planned(t, d)
			a := newAPI(t, db, true)
			a.query(`mutation { createAction(input: {territory: {level: EPCI, code: "243500139"}, title: "Bornes électriques",
				description: "Rapides, \"et\" lentes", lever: "augm_voitelec", startYear: 2024, budget: 1250000.5,
				fundingSources: ["Fonds vert", "Région"], effectKtco2e: 0.75}) { id } }`, nil, &map[string]any{})
			a.query(`mutation { createAction(input: {territory: {level: COMMUNE, code: "35238"}, title: "Pistes cyclables", sector: "transports",
				startYear: 2025, endYear: 2027, fundingSources: ["Commune"]}) { id } }`, nil, &map[string]any{})
			a.query(`mutation { createCommitment(input: {territory: {level: EPCI, code: "243500139"}, lever: "augm_voitelec", ktco2e: 4,
				physical: 1200, targetYear: 2028, status: SUBMITTED, note: "Engagement; voté"}) { id } }`, nil, &map[string]any{})
			a.query(`mutation { recordObservations(input: [{territory: {level: EPCI, code: "243500139"}, lever: "augm_voitelec", metric: PHYSICAL,
				year: 2023, value: 9000, source: "SDES"}]) { year } }`, nil, &map[string]any{})

			for _, tc := range []struct{ dataset, query string }{
				{"actions", ""},
				{"commitments", ""},
				{"observations", ""},
				{"objectives", "?level=EPCI&derived=true"}, // more than a row group
				{"rollups", "?level=DEPARTMENT&within=REGION:53&lever=augm_voitelec"},
			} {
				rec := a.get("/export/" + tc.dataset + ".parquet" + tc.query)
				if !strings.Contains(rec.Header().Get("Content-Disposition"), `filename="`+tc.dataset+`.parquet"`) ||
					rec.Header().Get("X-License") != service.ExportLicence {
					t.Errorf("%s: headers %v", tc.dataset, rec.Header())
				}
				f := openParquet(t, rec)
				head, want := readCSV(t, a.get("/export/"+tc.dataset+".csv"+tc.query))
				if v, ok := f.Lookup("license"); !ok || v != service.ExportLicence {
					t.Errorf("%s: license %q", tc.dataset, v)
				}
				if v, _ := f.Lookup("license_url"); v != service.ExportLicenceURL {
					t.Errorf("%s: license_url %q", tc.dataset, v)
				}
				var names []string
				for _, fl := range f.Schema().Fields() {
					names = append(names, fl.Name())
				}
				if !slices.Equal(names, head) || !slices.Equal(names, service.ExportColumns[tc.dataset]) {
					t.Fatalf("%s: columns %v, CSV %v", tc.dataset, names, head)
				}
				if f.NumRows() != int64(len(want)) || len(want) == 0 {
					t.Fatalf("%s: %d rows, CSV %d", tc.dataset, f.NumRows(), len(want))
				}
				if groups := (len(want) + 9_999) / 10_000; len(f.RowGroups()) != groups {
					t.Errorf("%s: %d row groups for %d rows, want %d", tc.dataset, len(f.RowGroups()), len(want), groups)
				}
				for i, c := range service.ExportSchema[tc.dataset] {
					fl := f.Schema().Fields()[i]
					if fl.Optional() != c.Optional {
						t.Errorf("%s.%s: optional %v, want %v", tc.dataset, c.Name, fl.Optional(), c.Optional)
					}
				}
				got := parquetAsCSV(t, f)
				if len(got) != len(want) {
					t.Fatalf("%s: %d rows read, CSV %d", tc.dataset, len(got), len(want))
				}
				for i := range want {
					if !slices.Equal(got[i], want[i]) {
						t.Fatalf("%s row %d:\nParquet %q\nCSV     %q", tc.dataset, i, got[i], want[i])
					}
				}
			}

			// The types, as a reader sees them in the file's schema.
			f := openParquet(t, a.get("/export/actions.parquet"))
			col := func(name string) parquet.Field {
				for _, fl := range f.Schema().Fields() {
					if fl.Name() == name {
						return fl
					}
				}
				t.Fatalf("no column %s", name)
				return nil
			}
			for _, tc := range []struct {
				name     string
				physical parquet.Kind
				logical  string // the logical type, as parquet-go writes it
				optional bool
			}{
				{"id", parquet.Int64, "INT(64,true)", false},
				{"start_year", parquet.Int32, "INT(32,true)", false},
				{"end_year", parquet.Int32, "INT(32,true)", true},
				{"budget", parquet.Double, "", false},
				{"effect_ktco2e", parquet.Double, "", true},
				{"title", parquet.ByteArray, "STRING", false},
				{"lever", parquet.ByteArray, "STRING", true},
				{"synthetic", parquet.Boolean, "", false},
				{"created_at", parquet.Int64, "TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)", false},
			} {
				fl := col(tc.name)
				if fl.Type().Kind() != tc.physical || logical(fl.Type().LogicalType()) != tc.logical || fl.Optional() != tc.optional {
					t.Errorf("%s: %v %q optional %v, want %v %q %v", tc.name, fl.Type().Kind(), logical(fl.Type().LogicalType()),
						fl.Optional(), tc.physical, tc.logical, tc.optional)
				}
			}
			for _, name := range []string{"funding_sources", "links"} {
				if lt := logical(col(name).Type().LogicalType()); lt != "LIST" {
					t.Errorf("%s: %q, want a LIST", name, lt)
				}
			}
		})
	}
}

func logical(l *format.LogicalType) string {
	if l == nil {
		return ""
	}
	return l.String()
}

// TestParquetExportChargesRows checks that a Parquet export is charged as the other
// formats: a token to start and one every httpapi.ExportRowsPerToken rows.
func TestParquetExportChargesRows(t *testing.T) {
	db := testdb.Shared(t, testdb.SQLite)
	svc := service.New(db.Client)
	l := &countingLimiter{allowed: map[string]float64{}, charged: map[string]float64{}}
	opts := httpapi.DefaultOptions()
	opts.RateLimiter = l
	h := httpapi.NewMux(svc, partners.New(svc, db.Client), opts)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, exportRequest("/export/objectives.parquet?level=DEPARTMENT", "192.0.2.9"))
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	f := openParquet(t, rec)
	rows := int(f.NumRows())
	if rows < 3*httpapi.ExportRowsPerToken {
		t.Fatalf("only %d rows: too few to tell the charge", rows)
	}
	client := "addr 192.0.2.9"
	if want := float64(rows / httpapi.ExportRowsPerToken); l.allowed[client] != 1 || l.charged[client] != want {
		t.Errorf("%d rows: %g tokens taken to start, %g charged; want 1 and %g", rows, l.allowed[client], l.charged[client], want)
	}
}
