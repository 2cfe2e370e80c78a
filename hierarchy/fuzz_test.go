package hierarchy

import (
	"bytes"
	"testing"
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
