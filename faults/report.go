//go:build faults

package faults

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Row is one scenario's line of the report.
type Row struct {
	Scenario, Database string
	During             int            // requests sent during the fault
	Refused            map[string]int // refusals during the fault, by status and codes
	SlowestRefusal     time.Duration
	Recovery           time.Duration // from the fault's end to the last failed request
	Acked, Found       int           // writes acknowledged, and found exactly once
	Took               time.Duration // the scenario and its checks, the shared databases' load aside
	Verdict            string        // pass, FAIL or skipped

	start time.Time
}

var report struct {
	sync.Mutex
	rows []Row
}

// Begin starts the scenario's clock again, once the shared databases are loaded.
func (row *Row) Begin() { row.start = time.Now() }

// Summarize fills a row from the records of a fault between from and to.
func Summarize(row *Row, recs []Record, from, to time.Time) {
	during := Between(recs, from, to)
	row.During = len(during)
	row.Refused = map[string]int{}
	for _, r := range during {
		if r.OK() {
			continue
		}
		row.Refused[r.Outcome()]++
		if r.Latency > row.SlowestRefusal {
			row.SlowestRefusal = r.Latency
		}
	}
	row.Recovery = Recovery(recs, to)
}

// Record adds the row to the report when t ends, with t's verdict.
func (row *Row) Record(t *testing.T) {
	row.start = time.Now()
	t.Cleanup(func() {
		row.Took = time.Since(row.start)
		row.Verdict = "pass"
		if t.Failed() {
			row.Verdict = "FAIL"
		} else if t.Skipped() {
			row.Verdict = "skipped"
		}
		if row.Scenario == "" {
			row.Scenario = t.Name()
		}
		report.Lock()
		report.rows = append(report.rows, *row)
		report.Unlock()
	})
}

// WriteReport writes the report as a Markdown table, with the suite's time and the time
// its shared PostgreSQL and SQLite databases took to load.
func WriteReport(w io.Writer, total, pgLoad, sqliteLoad time.Duration) {
	report.Lock()
	defer report.Unlock()
	fmt.Fprintln(w, "| scenario | database | requests during the fault | refused (status codes: count) | slowest refusal | recovery after the fault | writes acknowledged / found once | took | verdict |")
	fmt.Fprintln(w, "|---|---|---:|---|---:|---:|---:|---:|---|")
	for _, r := range report.rows {
		var refused []string
		for k, n := range r.Refused {
			refused = append(refused, fmt.Sprintf("%s: %d", k, n))
		}
		sort.Strings(refused)
		ref := strings.Join(refused, "; ")
		if ref == "" {
			ref = "none"
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %d / %d | %s | %s |\n", r.Scenario, r.Database, r.During, ref,
			ms(r.SlowestRefusal), recovery(r), r.Acked, r.Found, r.Took.Round(100*time.Millisecond), r.Verdict)
	}
	fmt.Fprintf(w, "\nThe whole suite: %s, of which loading the shared databases: PostgreSQL %s, SQLite %s (beside the first scenarios).\n",
		total.Round(time.Second), pgLoad.Round(time.Second), sqliteLoad.Round(time.Second))
}

func ms(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

// recovery is how long requests went on failing after the fault's end: "at once" when the
// first request after it succeeded.
func recovery(r Row) string {
	if r.Recovery == 0 {
		return "at once"
	}
	return ms(r.Recovery)
}
