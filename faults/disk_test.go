//go:build faults

package faults

import (
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testDiskFull puts the SQLite database on a small tmpfs and fills the rest with a file:
// writes are refused with a code that is not INTERNAL_SERVER_ERROR, reads go on, the
// database stays sound, writes succeed again once the file is removed; an import of
// observations on the full disk fails cleanly and imports nothing.
func testDiskFull(t *testing.T) {
	row := &Row{Scenario: "disk full under SQLite (tmpfs filled for 4 s), then an import on the full disk", Database: "SQLite"}
	row.Record(t)
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	path, key := SQLiteFile(t, dir)
	row.Begin()
	env := baseEnv("SQLITE_PATH="+path, "OPERATION_TIMEOUT=3s")
	s := StartServer(t, env)
	load := StartLoad(func() string { return s.URL }, key, rate)
	time.Sleep(2 * time.Second)

	filler := filepath.Join(dir, "filler")
	from := time.Now()
	if err := fill(filler); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * time.Second)
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	to := time.Now()
	time.Sleep(recoverWithin + time.Second)
	recs := load.Stop()
	Summarize(row, recs, from, to)
	t.Logf("%d requests, %d on the full disk, refused %v, recovered %s after", len(recs), row.During, row.Refused, row.Recovery)

	var reads, writes []Record
	for _, r := range Between(recs, from, to) {
		if r.Write {
			writes = append(writes, r)
		} else {
			reads = append(reads, r)
		}
	}
	AllOK(t, reads, "reads on the full disk")
	refusedWell(t, writes)
	NoneSlowerThan(t, Between(recs, from, to), 3*time.Second+500*time.Millisecond, "on the full disk")
	AllOK(t, Between(recs, to.Add(recoverWithin), time.Now()), "once the disk has room again")
	CheckWrites(t, row, "sqlite", path, Acknowledged(recs))
	CheckAnswers(t, s, key)
	integrity(t, path)
	CheckRollups(t, env)

	// An import on the full disk: refused, nothing imported. The write-ahead log is
	// emptied first: writes into the room it already holds need no new space.
	before := count(t, path, "observations")
	checkpoint(t, path)
	if err := fill(filler); err != nil {
		t.Fatal(err)
	}
	_, err := Command(env, "import", "observations", filepath.Join(repoRoot(), "data", "fixtures", "observations-illustrative.csv"))
	os.Remove(filler)
	if err == nil {
		t.Errorf("the import on a full disk succeeded")
	} else {
		t.Logf("the import on a full disk: %s", firstLine(strings.TrimSpace(err.Error())))
		if strings.Contains(err.Error(), "panic") {
			t.Errorf("the import panicked: %v", err)
		}
	}
	if after := count(t, path, "observations"); after != before {
		t.Errorf("observations: %d before the import on a full disk, %d after", before, after)
	}
	integrity(t, path)
	CheckAnswers(t, s, key)
}

// refusedWell asserts that writes refused on a full disk said so with a code, not an
// INTERNAL_SERVER_ERROR, and that some were refused (the disk was full).
func refusedWell(t *testing.T, writes []Record) {
	t.Helper()
	refused, bad := 0, map[string]int{}
	for _, r := range writes {
		if r.OK() {
			continue
		}
		refused++
		if r.Err != "" || len(r.Codes) == 0 || strings.Contains(strings.Join(r.Codes, ","), "INTERNAL_SERVER_ERROR") {
			bad[r.Outcome()+" "+firstLine(r.Err)]++
		}
	}
	if refused == 0 {
		t.Errorf("no write refused on the full disk (%d sent): was it full?", len(writes))
	}
	if len(bad) > 0 {
		t.Errorf("writes on the full disk refused without a code of their own: %v", bad)
	}
}

// fill writes a file until the file system has no space left.
func fill(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for {
		if _, err := f.Write(buf); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return nil
			}
			return err
		}
	}
}

func integrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Errorf("PRAGMA integrity_check: %q %v", res, err)
	}
}

// checkpoint moves the write-ahead log into the database and truncates it.
func checkpoint(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var busy, log, done int
	if err := db.QueryRow("PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &log, &done); err != nil || busy != 0 {
		t.Fatalf("PRAGMA wal_checkpoint(TRUNCATE): busy %d, %v", busy, err)
	}
}

func count(t *testing.T, path, table string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// repoRoot is the module's root, one level above this file.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}
