//go:build faults

package faults

import (
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/lib/pq"
)

// pgBin is where Debian installs PostgreSQL 15's programs.
const pgBin = "/usr/lib/postgresql/15/bin"

// Cluster is a throwaway PostgreSQL primary, and its streaming replica when asked, on
// loopback ports, run as the postgres user: the suite stops, restarts and fills it,
// never the shared server on 5432.
type Cluster struct {
	Dir               string
	Port, ReplicaPort int
}

// asPostgres runs a shell command as the postgres user, which owns the clusters.
func asPostgres(command string) (string, error) {
	out, err := exec.Command("su", "postgres", "-s", "/bin/bash", "-c", command).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s: %w: %s", command, err, out)
	}
	return string(out), nil
}

// freePort asks the kernel for a loopback port nobody listens on.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// NewCluster initialises and starts a primary, with the extra postgresql.conf lines conf;
// AddReplica gives it a streaming replica. The caller removes it with Remove.
func NewCluster(conf ...string) (*Cluster, error) {
	dir, err := os.MkdirTemp("", "cop-faults-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir}
	if err := os.Chown(dir, pgUID(), -1); err != nil {
		return c, err
	}
	if c.Port, err = freePort(); err != nil {
		return c, err
	}
	if _, err := asPostgres(fmt.Sprintf("%s/initdb -D %s/primary -U postgres --auth=trust -E UTF8 --no-sync >/dev/null", pgBin, dir)); err != nil {
		return c, err
	}
	lines := append([]string{
		"listen_addresses = '127.0.0.1'",
		fmt.Sprintf("port = %d", c.Port),
		fmt.Sprintf("unix_socket_directories = '%s'", dir),
		"wal_level = replica", "max_wal_senders = 4", "max_wal_size = '1GB'",
		// The WAL a replica cut off by a restart of the primary asks for again, kept past
		// the checkpoints the scenarios make (CopyDatabase).
		"wal_keep_size = '1GB'",
		// No flush to the disk: the suite stops PostgreSQL, never the machine.
		"fsync = off",
	}, conf...)
	if err := appendFile(filepath.Join(dir, "primary", "postgresql.conf"), lines...); err != nil {
		return c, err
	}
	if err := appendFile(filepath.Join(dir, "primary", "pg_hba.conf"), "host replication all 127.0.0.1/32 trust"); err != nil {
		return c, err
	}
	return c, c.Start()
}

// AddReplica copies the primary (pg_basebackup) into a streaming replica and starts it.
// Made after loading, the copy costs less than replaying the load; the checkpoint it
// starts from is taken at once (a spread one waits minutes after a load).
func (c *Cluster) AddReplica() error {
	var err error
	if c.ReplicaPort, err = freePort(); err != nil {
		return err
	}
	if _, err := asPostgres(fmt.Sprintf("%s/pg_basebackup -h 127.0.0.1 -p %d -U postgres -D %s/replica -R -X stream --checkpoint=fast --no-sync >/dev/null", pgBin, c.Port, c.Dir)); err != nil {
		return err
	}
	if err := appendFile(filepath.Join(c.Dir, "replica", "postgresql.conf"), fmt.Sprintf("port = %d", c.ReplicaPort)); err != nil {
		return err
	}
	return c.StartReplica()
}

func pgUID() int {
	out, err := exec.Command("id", "-u", "postgres").Output()
	if err != nil {
		return 0
	}
	var uid int
	fmt.Sscan(strings.TrimSpace(string(out)), &uid)
	return uid
}

func appendFile(path string, lines ...string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, strings.Join(lines, "\n"))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (c *Cluster) pgctl(node, action string) error {
	_, err := asPostgres(fmt.Sprintf("%s/pg_ctl -D %s/%s -l %s/%s.log -w %s >/dev/null", pgBin, c.Dir, node, c.Dir, node, action))
	return err
}

// Stop stops the primary: mode is pg_ctl's -m, "fast" or "immediate".
func (c *Cluster) Stop(mode string) error { return c.pgctl("primary", "-m "+mode+" stop") }

// Start starts the primary and waits until it accepts connections.
func (c *Cluster) Start() error { return c.pgctl("primary", "start") }

// Restart is pg_ctl restart -m fast on the primary.
func (c *Cluster) Restart() error { return c.pgctl("primary", "-m fast restart") }

// StopReplica stops the replica (mode as for Stop).
func (c *Cluster) StopReplica(mode string) error { return c.pgctl("replica", "-m "+mode+" stop") }

// StartReplica starts the replica.
func (c *Cluster) StartReplica() error { return c.pgctl("replica", "start") }

// URL is the primary's URL of database db.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, db)
}

