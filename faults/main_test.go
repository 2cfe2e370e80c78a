//go:build faults

// Package faults runs the server binary under a steady load and breaks what is around
// it: PostgreSQL restarted, stopped, out of connections, its replica lost, Redis gone, a
// full disk, bad webhook receivers, an instance stopped in a rolling deploy. Each
// scenario asserts what a client and an operator should see, then that every
// acknowledged write is stored once, that "server check" finds no difference and that
// the server answers again without a restart. Run as root (the clusters run as the
// postgres user, the full disk is a tmpfs):
//
//	go test -tags faults -count=1 -v ./faults
//
// FAULTS_REPORT=FILE writes the report's table in Markdown.
package faults

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	if os.Geteuid() != 0 {
		fmt.Println("faults: skipped: run as root (PostgreSQL clusters run as the postgres user, the full disk is a tmpfs mount)")
		os.Exit(0)
	}
	if _, err := os.Stat(filepath.Join(pgBin, "initdb")); err != nil {
		fmt.Printf("faults: skipped: no PostgreSQL 15 programs in %s: %v\n", pgBin, err)
		os.Exit(0)
	}
	start := time.Now()
	dir, err := os.MkdirTemp("", "cop-faults-bin-")
	if err != nil {
		fmt.Println("faults:", err)
		os.Exit(1)
	}
	serverBin = filepath.Join(dir, "server")
	build := exec.Command("go", "build", "-o", serverBin, "github.com/cop-territoriales/cop-api/server")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Println("faults: go build:", err)
		os.Exit(1)
	}
	// The SQLite database loads while the first scenarios run on PostgreSQL.
	shared.sqlReady = make(chan struct{})
	go loadSQLite()
	code := m.Run()
	<-shared.sqlReady
	shared.cluster.Remove()
	if shared.sqliteDir != "" {
		os.RemoveAll(shared.sqliteDir)
	}
	os.RemoveAll(dir)
	fmt.Println()
	WriteReport(os.Stdout, time.Since(start), shared.pgTook, shared.sqlTook)
	if path := os.Getenv("FAULTS_REPORT"); path != "" {
		f, err := os.Create(path)
		if err == nil {
			WriteReport(f, time.Since(start), shared.pgTook, shared.sqlTook)
			err = f.Close()
		}
		if err != nil {
			fmt.Println("faults: FAULTS_REPORT:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// TestFaults runs the scenarios in the order of their weight for the service's users; run
// one with -run TestFaults/NAME.
func TestFaults(t *testing.T) {
	for _, s := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"PostgresRestarted", testPostgresRestarted},
		{"PostgresStopped", testPostgresStopped},
		{"PostgresOutOfConnections", testPostgresOutOfConnections},
		{"RollingDeploy", testRollingDeploy},
		{"ReplicaStopped", testReplicaStopped},
		{"RedisStopped", testRedisStopped},
		{"RedisUnreachableAtStart", testRedisUnreachableAtStart},
		{"DiskFull", testDiskFull},
		{"BadWebhookReceivers", testBadWebhookReceivers},
	} {
		t.Run(s.name, s.run)
	}
}

// shared holds what the scenarios reuse: one PostgreSQL cluster with a replica and a
// loaded template database, one loaded SQLite file, and the key created in both.
var shared struct {
	pgOnce    sync.Once
	cluster   *Cluster
	pgKey     string
	pgPrefix  string
	pgErr     error
	pgTook    time.Duration
	sqlReady  chan struct{} // closed once loaded
	sqlTook   time.Duration
	sqliteDir string
	sqlKey    string
	sqlErr    error
}

// templateDB is the database loaded once per cluster; scenarios write to copies of it.
const templateDB = "cop_template"

// PostgresDB returns the shared cluster and a new database of it for the scenario,
// copied from the loaded template, with the key of a contributor of Bretagne.
func PostgresDB(t *testing.T, name string) (c *Cluster, key string) {
	t.Helper()
	shared.pgOnce.Do(func() {
		start := time.Now()
		shared.cluster, shared.pgErr = NewCluster()
		if shared.pgErr != nil {
			return
		}
		if shared.pgErr = shared.cluster.Exec("postgres", "CREATE DATABASE "+templateDB); shared.pgErr != nil {
			return
		}
		shared.pgKey, shared.pgPrefix, shared.pgErr = CreateKey(baseEnv("DATABASE_URL="+shared.cluster.URL(templateDB)), "faults")
		if shared.pgErr != nil {
			return
		}
		shared.pgErr = shared.cluster.AddReplica()
		shared.pgTook = time.Since(start)
		t.Logf("PostgreSQL cluster loaded, then its replica made, in %s", shared.pgTook.Round(time.Millisecond))
	})
	if shared.pgErr != nil {
		t.Fatalf("PostgreSQL cluster: %v", shared.pgErr)
	}
	if err := shared.cluster.CopyDatabase(templateDB, name); err != nil {
		t.Fatal(err)
	}
	return shared.cluster, shared.pgKey
}

// loadSQLite loads a SQLite database once, for the scenarios to copy.
func loadSQLite() {
	defer close(shared.sqlReady)
	start := time.Now()
	if shared.sqliteDir, shared.sqlErr = os.MkdirTemp("", "cop-faults-sqlite-"); shared.sqlErr != nil {
		return
	}
	shared.sqlKey, _, shared.sqlErr = CreateKey(baseEnv("SQLITE_PATH="+filepath.Join(shared.sqliteDir, "cop.db")), "faults")
	shared.sqlTook = time.Since(start)
}

// SQLiteFile copies the loaded SQLite database into dir and returns its path and a
// contributor's key.
func SQLiteFile(t *testing.T, dir string) (path, key string) {
	t.Helper()
	<-shared.sqlReady
	if shared.sqlErr != nil {
		t.Fatalf("SQLite database: %v", shared.sqlErr)
	}
	t.Logf("SQLite database loaded in %s (beside the first scenarios)", shared.sqlTook.Round(time.Millisecond))
	path = filepath.Join(dir, "cop.db")
	if out, err := exec.Command("cp", filepath.Join(shared.sqliteDir, "cop.db"), path).CombinedOutput(); err != nil {
		t.Fatalf("copy the SQLite database: %v: %s", err, out)
	}
	return path, shared.sqlKey
}
