package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent/action"
	"github.com/cop-territoriales/cop-api/ent/objective"
	"github.com/cop-territoriales/cop-api/ent/sector"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// serverCommand returns what runs this test binary as the server (asServer) on the
// database of dbURL, else the SQLite file at path, with args.
func serverCommand(t *testing.T, dbURL, path string) func(args ...string) *exec.Cmd {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"-db", path}, args...)...)
		cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, asServer+"=1")
		return cmd
	}
}

// TestSeedKilledAtRandom kills `seed demo` with SIGKILL at random points of its run, as
// an operator's Ctrl-\ or the OOM killer would, then runs `server check`: the seed
// writes in one transaction, so whatever the moment of the kill, the records and the
// roll-up cells agree (the previous data, or the new data, never half of it).
func TestSeedKilledAtRandom(t *testing.T) {
	t.Parallel() // a database of its own, and long: beside the other long ones
	if testing.Short() {
		t.Skip("seeds several times")
	}
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			testdb.Parallel(t)
			dbURL, path := testdb.PlannedLocation(t, dialect)
			command := serverCommand(t, dbURL, path)
			seed := func(s int) *exec.Cmd {
				return command("seed", "demo", "-actions", "2000", "-commitments", "1000", "-seed", strconv.Itoa(s+1))
			}
			// A whole run first: data to replace, and how long a run takes.
			start := time.Now()
			if out, err := seed(0).CombinedOutput(); err != nil {
				t.Fatalf("seed demo: %v\n%s", err, out)
			}
			whole := time.Since(start)
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
			const kills = 5
			for i := 1; i <= kills; i++ {
				cmd := seed(i)
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				// Anywhere from the start (opening the database) to the commit.
				after := time.Duration(rng.Int64N(int64(whole)))
				time.Sleep(after)
				cmd.Process.Kill()
				err := cmd.Wait()
				t.Logf("kill %d after %s of a %s run: %v", i, after.Round(time.Millisecond), whole.Round(time.Millisecond), err)
				if out, err := command("check").CombinedOutput(); err != nil || !strings.Contains(string(out), "no difference") {
					t.Fatalf("check after kill %d (%s into the run): %v\n%s", i, after, err, out)
				}
			}
		})
	}
}

// TestWritesSurviveKill kills the server with SIGKILL while four writers send createAction
// through HTTP, each with an idempotency key, then starts it again: every write it
// acknowledged is there exactly once (sent again with its key, it answers the same
// action), a write cut by the kill is there at most once and written once when sent
// again, and the roll-up cells agree with the records. (A process killed loses nothing
// SQLite acknowledged even with synchronous=NORMAL; FULL is for the machine's crash, which
// a test cannot cause.)
func TestWritesSurviveKill(t *testing.T) {
	t.Parallel() // two server processes per database: beside the other long ones
	if testing.Short() {
		t.Skip("starts the server twice per database")
	}
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			testdb.Parallel(t)
			dbURL, path := testdb.PlannedLocation(t, dialect)
			command := serverCommand(t, dbURL, path)
			key := adminKey(t, dbURL, path)
			srv := startServer(t, command)

			// Four writers until the kill, each with its own keys: w<writer>-<n>.
			var (
				mu    sync.Mutex
				acked = map[string]int{} // idempotency key: the id answered
				cut   []string           // sent, and no answer
				wg    sync.WaitGroup
			)
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ; i++ {
						k := fmt.Sprintf("w%d-%d", w, i)
						id, err := createAction(srv.addr, key, k)
						mu.Lock()
						if err != nil {
							cut = append(cut, k)
							mu.Unlock()
							return
						}
						acked[k] = id
						mu.Unlock()
					}
				}()
			}
			// The kill comes after 20 to 80 acknowledged writes: 0.2 to 1 s of load.
			for at := 20 + rand.IntN(60); ; {
				time.Sleep(10 * time.Millisecond)
				mu.Lock()
				n := len(acked)
				mu.Unlock()
				if n >= at {
					break
				}
			}
			srv.cmd.Process.Signal(syscall.SIGKILL)
			srv.cmd.Wait()
			wg.Wait()
			t.Logf("killed after %d acknowledged writes, %d cut", len(acked), len(cut))

			srv = startServer(t, command)
			for k, id := range acked {
				if again, err := createAction(srv.addr, key, k); err != nil || again != id {
					t.Errorf("acknowledged write %s (action %d) sent again after the restart: action %d, %v", k, id, again, err)
				}
			}
			for _, k := range cut {
				if _, err := createAction(srv.addr, key, k); err != nil {
					t.Errorf("write %s, cut by the kill, sent again: %v", k, err)
				}
			}
			srv.cmd.Process.Signal(syscall.SIGTERM)
			if err := srv.cmd.Wait(); err != nil {
				t.Errorf("server stopped with %v:\n%s", err, srv.log())
			}

			db, err := store.Open(context.Background(), dbURL, path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			actions, err := db.Client.Action.Query().Where(action.TitleHasPrefix("crash ")).All(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			times := map[string]int{}
			for _, a := range actions {
				times[strings.TrimPrefix(a.Title, "crash ")]++
			}
			for k, n := range times {
				if n != 1 {
					t.Errorf("write %s is there %d times", k, n)
				}
			}
			if want := len(acked) + len(cut); len(times) != want {
				t.Errorf("%d writes in the database, want the %d acknowledged or sent again", len(times), want)
			}
			if out, err := command("check").CombinedOutput(); err != nil || !strings.Contains(string(out), "no difference") {
				t.Errorf("check after the kill: %v\n%s", err, out)
			}
		})
	}
}

