package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/store"
)

// TestCommandsAreListed: -help and an unknown command list every command, migrate
// included, and an unknown command is refused before any database is opened.
func TestCommandsAreListed(t *testing.T) {
	var out bytes.Buffer
	_, err := parseConfigTo([]string{"-help"}, func(string) string { return "" }, &out)
	if err == nil || !strings.Contains(out.String(), "migrate [-allow-destructive]") {
		t.Errorf("-help: %v\n%s", err, out.String())
	}
	dir := t.TempDir()
	err = run(context.Background(), []string{"-db", dir + "/cop.db", "frobnicate"}, func(string) string { return "" })
	for _, want := range []string{`unknown command "frobnicate"`, "serve", "migrate", "import", "keys", "seed demo"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("unknown command: %v, want it to name %q", err, want)
		}
	}
}

// TestStartTogether starts three instances at once on one empty PostgreSQL database, as a
// deployment does: each migrates and loads what the binary embeds, or finds it done, and
// the database holds the hierarchy once. Their statements are bounded to 2 s, less than
// the others wait for the first's load.
func TestStartTogether(t *testing.T) {
	t.Parallel() // a database of its own, and long: beside the other long ones
	if os.Getenv(testdb.EnvURL) == "" {
		t.Skip("needs PostgreSQL: set " + testdb.EnvURL)
	}
	dbURL, _ := testdb.EmptyLocation(t, testdb.Postgres)
	ctx := context.Background()
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := openLoaded(ctx, config{databaseURL: dbURL}, store.Limits{StatementTimeout: 2 * time.Second})
			if err == nil {
				db.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
	db, err := store.Open(ctx, dbURL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := db.Client.Territory.Query().Count(ctx)
	if err != nil || n != 36250 {
		t.Errorf("%d territories after three starts (%v), want the hierarchy's 36,250 once", n, err)
	}
}
