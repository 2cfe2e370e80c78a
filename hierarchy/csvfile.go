package hierarchy

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ParseOptions relax the checks of the import parsers (ParseCRTE here, and those of the
// planning package). The zero value is the strict default.
type ParseOptions struct {
	// AllowUnterminated accepts a CSV file whose last line has no final newline. By
	// default such a file is refused: a file cut in transfer still reads as valid rows
	// ("…,77.5,6" for "…,77.5,67.4" sets a target to 6), and the missing final newline
	// is the only trace of the cut. Set it for a file known to be complete, written by a
	// tool that omits the last newline.
	AllowUnterminated bool
}

// ErrUnterminated is the error, wrapped in a *LineError, about a CSV file whose last
// line has no final newline.
var ErrUnterminated = errors.New("the file ends without a final newline: it looks truncated; " +
	"if the file is complete, end it with a newline")

// CSVFile reads an import file in CSV: a header, then records of as many fields, each
// with its line number. It refuses what looks truncated (a last line without a final
// newline, unless allowed, or a quote never closed) and turns the csv package's parse
// errors into *LineError with a plain message. Lines of spaces only are skipped.
type CSVFile struct {
	cr      *csv.Reader
	tail    *tailReader
	opts    ParseOptions
	fields  int  // fields of the header
	stopped bool // the end, or an error after which nothing can be read
}

// NewCSVFile reads r, its fields separated by comma.
func NewCSVFile(r io.Reader, comma rune, opts ParseOptions) *CSVFile {
	tail := &tailReader{r: r}
	cr := csv.NewReader(tail)
	cr.Comma = comma
	cr.FieldsPerRecord = -1 // checked against the header here, with a clearer message
	return &CSVFile{cr: cr, tail: tail, opts: opts}
}

// Header reads the first line, without a byte order mark. Its errors are *LineError
// about line 1, their message starting with "header:".
func (f *CSVFile) Header() ([]string, error) {
	_, head, err := f.Next()
	switch {
	case err == io.EOF:
		return nil, &LineError{Line: 1, Err: errors.New("header: the file is empty")}
	case err != nil:
		var le *LineError
		if errors.As(err, &le) {
			return nil, &LineError{Line: le.Line, Err: fmt.Errorf("header: %w", le.Err)}
		}
		return nil, &LineError{Line: 1, Err: fmt.Errorf("header: %w", err)}
	}
	head[0] = strings.TrimPrefix(head[0], "\uFEFF")
	f.fields = len(head)
	return head, nil
}

// Next reads the next record and the line it starts on; io.EOF at the end. A *LineError
// is about one line and reading can go on after it; any other error ends the file.
func (f *CSVFile) Next() (line int, rec []string, err error) {
	for !f.stopped {
		rec, err := f.cr.Read()
		if err == io.EOF {
			f.stopped = true
			if err := f.truncated(); err != nil {
				return 0, nil, err
			}
			return 0, nil, io.EOF
		}
		if err != nil {
			return 0, nil, f.parseError(err)
		}
		line, _ := f.cr.FieldPos(0)
		if f.atEnd() {
			// Refuse the last record before it is read: cut, its values are wrong.
			if err := f.truncated(); err != nil {
				f.stopped = true
				return 0, nil, err
			}
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if f.fields > 0 && len(rec) != f.fields {
			return line, nil, &LineError{Line: line, Err: fmt.Errorf("wrong number of fields: %d, want %d as in the header", len(rec), f.fields)}
		}
		return line, rec, nil
	}
	return 0, nil, io.EOF
}

// atEnd tells whether the record just read is the last of the file.
func (f *CSVFile) atEnd() bool { return f.tail.eof && f.cr.InputOffset() == f.tail.n }

// truncated refuses, once the whole file is read, a last line without a final newline,
// unless the options allow it.
func (f *CSVFile) truncated() error {
	if f.tail.n > 0 && f.tail.last != '\n' && !f.opts.AllowUnterminated {
		return &LineError{Line: f.tail.lines + 1, Err: ErrUnterminated}
	}
	return nil
}

// parseError rewrites an error of the csv package as a *LineError naming the line the
// record starts on; an error that is not about a record (a failed read) ends the file.
func (f *CSVFile) parseError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		f.stopped = true
		return fmt.Errorf("read: %w", err)
	}
	switch {
	case errors.Is(pe.Err, csv.ErrQuote) && f.atEnd() && f.tail.quotes%2 == 1:
		// An odd number of quotes in the whole file: a quoted field ran to the end.
		f.stopped = true
		return &LineError{Line: pe.StartLine, Err: errors.New(`a quoted field opened on this line is never closed: ` +
			`the file looks truncated, or a closing quote (") is missing`)}
	case errors.Is(pe.Err, csv.ErrQuote):
		return &LineError{Line: pe.StartLine, Err: fmt.Errorf(`a quoted field is not closed properly at line %d, column %d: `+
			`a closing quote (") is missing, or text follows it`, pe.Line, pe.Column)}
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return &LineError{Line: pe.StartLine, Err: fmt.Errorf(`a quote (") in an unquoted field at line %d, column %d: `+
			`put the field in quotes and double the quote`, pe.Line, pe.Column)}
	}
	return &LineError{Line: pe.StartLine, Err: fmt.Errorf("line %d, column %d: %w", pe.Line, pe.Column, pe.Err)}
}

// tailReader counts what passes through it: bytes, newlines and quotes, and remembers
// the last byte and whether the end was reached.
type tailReader struct {
	r      io.Reader
	n      int64
	lines  int
	quotes int
	last   byte
	eof    bool
}

func (t *tailReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		t.n += int64(n)
		t.lines += bytes.Count(p[:n], []byte{'\n'})
		t.quotes += bytes.Count(p[:n], []byte{'"'})
		t.last = p[n-1]
	}
	if err == io.EOF {
		t.eof = true
	}
	return n, err
}
