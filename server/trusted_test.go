package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTrustedDocumentsCheckedAtStart: a manifest holding a document the schema refuses
// stops the start, before any database is opened, with the file, the document's key, its
// operation and the error; so does a file that cannot be read or an unknown mode.
func TestTrustedDocumentsCheckedAtStart(t *testing.T) {
	dir := t.TempDir()
	const good = `query RegionName { territory(level: REGION, code: "53") { name } }`
	const bad = `query Misspelt { territory(level: REGION, code: "53") { nom } }`
	key := func(doc string) string { h := sha256.Sum256([]byte(doc)); return "sha256:" + hex.EncodeToString(h[:]) }
	b, err := json.Marshal(map[string]string{key(good): good, key(bad): bad})
	if err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(dir, "documents.json")
	if err := os.WriteFile(manifest, b, 0o644); err != nil {
		t.Fatal(err)
	}
	noEnv := func(string) string { return "" }
	cases := []struct {
		name string
		args []string
		env  func(string) string
		want []string
	}{
		{"a document the schema refuses", []string{"-trusted-documents", manifest}, noEnv,
			[]string{"-trusted-documents", manifest, key(bad), "operation Misspelt", `"nom"`}},
		{"the same from the environment", nil, func(k string) string {
			return map[string]string{"TRUSTED_DOCUMENTS": manifest, "TRUSTED_DOCUMENTS_MODE": "only"}[k]
		}, []string{manifest, key(bad), "operation Misspelt"}},
		{"no such file", []string{"-trusted-documents", filepath.Join(dir, "missing.json")}, noEnv, []string{"missing.json"}},
		{"an unknown mode", []string{"-trusted-documents-mode", "strict"}, noEnv, []string{`"strict"`, "allow", "only"}},
	}
	for _, c := range cases {
		db := filepath.Join(dir, "cop.db")
		err := run(context.Background(), append([]string{"-db", db, "-addr", "127.0.0.1:0"}, c.args...), c.env)
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v, want it to name %q", c.name, err, w)
			}
		}
		if _, err := os.Stat(db); err == nil {
			t.Errorf("%s: a database was opened before the manifest was checked", c.name)
		}
	}
}

// TestEmbeddedTrustedDocuments: the manifest the binary embeds (the dashboard's and the
// example client's operations) passes the checks of a start, in both modes.
func TestEmbeddedTrustedDocuments(t *testing.T) {
	for _, mode := range []string{"allow", "only"} {
		docs, err := trustedConfig{mode: mode}.load()
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if docs.Len() < 8 || docs.Only() != (mode == "only") {
			t.Errorf("%s: %d documents, only %v", mode, docs.Len(), docs.Only())
		}
	}
}
