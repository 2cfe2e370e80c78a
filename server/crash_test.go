package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/ent/objective"
	"github.com/cop-territoriales/cop-api/ent/sector"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

// TestSeedKilledAtRandom kills `seed demo` with SIGKILL at random points of its run, as
// an operator's Ctrl-\ or the OOM killer would, then runs `server check`: the seed
// writes in one transaction, so whatever the moment of the kill, the records and the
// roll-up cells agree (the previous data, or the new data, never half of it).
func TestSeedKilledAtRandom(t *testing.T) {
	t.Parallel() // a database of its own, and long: beside the other long ones
	if testing.Short() {
		t.Skip("seeds several times")
	}
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			testdb.Parallel(t)
			dbURL, path := testdb.PlannedLocation(t, dialect)
			command := func(args ...string) *exec.Cmd {
				cmd := exec.Command(bin, append([]string{"-db", path}, args...)...)
				cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, asServer+"=1")
				return cmd
			}
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