// adminKey creates an admin API key in the database, for requests to a server process.
func adminKey(t *testing.T, dbURL, path string) string {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	key, _, err := service.New(db.Client).CreateKey(ctx, "Tests", hierarchy.Key{Level: hierarchy.Country, Code: "FR"}, access.Admin)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// server is the server's command run by a test, its logs kept.
type server struct {
	cmd  *exec.Cmd
	addr string
	mu   sync.Mutex
	logs bytes.Buffer
}

func (s *server) log() string { s.mu.Lock(); defer s.mu.Unlock(); return s.logs.String() }

// startServer starts `serve` on a free loopback port, without rate limit, and returns
// once it listens. It is killed at the end of the test if still running.
func startServer(t *testing.T, command func(args ...string) *exec.Cmd) *server {
	t.Helper()
	s := &server{cmd: command("-addr", "127.0.0.1:0", "-rate-limit", "0", "serve")}
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.cmd.Process.Kill() })
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "serving GraphQL" {
				listening <- line.Addr
			}
			s.mu.Lock()
			s.logs.Write(append(sc.Bytes(), '\n'))
			s.mu.Unlock()
		}
		close(listening)
	}()
	select {
	case addr, ok := <-listening:
		if !ok {
			s.cmd.Wait()
			t.Fatalf("the server stopped before listening:\n%s", s.log())
		}
		s.addr = addr
	case <-time.After(30 * time.Second):
		t.Fatalf("the server did not listen in 30 s:\n%s", s.log())
	}
	return s
}

// createAction sends createAction with an idempotency key, titled after it, and returns
// the id of the action answered.
func createAction(addr, key, idem string) (int, error) {
	q := fmt.Sprintf(`mutation { createAction(input: {title: "crash %s", territory: {level: COMMUNE, code: "35238"}, sector: "transports", startYear: 2025}, idempotencyKey: "%s") { id } }`, idem, idem)
	body, _ := json.Marshal(map[string]string{"query": q})
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	var out struct {
		Data struct {
			CreateAction struct{ ID string }
		}
		Errors []any
	}
	if err := json.Unmarshal(b, &out); err != nil || len(out.Errors) > 0 || out.Data.CreateAction.ID == "" {
		return 0, fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return strconv.Atoi(out.Data.CreateAction.ID)
}

// TestImportRefusesTruncatedFiles imports files cut in transfer through the command: the
// national file cut inside its agriculture row, an observations file cut inside its last
// field. Each is refused with its line, and nothing changes: agriculture's 2030 target
// stays 67.4 MtCO2e (a silent import once set it to 6), and no observation is added. The
// same files with -allow-unterminated and a complete last line import.
func TestImportRefusesTruncatedFiles(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) { testdb.Parallel(t); importTruncated(t, testdb.Planned(t, dialect)) })
	}
}

func importTruncated(t *testing.T, db *store.DB) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	agricultureTarget := func() float64 {
		t.Helper()
		o, err := db.Client.Objective.Query().Where(objective.HasTerritoryWith(territory.LevelEQ(hierarchy.Country)),
			objective.HasSectorWith(sector.Code("agriculture")), objective.MetricEQ(planning.GHGEmissions)).Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return o.TargetValue
	}
	observations := func() int {
		t.Helper()
		n, err := db.Client.Observation.Query().Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := agricultureTarget(); got != 67.4 {
		t.Fatalf("agriculture's 2030 target before the imports: %v, want 67.4", got)
	}
	obsBefore := observations()

	national, err := os.ReadFile(filepath.Join("..", "data", "planning", "national-emissions-by-sector.csv"))
	if err != nil {
		t.Fatal(err)
	}
	row := "agriculture,Agriculture,MtCO2e,82.8,78.9,78.1,77.5,67.4\n"
	i := strings.Index(string(national), row)
	if i < 0 {
		t.Fatalf("the national file has no row %q", row)
	}
	cut := string(national[:i]) + strings.TrimSuffix(row, "7.4\n") // "…,77.5,6"
	const obsHeader = "level,code,lever,sector,metric,unit,year,value,source\n"
	obsCut := obsHeader + "REGION,53,augm_voitelec,,PHYSICAL,,2023,30.5,illustratif\n" +
		`DEPARTMENT,35,augm_voitelec,,PHYSICAL,,2023,12,"Observatoire rég`

	for _, tc := range []struct{ name, kind, file, want string }{
		{"national cut at …,77.5,6", "national", write("national.csv", cut), "line 4: the file ends without a final newline: it looks truncated"},
		{"observations cut inside a quoted field", "observations", write("observations.csv", obsCut), "line 3: a quoted field opened on this line is never closed"},
	} {
		err := importFile(ctx, db, []string{tc.kind, tc.file})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
	if got := agricultureTarget(); got != 67.4 {
		t.Errorf("agriculture's 2030 target after the refused import: %v, want 67.4", got)
	}
	if n := observations(); n != obsBefore {
		t.Errorf("%d observations after the refused import, %d before", n, obsBefore)
	}

	// Complete files without their final newline, when the operator says so.
	whole := write("national-whole.csv", strings.TrimSuffix(string(national), "\n"))
	if err := importFile(ctx, db, []string{"-allow-unterminated", "national", whole}); err != nil {
		t.Errorf("-allow-unterminated national: %v", err)
	}
	obsWhole := write("observations-whole.csv", obsHeader+"REGION,53,augm_voitelec,,PHYSICAL,,2023,30.5,illustratif")
	if err := importFile(ctx, db, []string{"-allow-unterminated", "observations", obsWhole}); err != nil {
		t.Errorf("-allow-unterminated observations: %v", err)
	}
	if got := agricultureTarget(); got != 67.4 {
		t.Errorf("agriculture's 2030 target after the complete file: %v", got)
	}
	if n := observations(); n != obsBefore+1 {
		t.Errorf("%d observations after importing one, %d before", n, obsBefore)
	}
}
