package planning

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// NationalTotal is the sector code of the all-sector row of the national file.
const NationalTotal = "total"

// NationalSector is one row of the national emissions file: a sector's emissions by year
// and its 2030 target.
type NationalSector struct {
	Line       int
	Sector     string // catalogue code, or NationalTotal
	Label      string
	Unit       string
	Values     map[int]float64 // year -> emissions
	TargetYear int
	Target     float64
}

var yearColumn = regexp.MustCompile(`^y(\d{4})$`)
var targetColumn = regexp.MustCompile(`^target_(\d{4})$`)

// ParseNational reads the national emissions file (sector,label_fr,unit,y2019,...,
// target_2030). Every bad line is reported with its number; a file with any error yields
// nothing.
func ParseNational(r io.Reader) ([]NationalSector, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("line 1: header: %w", err)
	}
	col := map[string]int{}
	years := map[int]int{}
	target, targetYear := -1, 0
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		col[h] = i
		if m := yearColumn.FindStringSubmatch(h); m != nil {
			y, _ := strconv.Atoi(m[1])
			years[y] = i
		}
		if m := targetColumn.FindStringSubmatch(h); m != nil {
			target = i
			targetYear, _ = strconv.Atoi(m[1])
		}
	}
	for _, c := range []string{"sector", "label_fr", "unit"} {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("line 1: header: missing column %s", c)
		}
	}
	if target < 0 || len(years) == 0 {
		return nil, errors.New("line 1: header: want yYYYY columns and a target_YYYY column")
	}
	if _, ok := years[SGPEBaselineYear]; !ok {
		return nil, fmt.Errorf("line 1: header: no column y%d for the baseline year", SGPEBaselineYear)
	}
	if err := CheckYears(SGPEBaselineYear, targetYear); err != nil {
		return nil, fmt.Errorf("line 1: header: %w", err)
	}
	var out []NationalSector
	errs := eachRecord(cr, func(line int, rec []string) error {
		s := NationalSector{Line: line, Sector: strings.TrimSpace(rec[col["sector"]]),
			Label: rec[col["label_fr"]], Unit: strings.TrimSpace(rec[col["unit"]]),
			Values: map[int]float64{}, TargetYear: targetYear}
		var bad []string
		if _, ok := SectorByCode(s.Sector); !ok && s.Sector != NationalTotal {
			bad = append(bad, fmt.Sprintf("unknown sector %q", s.Sector))
		} else if ok && s.Sector != NationalTotal {
			if sec, _ := SectorByCode(s.Sector); sec.Parent != "" {
				bad = append(bad, fmt.Sprintf("sector %q is not a national sector", s.Sector))
			}
		}
		if _, ok := GHGUnits[s.Unit]; !ok {
			bad = append(bad, fmt.Sprintf("unit %q is not one of tCO2e, ktCO2e, MtCO2e", s.Unit))
		}
		for y, i := range years {
			v, err := parseNumber(rec[i])
			if err != nil {
				bad = append(bad, fmt.Sprintf("y%d: %v", y, err))
			}
			s.Values[y] = v
		}
		if s.Target, err = parseNumber(rec[target]); err != nil {
			bad = append(bad, fmt.Sprintf("target_%d: %v", targetYear, err))
		}
		if len(bad) > 0 {
			return errors.New(strings.Join(bad, "; "))
		}
		out = append(out, s)
		return nil
	})
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// eachRecord calls fn for every record of a CSV file after its header, and returns the
// errors of every bad line, each prefixed with its line number.
func eachRecord(cr *csv.Reader, fn func(line int, rec []string) error) []error {
	var errs []error
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return errs
		}
		if err != nil {
			// The parse error names its line; FieldPos is not valid after an error.
			errs = append(errs, err)
			if _, ok := err.(*csv.ParseError); ok {
				continue
			}
			return errs
		}
		line, _ := cr.FieldPos(0)
		if err := fn(line, rec); err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", line, err))
		}
	}
}

func parseNumber(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return f, nil
}
