package hierarchy

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseCRTE checks that no file makes the CRTE parser panic, and that it returns rows
// or an error, never both.
func FuzzParseCRTE(f *testing.F) {
	f.Add([]byte(crteHeader + "53,Bretagne,35,I,c1,CRTE Un,EPCI,Non,Non,243500139,R,METRO,,,\n"))
	f.Add([]byte("\uFEFF" + crteHeader + "53;Bretagne;35\n"))
	f.Add([]byte("\"unterminated\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseCRTE(bytes.NewReader(data))
		if (rows == nil) == (err == nil) {
			t.Fatalf("ParseCRTE returned %v and %v", rows, err)
		}
	})
}

// FuzzCSVFile checks that reading any file ends, and that a file whose last byte is not
// a newline is never read without an error: a cut file is always refused.
func FuzzCSVFile(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"))
	f.Add([]byte("a,b\n1,2"))
	f.Add([]byte("a,b\n1,\"x\ny\",2\n"))
	f.Add([]byte("a,b\n1,\"x"))
	f.Add([]byte("a,b\r\n1,x\"y\r\n\r"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file := NewCSVFile(bytes.NewReader(data), ',', ParseOptions{})
		_, err := file.Header()
		failed := err != nil
		for calls := 0; err == nil; calls++ {
			if calls > len(data)+2 {
				t.Fatal("Next does not reach the end")
			}
			var e error
			if _, _, e = file.Next(); e == io.EOF {
				break
			}
			if e != nil {
				failed = true
				if !errors.As(e, new(*LineError)) {
					t.Fatalf("Next returned %v, not a *LineError", e)
				}
			}
		}
		if len(data) > 0 && data[len(data)-1] != '\n' && !failed {
			t.Fatalf("a file without a final newline was read without error: %q", data)
		}
	})
}

// FuzzCheckText checks that an accepted text is valid UTF-8, has no NUL and is not too
// long, and that an excerpt is short whatever the text.
func FuzzCheckText(f *testing.F) {
	f.Add("Rennes Métropole", 20)
	f.Add("a\x00b", 10)
	f.Add("r\xe9gion", 10)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1000 {
			return
		}
		if CheckText("text", s, max) == nil {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || utf8.RuneCountInString(s) > max {
				t.Fatalf("CheckText accepted %q at most %d", s, max)
			}
		}
		if e := Excerpt(s); len(e) > 2+MaxEchoLength*10+len("…") {
			t.Fatalf("Excerpt(%q) is %d bytes long", s, len(e))
		}
		_ = CheckSearchText("text", s)
	})
}
