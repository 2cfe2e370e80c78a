package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
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
