package planning

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cop-territoriales/cop-api/hierarchy"
)

// ParseOptions relax the checks of the import parsers; the zero value is the strict
// default. They are the hierarchy package's, so that one value serves every import.
type ParseOptions = hierarchy.ParseOptions

// eachRecord calls fn for every record of f after its header, and returns the errors of
// every bad line, each prefixed with its line number (the first
// hierarchy.MaxReportedErrors of them); nil when every line is good.
func eachRecord(f *hierarchy.CSVFile, fn func(line int, rec []string) error) error {
	var errs hierarchy.ErrorList
	for {
		line, rec, err := f.Next()
		if err == io.EOF {
			return errs.Err()
		}
		if err != nil {
			errs.Add(err)
			if errors.As(err, new(*hierarchy.LineError)) {
				continue
			}
			return errs.Err()
		}
		if err := fn(line, rec); err != nil {
			errs.Add(&hierarchy.LineError{Line: line, Err: err})
		}
	}
}

// parseNumber reads a decimal number; the error quotes at most an excerpt of s.
func parseNumber(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("%s is not a number", hierarchy.Excerpt(s))
	}
	return f, nil
}
