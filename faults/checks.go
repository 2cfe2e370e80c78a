//go:build faults

package faults

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"
)

// CheckWrites asserts that every acknowledged write is stored exactly once, with the id
// the client was given, reading the database directly: driver is "postgres" or "sqlite".
// The load titles each action with its idempotency key.
func CheckWrites(t *testing.T, row *Row, driver, dsn string, acked map[string]string) {
	t.Helper()
	row.Acked = len(acked)
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	found := map[string][]string{}
	keys := make([]string, 0, len(acked))
	for k := range acked {
		keys = append(keys, k)
	}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		args := make([]any, n)
		marks := make([]string, n)
		for i, k := range keys[:n] {
			args[i] = k
			marks[i] = "?"
			if driver == "postgres" {
				marks[i] = fmt.Sprintf("$%d", i+1)
			}
		}
		rows, err := db.Query("SELECT title, id FROM actions WHERE title IN ("+strings.Join(marks, ",")+")", args...)
		if err != nil {
			t.Fatalf("read the acknowledged writes: %v", err)
		}
		for rows.Next() {
			var title, id string
			if err := rows.Scan(&title, &id); err != nil {
				t.Fatal(err)
			}
			found[title] = append(found[title], id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		keys = keys[n:]
	}
	var missing, twice, otherID int
	for k, id := range acked {
		switch ids := found[k]; {
		case len(ids) == 0:
			missing++
		case len(ids) > 1:
			twice++
		case ids[0] != id:
			otherID++
		default:
			row.Found++
		}
	}
	if missing+twice+otherID > 0 {
		t.Errorf("acknowledged writes: %d, stored once with their id %d, missing %d, stored more than once %d, under another id %d",
			len(acked), row.Found, missing, twice, otherID)
	}
}

// CheckRollups runs "server check": the roll-up cells must match the records.
func CheckRollups(t *testing.T, env []string) {
	t.Helper()
	if out, err := Command(env, "check"); err != nil {
		t.Errorf("server check after the fault: %v", err)
	} else {
		t.Logf("server check: %s", strings.TrimSpace(out))
	}
}

// CheckAnswers asserts that the server, not restarted, answers a read and a write.
func CheckAnswers(t *testing.T, s *Server, key string) {
	t.Helper()
	if exited, how := s.Exited(); exited {
		t.Fatalf("the server exited during the fault: %s\n%s", how, s.tail())
	}
	l := &Load{Target: func() string { return s.URL }, Token: key, Client: &httpClient}
	if r := l.send(readObjectives, nil); !r.OK() {
		t.Errorf("a read after the fault: %s %s", r.Outcome(), r.Err)
	}
	k := fmt.Sprintf("faults-after-%d", time.Now().UnixNano())
	if r := l.send(writeAction, map[string]any{"key": k}); !r.OK() {
		t.Errorf("a write after the fault: %s %s", r.Outcome(), r.Err)
	}
}

// NoneSlowerThan asserts that no request took longer than max.
func NoneSlowerThan(t *testing.T, recs []Record, max time.Duration, what string) {
	t.Helper()
	var slow []Record
	for _, r := range recs {
		if r.Latency > max {
			slow = append(slow, r)
		}
	}
	if len(slow) > 0 {
		t.Errorf("%s: %d of %d requests took over %s, the slowest %s (%s)", what, len(slow), len(recs), max,
			Percentile(slow, 100), slow[0].Outcome())
	}
}

// AllOK asserts that every request succeeded.
func AllOK(t *testing.T, recs []Record, what string) {
	t.Helper()
	failed := map[string]int{}
	n := 0
	for _, r := range recs {
		if !r.OK() {
			failed[r.Outcome()+" "+firstLine(r.Err)]++
			n++
		}
	}
	if n > 0 {
		t.Errorf("%s: %d of %d requests failed: %v", what, n, len(recs), failed)
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
