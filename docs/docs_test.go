package docs

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// generated matches the line Go tools write at the top of a generated file.
var generated = regexp.MustCompile(`^// Code generated .* DO NOT EDIT\.$`)

// isGenerated tells whether a Go file says it is generated, before its package clause.
func isGenerated(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if generated.MatchString(line) {
			return true, nil
		}
		if strings.HasPrefix(line, "package ") {
			return false, nil
		}
	}
	return false, sc.Err()
}

// documented lists what architecture.md must name, each as it is written there between
// backquotes: every directory holding handwritten Go files ("hierarchy/", "ent/schema/"),
// the root package's files ("generate.go"), and every file of service/ but its tests
// ("service/rankings.go"). The generated packages of ent/ and graph/generated/ are left
// out; ent/ itself and graph/model/ are named.
func documented(root string) ([]string, error) {
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			name := d.Name()
			switch {
			case rel == ".":
				return nil
			case strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules":
				return filepath.SkipDir // what the go command ignores
			case rel == "graph/generated":
				return filepath.SkipDir
			case strings.HasPrefix(rel, "ent/") && rel != "ent/schema":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") {
			return nil
		}
		gen, err := isGenerated(path)
		if err != nil || gen {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(rel))
		switch {
		case dir == ".":
			if !strings.HasSuffix(rel, "_test.go") {
				seen[rel] = true
			}
		default:
			seen[dir+"/"] = true
		}
		if dir == "service" && !strings.HasSuffix(rel, "_test.go") {
			seen[rel] = true
		}
		return nil
	})
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, err
}

// firstCells returns the first cell of every table row of a Markdown page.
func firstCells(page string) string {
	var b strings.Builder
	for _, line := range strings.Split(page, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) > 2 && strings.TrimSpace(cells[0]) == "" {
			b.WriteString(cells[1])
			b.WriteString("\n")
		}
	}
	return b.String()
}

// TestArchitectureNamesEveryPackage fails for each package directory, root file or
// capability file of service/ that has no row in the tables of docs/architecture.md: a
// row whose first cell names it.
func TestArchitectureNamesEveryPackage(t *testing.T) {
	page, err := os.ReadFile("architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := firstCells(string(page))
	want, err := documented("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"service/", "service/rankings.go", "hierarchy/", "ent/schema/", "generate.go"} {
		if !contains(want, p) {
			t.Fatalf("the walk of the repository did not find %s: %v", p, want)
		}
	}
	for _, p := range want {
		if !strings.Contains(rows, "`"+p+"`") {
			t.Errorf("docs/architecture.md has no row for `%s`: give it one in its tables", p)
		}
	}
}

func contains(list []string, s string) bool {
	i := sort.SearchStrings(list, s)
	return i < len(list) && list[i] == s
}
