package httpapi

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cop-territoriales/cop-api/graph"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/service"
)

// exportFormats are the formats of the bulk exports.
var exportFormats = []string{"csv", "jsonl", "parquet"}

// exportParams are the query parameters of the bulk exports.
var exportParams = []string{"level", "within", "lever", "sector", "metric", "derived", "status"}

// exportBulk serves /export/{dataset}.csv, .jsonl and .parquet: objectives,
// observations, actions, commitments and rollups, streamed as they are read, with a
// header row (CSV), one JSON object per line (JSON Lines) under the columns of
// service.ExportColumns, in UTF-8, or typed columns of the same names in row groups
// (Parquet, parquet.go), with the data's licence in the X-License and Link headers (and
// in the Parquet file's metadata). Refusals come before the first row: 404 for an
// unknown dataset, format or name, 400 for a bad parameter, 429 or 503 past the caps of
// lim, as JSON with a code. Every ExportRowsPerToken rows streamed, whatever the format,
// take a token of the client's rate limit bucket.
func exportBulk(svc *service.Service, lim exportLimits) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		file := req.PathValue("file")
		dataset, format, _ := strings.Cut(file, ".")
		if !slices.Contains(service.ExportDatasets, dataset) || !slices.Contains(exportFormats, format) {
			httpError(w, http.StatusNotFound, CodeNotFound,
				fmt.Sprintf("no export %q: want /export/{%s}.{%s}", file, strings.Join(service.ExportDatasets, ","), strings.Join(exportFormats, ",")))
			return
		}
		v, err := url.ParseQuery(req.URL.RawQuery)
		if err != nil {
			// Query drops the pairs it cannot read: refuse them, as misspelt names are.
			httpError(w, http.StatusBadRequest, graph.CodeBadUserInput, "the query string is malformed: want name=value pairs joined by &, %-encoded")
			return
		}
		q, err := exportQuery(dataset, v)
		if err != nil {
			httpError(w, http.StatusBadRequest, graph.CodeBadUserInput, err.Error())
			return
		}
		client := rateClient(req)
		release, status, code := lim.slots.acquire(client)
		if status != 0 {
			refuseExport(w, status, code, lim.slots)
			return
		}
		defer release()
		ex, err := svc.Export(req.Context(), q)
		if err != nil {
			var se *service.Error
			switch {
			case errors.As(err, &se) && errors.Is(err, service.ErrNotFound):
				httpError(w, http.StatusNotFound, CodeNotFound, se.Msg)
			case errors.As(err, &se):
				httpError(w, http.StatusBadRequest, graph.Code(se.Kind), se.Msg)
			case refuseUnavailable(w, req, err):
			default:
				slog.ErrorContext(req.Context(), "export", "err", err)
				httpError(w, http.StatusInternalServerError, CodeInternal, "internal error")
			}
			return
		}
		h := w.Header()
		switch format {
		case "csv":
			h.Set("Content-Type", "text/csv; charset=utf-8; header=present")
		case "jsonl":
			h.Set("Content-Type", "application/jsonl; charset=utf-8")
		case "parquet":
			h.Set("Content-Type", parquetContentType)
		}
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, dataset, format))
		h.Set("X-License", service.ExportLicence)
		h.Set("Link", fmt.Sprintf(`<%s>; rel="license"`, service.ExportLicenceURL))
		h.Set("X-Content-Type-Options", "nosniff")

		sw := &sentWriter{w: w}
		bw := bufio.NewWriterSize(sw, 64<<10)
		var emit func([]any) error
		flush := bw.Flush
		switch format {
		case "csv":
			cw := csv.NewWriter(bw)
			cw.Write(ex.Columns)
			rec := make([]string, len(ex.Columns))
			emit = func(row []any) error {
				for i, v := range row {
					rec[i] = csvValue(v)
				}
				return cw.Write(rec)
			}
			flush = func() error {
				if cw.Flush(); cw.Error() != nil {
					return cw.Error()
				}
				return bw.Flush()
			}
		case "jsonl":
			emit = newLineEncoder(bw, ex.Columns).write
		case "parquet":
			pe := newParquetEncoder(bw, dataset, ex.Schema)
			emit = pe.write
			flush = func() error {
				if err := pe.close(); err != nil {
					return err
				}
				return bw.Flush()
			}
		}
		if lim.limiter != nil {
			write, rows := emit, 0
			emit = func(row []any) error {
				if rows++; rows%ExportRowsPerToken == 0 {
					charge(req.Context(), lim.limiter, client, 1)
				}
				return write(row)
			}
		}
		err = ex.Rows(req.Context(), emit)
		if err == nil {
			err = flush()
		}
		if err != nil && !sw.sent {
			// Nothing has left the buffer: the database's refusal can still be answered
			// as GraphQL answers it.
			for _, k := range []string{"Content-Disposition", "X-License", "Link"} {
				h.Del(k)
			}
			if refuseUnavailable(w, req, err) {
				return
			}
		}
		if err != nil {
			// The status is sent: cut the response, so that the client sees it incomplete
			// rather than a file that looks whole.
			slog.ErrorContext(req.Context(), "export cut short", "dataset", dataset, "err", err)
			panic(http.ErrAbortHandler)
		}
	}
}

