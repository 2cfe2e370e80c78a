// Command slowest reads the JSON events of `go test -json` on its standard input and
// writes what a plain `go test` would (each package's result line, the output of the
// tests that failed), then the slowest tests: CI prints them so that a test that grows
// slow is seen in the run that made it so.
//
//	go test -json ./... | go run ./tools/slowest [-n 10]
//
// It exits with 1 when a test or a package failed, or when the input holds no event.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// event is one line of test2json's output.
type event struct {
	Time    time.Time
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

// timing is how long one top-level test took.
type timing struct {
	pkg, test string
	elapsed   float64
}

func main() {
	n := flag.Int("n", 10, "how many of the slowest tests to list")
	flag.Parse()
	failed, err := report(os.Stdin, os.Stdout, *n)
	if err != nil {
		fmt.Fprintln(os.Stderr, "slowest:", err)
		os.Exit(1)
	}
	if failed {
		os.Exit(1)
	}
}

// report copies the results of in to out, then the n slowest top-level tests; failed
// says whether anything failed. A test's time is its own, or that of its slowest direct
// subtest when longer: the subtests of one test per database run side by side, and a
// parallel subtest's time is not its parent's. The time a parallel test waits for its
// turn is not counted.
func report(in io.Reader, out io.Writer, n int) (failed bool, err error) {
	outputs := map[string][]string{} // package and test -> its lines, until it passes
	took := map[string]float64{}     // package and top-level test -> its time
	events := 0
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Fprintln(out, sc.Text()) // a build error, printed as go test prints it
			continue
		}
		events++
		key := e.Package + " " + e.Test
		if e.Action == "pass" && e.Test != "" && strings.Count(e.Test, "/") <= 1 {
			top := e.Package + " " + strings.SplitN(e.Test, "/", 2)[0]
			took[top] = max(took[top], e.Elapsed)
		}
		switch e.Action {
		case "build-output": // a compiler's messages (go test -json reports them so since Go 1.24)
			fmt.Fprint(out, e.Output)
		case "build-fail":
			failed = true
		case "output":
			if e.Test == "" {
				// A package's own lines: its result ("ok", "FAIL", "?") and what its
				// TestMain printed.
				if !strings.HasPrefix(e.Output, "PASS") && !strings.HasPrefix(e.Output, "=== ") {
					fmt.Fprint(out, e.Output)
				}
				continue
			}
			outputs[key] = append(outputs[key], e.Output)
		case "pass", "skip":
			delete(outputs, key)
		case "fail":
			failed = true
			if e.Test != "" {
				fmt.Fprint(out, strings.Join(outputs[key], ""))
				delete(outputs, key)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return true, err
	}
	if events == 0 {
		return true, fmt.Errorf("no test event read")
	}
	var slow []timing
	for top, elapsed := range took {
		pkg, test, _ := strings.Cut(top, " ")
		slow = append(slow, timing{pkg, test, elapsed})
	}
	sort.Slice(slow, func(i, j int) bool {
		if slow[i].elapsed != slow[j].elapsed {
			return slow[i].elapsed > slow[j].elapsed
		}
		return slow[i].pkg+slow[i].test < slow[j].pkg+slow[j].test
	})
	fmt.Fprintf(out, "\nthe %d slowest tests:\n", min(n, len(slow)))
	for _, s := range slow[:min(n, len(slow))] {
		fmt.Fprintf(out, "%8s  %s %s\n", time.Duration(s.elapsed*float64(time.Second)).Round(10*time.Millisecond), strings.TrimPrefix(s.pkg, "github.com/cop-territoriales/cop-api/"), s.test)
	}
	return failed, nil
}