// ReplicaURL is the replica's URL of database db.
func (c *Cluster) ReplicaURL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.ReplicaPort, db)
}

// Exec runs statements on the primary's database db.
func (c *Cluster) Exec(db string, stmts ...string) error {
	conn, err := sql.Open("postgres", c.URL(db))
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, s := range stmts {
		if _, err := conn.Exec(s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// CopyDatabase creates database to as a copy of from (CREATE DATABASE ... TEMPLATE), so
// that each scenario writes to its own database and the load of the hierarchy is paid
// once per cluster. On a replica cluster it waits until the replica has the copy.
func (c *Cluster) CopyDatabase(from, to string) error {
	if err := c.Exec("postgres", fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", to, from)); err != nil {
		return err
	}
	// The copy's pages written out (a checkpoint), so that the scenario's fault costs what
	// it would on a database in service: not the flush of a copy made a second before at
	// a fast stop, nor the replay of it at a replica's start (2 s of the machine's two
	// cores, that slowed the reads on the primary past 1 s).
	if err := c.Exec("postgres", "CHECKPOINT"); err != nil {
		return err
	}
	if c.ReplicaPort == 0 {
		return nil
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := sql.Open("postgres", c.ReplicaURL(to))
		if err == nil {
			err = conn.Ping()
			conn.Close()
		}
		if err == nil || time.Now().After(deadline) {
			if err != nil {
				return fmt.Errorf("the replica: %w; its log ends with:\n%s", err, c.logTail("replica", 12))
			}
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return c.replicaCheckpoint(deadline)
}

// logTail returns the last n lines of node's log.
func (c *Cluster) logTail(node string, n int) string {
	b, _ := os.ReadFile(filepath.Join(c.Dir, node+".log"))
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if !strings.Contains(l, "does not exist") { // the waits' own attempts
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// replicaCheckpoint waits until the replica has replayed the primary's last checkpoint,
// then makes its restartpoint there (CHECKPOINT on a standby).
func (c *Cluster) replicaCheckpoint(deadline time.Time) error {
	primary, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		return err
	}
	defer primary.Close()
	replica, err := sql.Open("postgres", c.ReplicaURL("postgres"))
	if err != nil {
		return err
	}
	defer replica.Close()
	var written string
	if err := primary.QueryRow("SELECT pg_current_wal_lsn()::text").Scan(&written); err != nil {
		return err
	}
	for {
		var done bool
		if err := replica.QueryRow("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", written).Scan(&done); err != nil {
			return err
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the replica has not replayed up to %s", written)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, err = replica.Exec("CHECKPOINT")
	return err
}

// Remove stops both servers at once and deletes the cluster's files.
func (c *Cluster) Remove() {
	if c == nil || c.Dir == "" {
		return
	}
	asPostgres(fmt.Sprintf("%s/pg_ctl -D %s/replica -m immediate stop >/dev/null 2>&1; true", pgBin, c.Dir))
	asPostgres(fmt.Sprintf("%s/pg_ctl -D %s/primary -m immediate stop >/dev/null 2>&1; true", pgBin, c.Dir))
	os.RemoveAll(c.Dir)
}
