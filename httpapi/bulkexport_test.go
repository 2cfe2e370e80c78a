package httpapi_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/cop-territoriales/cop-api/ent/lever"
	"github.com/cop-territoriales/cop-api/ent/objective"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/ops"
	"github.com/cop-territoriales/cop-api/service"
)

// readCSV reads an export in CSV: its header and rows.
func readCSV(t *testing.T, rec *httptest.ResponseRecorder) ([]string, [][]string) {
	t.Helper()
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8; header=present" {
		t.Fatalf("CSV: %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("CSV: %v", err)
	}
	return rows[0], rows[1:]
}

// readLines reads an export in JSON Lines, checking that every line has the columns in
// order.
func readLines(t *testing.T, rec *httptest.ResponseRecorder, columns []string) []map[string]any {
	t.Helper()
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/jsonl; charset=utf-8" {
		t.Fatalf("JSON Lines: %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	var out []map[string]any
	sc := bufio.NewScanner(rec.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d: %v: %s", len(out)+1, err, sc.Text())
		}
		var keys []string
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.Token()
		for dec.More() {
			k, _ := dec.Token()
			keys = append(keys, k.(string))
			var v any
			dec.Decode(&v)
		}
		if !slices.Equal(keys, columns) {
			t.Fatalf("line %d: keys %v, want %v", len(out)+1, keys, columns)
		}
		out = append(out, m)
	}
	return out
}

