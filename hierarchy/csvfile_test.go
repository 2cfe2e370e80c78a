package hierarchy

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// readAll reads a CSV file to the end and returns its records (line: fields) and errors.
func readAll(t *testing.T, text string, opts ParseOptions) (records []string, errs []string) {
	t.Helper()
	f := NewCSVFile(strings.NewReader(text), ',', opts)
	head, err := f.Header()
	if err != nil {
		return nil, []string{err.Error()}
	}
	records = append(records, "1:"+strings.Join(head, "|"))
	for range 100 {
		line, rec, err := f.Next()
		if err == io.EOF {
			return records, errs
		}
		if err != nil {
			errs = append(errs, err.Error())
			if !errors.As(err, new(*LineError)) {
				return records, errs
			}
			continue
		}
		records = append(records, fmt.Sprintf("%d:%s", line, strings.Join(rec, "|")))
	}
	t.Fatal("Next never returned io.EOF")
	return nil, nil
}

func TestCSVFile(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		opts       ParseOptions
		records    []string
		errs       []string
	}{
		{"well formed", "a,b\n1,2\n3,4\n", ParseOptions{}, []string{"1:a|b", "2:1|2", "3:3|4"}, nil},
		{"CRLF and a byte order mark", "\uFEFFa,b\r\n1,2\r\n", ParseOptions{}, []string{"1:a|b", "2:1|2"}, nil},
		{"blank lines are skipped", "a,b\n\n1,2\n   \n3,4\n", ParseOptions{}, []string{"1:a|b", "3:1|2", "5:3|4"}, nil},
		{"a quoted newline keeps the line count", "a,b\n\"x\ny\",2\n3,4\n", ParseOptions{}, []string{"1:a|b", "2:x\ny|2", "4:3|4"}, nil},
		{"no final newline", "a,b\n1,2\n3,4", ParseOptions{}, []string{"1:a|b", "2:1|2"},
			[]string{"line 3: the file ends without a final newline: it looks truncated; if the file is complete, end it with a newline"}},
		{"no final newline, allowed", "a,b\n1,2\n3,4", ParseOptions{AllowUnterminated: true}, []string{"1:a|b", "2:1|2", "3:3|4"}, nil},
		{"cut after a carriage return", "a,b\n1,2\r", ParseOptions{}, []string{"1:a|b"}, []string{"line 2: the file ends without a final newline"}},
		{"cut inside a quoted last field", "a,b\n1,2\n3,\"Fonds", ParseOptions{}, []string{"1:a|b", "2:1|2"},
			[]string{"line 3: a quoted field opened on this line is never closed: the file looks truncated"}},
		{"quote left open, with newlines after it", "a,b\n1,\"x\n2,3\n4,5\n", ParseOptions{}, []string{"1:a|b"},
			[]string{"line 2: a quoted field opened on this line is never closed"}},
		{"text after a closing quote", "a,b\n1,\"x\"y\n2,3\n", ParseOptions{}, []string{"1:a|b", "3:2|3"},
			[]string{`line 2: a quoted field is not closed properly at line 2, column 5: a closing quote (") is missing, or text follows it`}},
		{"bare quote", "a,b\n1,x\"y\n2,3\n", ParseOptions{}, []string{"1:a|b", "3:2|3"},
			[]string{`line 2: a quote (") in an unquoted field at line 2, column 4`}},
		{"wrong number of fields", "a,b\n1,2,3\n4\n5,6\n", ParseOptions{}, []string{"1:a|b", "4:5|6"},
			[]string{"line 2: wrong number of fields: 3, want 2 as in the header", "line 3: wrong number of fields: 1, want 2"}},
		{"empty file", "", ParseOptions{}, nil, []string{"line 1: header: the file is empty"}},
		{"header cut", "a,b", ParseOptions{}, nil, []string{"line 1: header: the file ends without a final newline"}},
		{"header only, allowed", "a,b", ParseOptions{AllowUnterminated: true}, []string{"1:a|b"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			records, errs := readAll(t, tc.text, tc.opts)
			if strings.Join(records, "\n") != strings.Join(tc.records, "\n") {
				t.Errorf("records %q, want %q", records, tc.records)
			}
			if len(errs) != len(tc.errs) {
				t.Fatalf("errors %q, want %q", errs, tc.errs)
			}
			for i := range errs {
				if !strings.Contains(errs[i], tc.errs[i]) {
					t.Errorf("error %q does not contain %q", errs[i], tc.errs[i])
				}
			}
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestCSVFileReadErrorEndsTheFile(t *testing.T) {
	f := NewCSVFile(io.MultiReader(strings.NewReader("a,b\n1,2\n"), failingReader{}), ',', ParseOptions{})
	if _, err := f.Header(); err != nil {
		t.Fatal(err)
	}
	for {
		_, _, err := f.Next()
		if err == nil {
			continue
		}
		if errors.As(err, new(*LineError)) || !strings.Contains(err.Error(), "read: disk on fire") {
			t.Fatalf("Next = %v, want a read error that is not about a line", err)
		}
		if _, _, err := f.Next(); err != io.EOF {
			t.Fatalf("after a read error, Next = %v, want io.EOF", err)
		}
		return
	}
}
