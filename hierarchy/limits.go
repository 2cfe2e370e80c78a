package hierarchy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits on what the hierarchy package reads from files and queries. The limits of the
// planning records (actions, commitments, observations, the SGPE file) are in
// planning/limits.go; the bounds table of docs/limits.md lists both. Lengths count characters
// (Unicode code points), not bytes.
const (
	// MaxCRTENameLength bounds the name of a CRTE and of a member grouping in the ANCT
	// file. The longest EPCI name is 59 characters ("CA de la Presqu'île de Guérande
	// Atlantique (Cap Atlantique)"); 300 leaves room for the ANCT's longest labels.
	MaxCRTENameLength = 300
	// MaxCodeLength bounds a code read from a file: a CRTE id, a region, department or
	// territory code. Real codes have at most 9 characters (a SIREN) and CRTE ids a few
	// tens; anything longer is a misplaced column.
	MaxCodeLength = 64
	// MaxSearchTextLength bounds a search text before it is split into words, so that
	// splitting never walks a huge string.
	MaxSearchTextLength = 500
	// MaxSearchWords bounds the words of a search: each word is one more condition on
	// every territory name, and no French place name needs more than ten to be found.
	MaxSearchWords = 10
	// MaxSearchWordLength bounds each word of a search. The longest commune name has 45
	// characters ("Saint-Remy-en-Bouzemont-Saint-Genest-et-Isson"), its longest word far
	// fewer.
	MaxSearchWordLength = 50
	// MaxEchoLength bounds how much of a bad input an error message quotes back, so that
	// an error never carries a large chunk of the request or file.
	MaxEchoLength = 40
	// MaxReportedErrors bounds the errors reported for one import file: a file of a
	// million bad lines gives the first hundred and a count of the others.
	MaxReportedErrors = 100
)

// CheckText refuses a text that is longer than max characters, is not valid UTF-8 or
// holds a NUL character (U+0000): PostgreSQL cannot store either, and no real name or
// description needs them. field names the text in the error ("title has 999700
// characters, at most 200"). An empty text passes; see CheckRequiredText.
func CheckText(field, s string, max int) error {
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("%s has %d characters, at most %d", field, n, max)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8 text", field)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("%s contains a NUL character (U+0000)", field)
	}
	return nil
}

// CheckRequiredText is CheckText for a text that must say something: empty or only
// spaces is refused too, since a title of spaces shows as a blank line.
func CheckRequiredText(field, s string, max int) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("%s is required: it is empty or only spaces", field)
	}
	return CheckText(field, s, max)
}

// CheckSearchText refuses a search text longer than MaxSearchTextLength characters, or
// of more than MaxSearchWords words (as SearchWords splits it), or with a word longer
// than MaxSearchWordLength characters. Each word is a condition on every name searched,
// so the number of words bounds the cost of a search.
func CheckSearchText(field, text string) error {
	if err := CheckText(field, text, MaxSearchTextLength); err != nil {
		return err
	}
	words := SearchWords(text)
	if len(words) > MaxSearchWords {
		return fmt.Errorf("%s has %d words, at most %d", field, len(words), MaxSearchWords)
	}
	for i, w := range words {
		if n := utf8.RuneCountInString(w); n > MaxSearchWordLength {
			return fmt.Errorf("%s: word %d has %d characters, at most %d", field, i+1, n, MaxSearchWordLength)
		}
	}
	return nil
}

// Excerpt quotes s for an error message, cut to MaxEchoLength characters with an
// ellipsis: enough to recognise the bad value, never a large chunk of the input.
func Excerpt(s string) string {
	n := 0
	for i := range s {
		if n == MaxEchoLength {
			return strconv.Quote(s[:i]) + "…"
		}
		n++
	}
	return strconv.Quote(s)
}

// ErrorList collects the errors of an import file, keeping the first MaxReportedErrors
// and counting the others, so that the error of a huge bad file stays readable.
type ErrorList struct {
	errs    []error
	dropped int
}

// Add records err; nil is ignored.
func (l *ErrorList) Add(err error) {
	switch {
	case err == nil:
	case len(l.errs) < MaxReportedErrors:
		l.errs = append(l.errs, err)
	default:
		l.dropped++
	}
}

// Len is the number of errors added, kept or not.
func (l *ErrorList) Len() int { return len(l.errs) + l.dropped }

// Err joins the errors kept, followed by the count of the others; nil when none.
func (l *ErrorList) Err() error {
	if l.dropped > 0 {
		return errors.Join(append(l.errs, fmt.Errorf("and %d more errors", l.dropped))...)
	}
	return errors.Join(l.errs...)
}