// TestBulkExports downloads every dataset in both formats, with filters, and checks the
// rows against what was written and what the database holds; and the refusals.
func TestBulkExports(t *testing.T) {
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) {
			testdb.Parallel(t)
			db := testdb.Planned(t, d)
			a := newAPI(t, db, true)
			var act struct {
				A struct{ ID string } `json:"createAction"`
			}
			const desc = "Bornes de recharge, \"rapides\"\net lentes — 2× plus"
			a.query(`mutation($d: String!) { createAction(input: {territory: {level: EPCI, code: "243500139"}, title: "Bornes électriques",
				description: $d, lever: "augm_voitelec", startYear: 2024, budget: 1250000.5, fundingSources: ["Fonds vert", "Région"],
				effectKtco2e: 0.75}) { id } }`, map[string]any{"d": desc}, &act)
			a.query(`mutation { createAction(input: {territory: {level: COMMUNE, code: "35238"}, title: "Pistes cyclables", sector: "transports",
				startYear: 2025, endYear: 2027}) { id } }`, nil, &act)
			var c struct {
				C struct {
					ID      string `json:"id"`
					Version int    `json:"version"`
				} `json:"createCommitment"`
			}
			a.query(`mutation { createCommitment(input: {territory: {level: EPCI, code: "243500139"}, lever: "augm_voitelec", ktco2e: 4,
				physical: 1200, targetYear: 2028, status: SUBMITTED, note: "Engagement; voté"}) { id version } }`, nil, &c)
			a.query(`mutation($id: ID!, $v: Int!) { transitionCommitment(id: $id, version: $v, to: ADOPTED) { status } }`,
				map[string]any{"id": c.C.ID, "v": c.C.Version}, &map[string]any{})
			a.query(`mutation { createCommitment(input: {territory: {level: DEPARTMENT, code: "35"}, sector: "agriculture", ktco2e: 1}) { id } }`, nil, &c)
			a.query(`mutation { recordObservations(input: [{territory: {level: EPCI, code: "243500139"}, lever: "augm_voitelec", metric: PHYSICAL,
				year: 2023, value: 9000, source: "SDES"}]) { year } }`, nil, &map[string]any{})

			// Actions, in both formats.
			rec := a.get("/export/actions.csv")
			if rec.Header().Get("X-License") != service.ExportLicence || !strings.Contains(rec.Header().Get("Link"), `rel="license"`) ||
				!strings.Contains(rec.Header().Get("Content-Disposition"), `filename="actions.csv"`) {
				t.Errorf("headers: %v", rec.Header())
			}
			head, rows := readCSV(t, rec)
			if !slices.Equal(head, service.ExportColumns["actions"]) || len(rows) != 2 {
				t.Fatalf("actions.csv: header %v, %d rows", head, len(rows))
			}
			col := func(name string) int { return slices.Index(head, name) }
			r := rows[0]
			if r[col("territory_code")] != "243500139" || r[col("territory_level")] != "EPCI" || r[col("lever")] != "augm_voitelec" ||
				r[col("sector")] == "" || r[col("title")] != "Bornes électriques" || r[col("description")] != desc ||
				r[col("budget")] != "1250000.5" || r[col("funding_sources")] != `["Fonds vert","Région"]` || r[col("end_year")] != "" ||
				r[col("effect_ktco2e")] != "0.75" || r[col("synthetic")] != "false" || r[col("status")] != "PLANNED" {
				t.Errorf("actions.csv row: %q", r)
			}
			if _, err := time.Parse(time.RFC3339, r[col("updated_at")]); err != nil {
				t.Errorf("updated_at: %v", err)
			}
			if r := rows[1]; r[col("territory_level")] != "COMMUNE" || r[col("lever")] != "" || r[col("end_year")] != "2027" || r[col("funding_sources")] != "" {
				t.Errorf("actions.csv row: %q", r)
			}
			lines := readLines(t, a.get("/export/actions.jsonl?lever=augm_voitelec"), service.ExportColumns["actions"])
			if len(lines) != 1 || lines[0]["description"] != desc || lines[0]["budget"] != 1250000.5 || lines[0]["end_year"] != nil ||
				len(lines[0]["funding_sources"].([]any)) != 2 || lines[0]["synthetic"] != false {
				t.Errorf("actions.jsonl: %v", lines)
			}
			if lines := readLines(t, a.get("/export/actions.jsonl?level=COMMUNE&within=DEPARTMENT:35"), service.ExportColumns["actions"]); len(lines) != 1 ||
				len(lines[0]["funding_sources"].([]any)) != 0 {
				t.Errorf("actions of communes of 35: %v", lines)
			}

			// Commitments by status; observations by metric.
			head, rows = readCSV(t, a.get("/export/commitments.csv?status=ADOPTED"))
			if !slices.Equal(head, service.ExportColumns["commitments"]) || len(rows) != 1 || rows[0][slices.Index(head, "note")] != "Engagement; voté" ||
				rows[0][slices.Index(head, "physical")] != "1200" || rows[0][slices.Index(head, "target_year")] != "2028" {
				t.Errorf("adopted commitments: %q", rows)
			}
			if lines := readLines(t, a.get("/export/observations.jsonl?metric=PHYSICAL"), service.ExportColumns["observations"]); len(lines) != 1 ||
				lines[0]["value"] != 9000.0 || lines[0]["source"] != "SDES" {
				t.Errorf("observations: %v", lines)
			}

			// Every derived objective of every EPCI for a lever, then every derived
			// objective: more rows than a chunk, each once, in id order.
			ctx := context.Background()
			want, err := db.Client.Objective.Query().Where(objective.Derived(true), objective.HasTerritoryWith(territory.LevelEQ(hierarchy.EPCI)),
				objective.HasLeverWith(lever.Code("augm_voitelec"))).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			head, rows = readCSV(t, a.get("/export/objectives.csv?level=EPCI&lever=augm_voitelec&derived=true"))
			if len(rows) != want || want < 1000 || !slices.Equal(head, service.ExportColumns["objectives"]) {
				t.Fatalf("derived objectives of EPCI for electric vehicles: %d rows, want %d", len(rows), want)
			}
			for _, r := range rows {
				if r[1] != "EPCI" || r[5] != "augm_voitelec" || r[13] != "true" || r[14] != "POPULATION" || r[15] == "" {
					t.Fatalf("objective row %q", r)
				}
			}
			_, rows = readCSV(t, a.get("/export/objectives.csv?level=EPCI&derived=true"))
			all, err := db.Client.Objective.Query().Where(objective.Derived(true), objective.HasTerritoryWith(territory.LevelEQ(hierarchy.EPCI))).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != all || all < 5000 {
				t.Errorf("derived objectives of EPCI: %d rows, want %d (of which %d of a lever)", len(rows), all, want)
			}
			last := 0
			for _, r := range rows {
				id, _ := strconv.Atoi(r[0])
				if id <= last {
					t.Fatalf("ids not increasing: %d after %d", id, last)
				}
				last = id
			}

			// Roll-ups of Bretagne's departments, against the GraphQL roll-ups.
			head, rows = readCSV(t, a.get("/export/rollups.csv?level=DEPARTMENT&within=REGION:53&lever=augm_voitelec"))
			if !slices.Equal(head, service.ExportColumns["rollups"]) || len(rows) != 4 {
				t.Fatalf("rollups: %v %q", head, rows)
			}
			var gql struct {
				T struct {
					Rows []struct {
						Territory struct{ Code string }
						Rollup    map[string]any `json:"rollup"`
					} `json:"rollupBy"`
				} `json:"territory"`
			}
			a.query(`{ territory(level: REGION, code: "53") { rollupBy(groupBy: CHILD, level: DEPARTMENT, filter: {lever: "augm_voitelec"}) {
				territory { code } rollup { actionCount budget adoptedKtco2e objectiveKtco2e gap } } } }`, nil, &gql)
			for i, r := range rows {
				g := gql.T.Rows[i]
				num := func(name string) float64 { v, _ := strconv.ParseFloat(r[slices.Index(head, name)], 64); return v }
				if r[1] != g.Territory.Code || num("action_count") != g.Rollup["actionCount"] || num("budget") != g.Rollup["budget"] ||
					num("adopted_ktco2e") != g.Rollup["adoptedKtco2e"] || num("objective_ktco2e") != g.Rollup["objectiveKtco2e"] || num("gap") != g.Rollup["gap"] {
					t.Errorf("rollup row %q, GraphQL %v %v", r, g.Territory.Code, g.Rollup)
				}
			}

			for _, tc := range []struct {
				path   string
				status int
				code   string
			}{
				{"/export/things.csv", 404, "NOT_FOUND"},
				{"/export/actions.xml", 404, "NOT_FOUND"},
				{"/export/actions", 404, "NOT_FOUND"},
				{"/export/actions.csv?level=CANTON", 400, "BAD_USER_INPUT"},
				{"/export/actions.csv?levle=EPCI", 400, "BAD_USER_INPUT"},
				{"/export/actions.csv?level=EPCI&level=REGION", 400, "BAD_USER_INPUT"},
				{"/export/actions.csv?metric=PHYSICAL", 400, "BAD_USER_INPUT"},
				{"/export/actions.csv?status=LOST", 400, "BAD_USER_INPUT"},
				{"/export/objectives.csv?derived=maybe", 400, "BAD_USER_INPUT"},
				{"/export/objectives.csv?metric=KWH", 400, "BAD_USER_INPUT"},
				{"/export/rollups.csv", 400, "BAD_USER_INPUT"},
				{"/export/actions.csv?within=53", 400, "BAD_USER_INPUT"},
				{"/export/actions.csv?lever=nope", 404, "NOT_FOUND"},
				{"/export/objectives.jsonl?within=REGION:99", 404, "NOT_FOUND"},
				{"/export/actions.csv?lever=augm_voitelec&sector=transports", 400, "BAD_USER_INPUT"},
			} {
				rec := a.get(tc.path)
				var body struct {
					Errors []struct {
						Message    string            `json:"message"`
						Extensions map[string]string `json:"extensions"`
					} `json:"errors"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != tc.status || len(body.Errors) != 1 ||
					body.Errors[0].Extensions["code"] != tc.code || rec.Header().Get("Content-Type") != "application/json" {
					t.Errorf("%s: %d %s, want %d %s", tc.path, rec.Code, rec.Body.String(), tc.status, tc.code)
				}
			}
		})
	}
}

// streamWriter is a ResponseWriter that hands the body to a reader as it is written,
// keeps nothing, and samples the heap every 64 KiB: the peak memory of a download.
type streamWriter struct {
	h       http.Header
	pw      *io.PipeWriter
	written int64
	next    int64
	peak    uint64
	status  int
}

func (w *streamWriter) Header() http.Header { return w.h }
func (w *streamWriter) WriteHeader(s int)   { w.status = s }
func (w *streamWriter) Write(b []byte) (int, error) {
	w.written += int64(len(b))
	if w.written >= w.next {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		w.peak = max(w.peak, ms.HeapAlloc)
		w.next = w.written + 64<<10
	}
	return w.pw.Write(b)
}

// download streams path from h into a CSV reader, or for Parquet into a file on disk
// that is then opened, and returns the rows read (header excluded), the bytes and the
// peak heap above what it was before.
func download(t *testing.T, h http.Handler, path string) (rows int, bytes int64, peak uint64) {
	t.Helper()
	pr, pw := io.Pipe()
	w := &streamWriter{h: http.Header{}, pw: pw}
	done := make(chan error, 1)
	if strings.Contains(path, ".parquet") {
		f, err := os.Create(filepath.Join(t.TempDir(), "export.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		go func() {
			_, err := io.Copy(f, pr)
			pr.CloseWithError(err)
			done <- err
		}()
		defer func() {
			st, err := f.Stat()
			if err != nil {
				t.Fatal(err)
			}
			pf, err := parquet.OpenFile(f, st.Size())
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			rows = int(pf.NumRows())
		}()
	} else {
		go func() {
			r := csv.NewReader(pr)
			r.ReuseRecord = true
			n := -1
			for {
				rec, err := r.Read()
				if errors.Is(err, io.EOF) {
					rows = n
					done <- nil
					return
				}
				if err != nil {
					done <- err
					pr.CloseWithError(err)
					return
				}
				if n == -1 && rec[0] != "id" {
					done <- errors.New("no header row")
					pr.CloseWithError(io.ErrUnexpectedEOF)
					return
				}
				n++
			}
		}()
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	pw.Close()
	if err := <-done; err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if w.status != 0 && w.status != 200 {
		t.Fatalf("%s: status %d", path, w.status)
	}
	if w.peak < before {
		return rows, w.written, 0
	}
	return rows, w.written, w.peak - before
}

// TestBulkExportMemory exports 5,000 then 50,000 synthetic actions (ops.SeedDemo), in
// CSV and in Parquet, and checks that the peak heap of the download does not grow with
// its rows: the rows are streamed in chunks, never all held, and Parquet keeps one row
// group of 10,000 rows at most. The collector runs at a tenth of the heap's growth
// instead of all of it (GOGC=10), so that the peak follows what is held rather than the
// garbage waiting for a cycle: without it, 5,000 rows made too little garbage to start
// one and the peaks could be compared only from 20,000 and 200,000 rows on (a 30 s test).
func TestBulkExportMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 55,000 actions")
	}
	db := testdb.Planned(t, testdb.SQLite)
	a := newAPI(t, db, false)
	type result struct {
		rows  int
		bytes int64
		peak  uint64
	}
	formats := []string{"csv", "parquet"}
	small, large := map[string]result{}, map[string]result{}
	for _, n := range []int{5_000, 50_000} {
		if err := ops.SeedDemo(context.Background(), db.Client, ops.DemoSize{Actions: n, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		for _, format := range formats {
			start := time.Now()
			gc := debug.SetGCPercent(10)
			rows, bytes, peak := download(t, a.h, "/export/actions."+format)
			debug.SetGCPercent(gc)
			t.Logf("%d actions in %s: %d rows, %.1f MB in %v, peak heap %.1f MB above the start", n, format, rows,
				float64(bytes)/1e6, time.Since(start).Round(time.Millisecond), float64(peak)/1e6)
			if rows != n {
				t.Fatalf("%s: %d rows, want %d", format, rows, n)
			}
			if n == 5_000 {
				small[format] = result{rows, bytes, peak}
			} else {
				large[format] = result{rows, bytes, peak}
			}
		}
	}
	// Ten times the rows: the same peak, within the collector's slack, and far less
	// than the rows (holding them would take several times the CSV file). Parquet holds
	// a row group's compressed pages until it is written, and some buffers of its
	// writer: its peak is held under the CSV file, not half of it. Its pages take about
	// 50 bytes an action, so that one row group of all 50,000 would add some 2.5 MB,
	// within the heap's noise here: TestParquetExports counts the row groups instead.
	for _, format := range formats {
		s, l := small[format], large[format]
		limit := uint64(large["csv"].bytes) / 2
		if format == "parquet" {
			limit = uint64(large["csv"].bytes)
		}
		if l.peak > s.peak*3/2+4<<20 || l.peak > limit {
			t.Errorf("%s: peak heap %d bytes for %d rows (%d bytes), %d for %d rows", format, l.peak, l.rows, l.bytes, s.peak, s.rows)
		}
	}
}
