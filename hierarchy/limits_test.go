package hierarchy

import (
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		name, s string
		max     int
		want    string // "" when accepted
	}{
		{"empty is accepted", "", 10, ""},
		{"at the limit", strings.Repeat("x", 10), 10, ""},
		{"accents count as one character", strings.Repeat("é", 10), 10, ""},
		{"one over", strings.Repeat("x", 11), 10, "title has 11 characters, at most 10"},
		{"huge", strings.Repeat("x", 999700), 200, "title has 999700 characters, at most 200"},
		{"NUL", "a\x00b", 10, "title contains a NUL character (U+0000)"},
		{"invalid UTF-8", "r\xe9gion", 10, "title is not valid UTF-8 text"},
		{"spaces only are a text", "   ", 10, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, CheckText("title", tc.s, tc.max), tc.want)
		})
	}
}

func TestCheckRequiredText(t *testing.T) {
	for _, tc := range []struct{ name, s, want string }{
		{"a title", "Bornes de recharge", ""},
		{"empty", "", "title is required: it is empty or only spaces"},
		{"spaces only", " \t\n ", "title is required: it is empty or only spaces"},
		{"too long", strings.Repeat("x", 201), "title has 201 characters, at most 200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, CheckRequiredText("title", tc.s, 200), tc.want)
		})
	}
}

func TestCheckSearchText(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"a commune", "L'Île-Saint-Denis", ""},
		{"ten words", strings.Repeat("a ", 10), ""},
		{"eleven words", strings.Repeat("a ", 11), "text has 11 words, at most 10"},
		{"punctuation is not a word", strings.Repeat("-", 500), ""},
		{"word of 50 characters", strings.Repeat("a", 50), ""},
		{"word of 51 characters", "rennes " + strings.Repeat("a", 51), "text: word 2 has 51 characters, at most 50"},
		{"text too long", strings.Repeat("-", 501), "text has 501 characters, at most 500"},
		{"NUL", "ren\x00nes", "text contains a NUL character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, CheckSearchText("text", tc.text), tc.want)
		})
	}
}

func TestExcerpt(t *testing.T) {
	for _, tc := range []struct{ name, s, want string }{
		{"short", "Atlantide", `"Atlantide"`},
		{"40 characters", strings.Repeat("é", 40), `"` + strings.Repeat("é", 40) + `"`},
		{"41 characters", strings.Repeat("é", 41), `"` + strings.Repeat("é", 40) + `"…`},
		{"a megabyte", strings.Repeat("x", 1<<20), `"` + strings.Repeat("x", 40) + `"…`},
		{"control characters are escaped", "a\nb", `"a\nb"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Excerpt(tc.s); got != tc.want {
				t.Errorf("Excerpt = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestErrorList(t *testing.T) {
	var l ErrorList
	if l.Err() != nil {
		t.Fatal("an empty list is an error")
	}
	l.Add(nil)
	for i := 0; i < MaxReportedErrors+5; i++ {
		l.Add(&LineError{Line: i + 2, Err: errString("bad")})
	}
	if l.Len() != MaxReportedErrors+5 {
		t.Errorf("Len = %d", l.Len())
	}
	msg := l.Err().Error()
	if !strings.HasPrefix(msg, "line 2: bad\n") || !strings.HasSuffix(msg, "line 101: bad\nand 5 more errors") {
		t.Errorf("Err = %q", msg)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// checkErr fails unless err contains want, or is nil when want is empty.
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("refused: %v", err)
	case want != "" && err == nil:
		t.Errorf("accepted, want an error containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("error %q does not contain %q", err, want)
	}
}
