package main

import (
	"strings"
	"testing"
)

func TestReport(t *testing.T) {
	in := `{"Time":"2026-01-01T00:00:00Z","Action":"run","Package":"p","Test":"TestA"}
{"Time":"2026-01-01T00:00:00Z","Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Time":"2026-01-01T00:00:00.5Z","Action":"pass","Package":"p","Test":"TestA","Elapsed":0.5}
{"Time":"2026-01-01T00:00:00.5Z","Action":"run","Package":"p","Test":"TestB"}
{"Time":"2026-01-01T00:00:00.5Z","Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:3: wrong\n"}
{"Time":"2026-01-01T00:00:02.5Z","Action":"fail","Package":"p","Test":"TestB","Elapsed":2}
{"Time":"2026-01-01T00:00:01Z","Action":"run","Package":"p","Test":"TestC"}
{"Time":"2026-01-01T00:00:01Z","Action":"pause","Package":"p","Test":"TestC"}
{"Time":"2026-01-01T00:00:02.5Z","Action":"cont","Package":"p","Test":"TestC"}
{"Time":"2026-01-01T00:00:02.5Z","Action":"run","Package":"p","Test":"TestC/sub"}
{"Time":"2026-01-01T00:00:02.5Z","Action":"pass","Package":"p","Test":"TestC","Elapsed":0}
{"Time":"2026-01-01T00:00:12Z","Action":"pass","Package":"p","Test":"TestC/sub","Elapsed":9.5}
{"Time":"2026-01-01T00:00:12Z","Action":"pass","Package":"p","Test":"TestC/sub/deeper","Elapsed":20}
{"Time":"2026-01-01T00:00:12Z","Action":"output","Package":"p","Output":"FAIL\tp\t12.000s\n"}
{"Time":"2026-01-01T00:00:12Z","Action":"fail","Package":"p","Elapsed":12}
`
	for _, tc := range []struct {
		name, in   string
		n          int
		failed     bool
		want, nope []string
	}{
		{"a failure", in, 1, true, []string{"b_test.go:3: wrong", "FAIL\tp\t12.000s", "the 1 slowest tests:\n    9.5s  p TestC\n"}, []string{"=== RUN", "TestA", "TestC/sub"}},
		{"all pass", in[:strings.Index(in, `{"Time":"2026-01-01T00:00:00.5Z","Action":"run","Package":"p","Test":"TestB"}`)], 10, false, []string{"the 1 slowest tests:\n   500ms  p TestA\n"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			failed, err := report(strings.NewReader(tc.in), &out, tc.n)
			if err != nil || failed != tc.failed {
				t.Fatalf("failed %t, %v; want %t", failed, err, tc.failed)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tc.nope {
				if strings.Contains(out.String(), w) {
					t.Errorf("output holds %q:\n%s", w, out.String())
				}
			}
		})
	}
	var out strings.Builder
	build := `{"ImportPath":"p [p.test]","Action":"build-output","Output":"# p\n./a.go:3:1: undefined: x\n"}
{"ImportPath":"p [p.test]","Action":"build-fail"}
{"Action":"output","Package":"p","Output":"FAIL\tp [build failed]\n"}
{"Action":"fail","Package":"p","Elapsed":0}
`
	if failed, err := report(strings.NewReader(build), &out, 10); err != nil || !failed || !strings.Contains(out.String(), "./a.go:3:1: undefined: x") {
		t.Errorf("a build failure: failed %t, %v, output:\n%s", failed, err, out.String())
	}
	if failed, err := report(strings.NewReader(""), &strings.Builder{}, 10); err == nil || !failed {
		t.Errorf("no event: failed %t, %v", failed, err)
	}
}
