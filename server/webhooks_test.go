package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// asServer, set in the environment, makes the test binary run the server's command with
// its arguments instead of the tests: tests that need the command in a process of its
// own (a kill, a restart) run it without building it.
const asServer = "COP_TEST_BINARY_AS_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(asServer) == "1" {
		main()
		os.Exit(0)
	}
	testdb.Main(m)
}

// TestWebhooksCommand adds, lists and removes a webhook from the command line.
func TestWebhooksCommand(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, k, err := service.New(db.Client).CreateKey(ctx, "Observatoire", hierarchy.Key{Level: hierarchy.Region, Code: "53"}, access.Reader)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		cmd := func(args ...string) error { out.Reset(); return webhooks(ctx, db, config{}, args, &out) }
		if err := cmd("add", "--key", k.Prefix, "--url", "http://127.0.0.1:9/hook", "--events", "COMMITMENT_ADOPTED"); err == nil {
			t.Error("an http:// URL was accepted without -webhook-allow-loopback")
		}
		if err := cmd("add", "--key", k.Prefix, "--url", "https://observatoire.example/cop", "--events", "commitment_adopted, COMMITMENT_SUBMITTED"); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "signing secret: whsec_") {
			t.Errorf("add printed %q", out.String())
		}
		if err := cmd("list"); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != 2 || !strings.Contains(lines[1], "https://observatoire.example/cop") ||
			!strings.Contains(lines[1], "COMMITMENT_ADOPTED,COMMITMENT_SUBMITTED") || strings.Contains(out.String(), "whsec_") {
			t.Fatalf("list printed %q", out.String())
		}
		id := strings.Fields(lines[1])[0]
		if err := cmd("remove", id); err != nil {
			t.Fatal(err)
		}
		if err := cmd("remove", id); err == nil {
			t.Error("removed twice")
		}
	})
}
