//go:build faults

package faults

import (
	"database/sql"
	"testing"
	"time"
)

// testReplicaStopped stops the read replica under load, then starts it again: reads go
// to the primary meanwhile and nothing errs, then reads return to the replica (its
// pg_stat_database counters of the scenario's database grow again).
func testReplicaStopped(t *testing.T) {
	row := &Row{Scenario: "read replica stopped 4 s (-m fast), then started", Database: "PostgreSQL + replica"}
	row.Record(t)
	const db = "replica"
	c, key := PostgresDB(t, db)
	row.Begin()
	env := baseEnv("DATABASE_URL="+c.URL(db), "DATABASE_READ_URL="+c.ReplicaURL(db), "OPERATION_TIMEOUT=3s")
	s := StartServer(t, env)
	load := StartLoad(func() string { return s.URL }, key, rate)
	time.Sleep(2 * time.Second)
	before0 := replicaTransactions(t, c, db)
	time.Sleep(time.Second)
	before1 := replicaTransactions(t, c, db)

	from := time.Now()
	if err := c.StopReplica("fast"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * time.Second)
	if err := c.StartReplica(); err != nil {
		t.Fatal(err)
	}
	to := time.Now()
	time.Sleep(3 * time.Second)
	after0 := replicaTransactions(t, c, db)
	time.Sleep(2 * time.Second)
	after1 := replicaTransactions(t, c, db)
	recs := load.Stop()
	Summarize(row, recs, from, to)
	t.Logf("%d requests, %d during the fault, refused %v; replica transactions a second: %.0f before, %.0f from 3 s after its return",
		len(recs), row.During, row.Refused, float64(before1-before0), float64(after1-after0)/2)

	AllOK(t, recs, "with the replica stopped and started")
	NoneSlowerThan(t, Between(recs, from, to), time.Second, "with the replica stopped")
	if before1-before0 <= 0 {
		t.Errorf("the replica ran no transaction of %s before the fault: are reads sent to it?", db)
	}
	if after1-after0 <= 0 {
		t.Errorf("the replica ran no transaction of %s from 3 s after its return: reads did not come back to it", db)
	}
	CheckWrites(t, row, "postgres", c.URL(db), Acknowledged(recs))
	CheckRollups(t, env)
	CheckAnswers(t, s, key)
}

// replicaTransactions reads the replica's count of committed transactions in db.
func replicaTransactions(t *testing.T, c *Cluster, db string) int64 {
	t.Helper()
	conn, err := sql.Open("postgres", c.ReplicaURL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int64
	if err := conn.QueryRow(`SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1`, db).Scan(&n); err != nil {
		t.Logf("replica's pg_stat_database: %v", err)
	}
	return n
}