// exportQuery reads an export's parameters; unknown or repeated ones are refused, so
// that a misspelt filter does not silently export everything.
func exportQuery(dataset string, v url.Values) (service.ExportQuery, error) {
	q := service.ExportQuery{Dataset: dataset}
	for _, name := range slices.Sorted(maps.Keys(v)) { // the same refusal for the same query
		vals := v[name]
		if !slices.Contains(exportParams, name) {
			return q, fmt.Errorf("unknown parameter %q: the exports take %s", name, strings.Join(exportParams, ", "))
		}
		if len(vals) != 1 {
			return q, fmt.Errorf("give %s once", name)
		}
		// Every value is a code, or LEVEL:code for within: bounded, UTF-8 without NUL,
		// which PostgreSQL would refuse with an error rather than find nothing.
		max := hierarchy.MaxCodeLength
		if name == "within" {
			max += len(hierarchy.Department) + len(":") // the longest level
		}
		if err := hierarchy.CheckText(name, vals[0], max); err != nil {
			return q, err
		}
	}
	str := func(name string) *string {
		if !v.Has(name) {
			return nil
		}
		s := v.Get(name)
		return &s
	}
	if s := str("level"); s != nil {
		l := hierarchy.Level(strings.ToUpper(*s))
		if !l.Valid() {
			return q, fmt.Errorf("unknown level %q: want one of %s", *s, strings.Join(hierarchy.Level("").Values(), ", "))
		}
		q.Level = &l
	}
	if s := str("within"); s != nil {
		k, err := hierarchy.ParseKey(*s)
		if err != nil {
			return q, fmt.Errorf("within: want LEVEL:code, e.g. REGION:53: %v", err)
		}
		q.Within = &service.TerritoryKey{Level: k.Level, Code: k.Code}
	}
	q.Lever, q.Sector, q.Status = str("lever"), str("sector"), str("status")
	if s := str("metric"); s != nil {
		m := planning.Metric(*s)
		if !slices.Contains(m.Values(), *s) {
			return q, fmt.Errorf("unknown metric %q: want one of %s", *s, strings.Join(m.Values(), ", "))
		}
		q.Metric = &m
	}
	if s := str("derived"); s != nil {
		b, err := strconv.ParseBool(*s)
		if err != nil {
			return q, fmt.Errorf("derived: want true or false, got %q", *s)
		}
		q.Derived = &b
	}
	return q, nil
}

// csvValue writes a value of an export's row as CSV text: empty for null, numbers in
// full without exponent, lists as JSON arrays.
func csvValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []string:
		if len(x) == 0 {
			return ""
		}
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

// lineEncoder writes rows as JSON objects, one per line, keys in the columns' order.
type lineEncoder struct {
	w    *bufio.Writer
	keys [][]byte // `"name":` per column
	buf  bytes.Buffer
	enc  *json.Encoder
}

func newLineEncoder(w *bufio.Writer, columns []string) *lineEncoder {
	e := &lineEncoder{w: w}
	for _, c := range columns {
		k, _ := json.Marshal(c)
		e.keys = append(e.keys, append(k, ':'))
	}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

func (e *lineEncoder) write(row []any) error {
	e.w.WriteByte('{')
	for i, v := range row {
		if i > 0 {
			e.w.WriteByte(',')
		}
		e.w.Write(e.keys[i])
		if x, ok := v.([]string); ok && x == nil {
			v = []string{}
		}
		e.buf.Reset()
		if err := e.enc.Encode(v); err != nil {
			return err
		}
		e.w.Write(bytes.TrimSuffix(e.buf.Bytes(), []byte{'\n'}))
	}
	e.w.WriteByte('}')
	return e.w.WriteByte('\n')
}

// refuseUnavailable answers 503 UNAVAILABLE with Retry-After, as GraphQL does, when err
// says the database could not take the export and the client is still there; it
// reports whether it answered.
func refuseUnavailable(w http.ResponseWriter, req *http.Request, err error) bool {
	a, ok := graph.UnavailableAnswer(err)
	if !ok || req.Context().Err() != nil {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(a.RetryAfter))
	httpError(w, http.StatusServiceUnavailable, graph.CodeUnavailable, a.Message)
	return true
}

// sentWriter tells whether anything was written to the response: until then an export
// that fails can still answer with an error status.
type sentWriter struct {
	w    http.ResponseWriter
	sent bool
}

func (s *sentWriter) Write(b []byte) (int, error) {
	s.sent = true
	return s.w.Write(b)
}
