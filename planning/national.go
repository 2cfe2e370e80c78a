package planning

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cop-territoriales/cop-api/hierarchy"
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
// nothing. It is ParseNationalWith and the strict default options: a file whose last line
// has no final newline is refused as truncated.
func ParseNational(r io.Reader) ([]NationalSector, error) {
	return ParseNationalWith(r, ParseOptions{})
}

// ParseNationalWith is ParseNational with options.
func ParseNationalWith(r io.Reader, opts ParseOptions) ([]NationalSector, error) {
	f := hierarchy.NewCSVFile(r, ',', opts)
	head, err := f.Header()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	years := map[int]int{}
	target, targetYear := -1, 0
	for i, h := range head {
		h = strings.TrimSpace(h)
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
	err = eachRecord(f, func(line int, rec []string) error {
		s := NationalSector{Line: line, Sector: strings.TrimSpace(rec[col["sector"]]),
			Label: rec[col["label_fr"]], Unit: strings.TrimSpace(rec[col["unit"]]),
			Values: map[int]float64{}, TargetYear: targetYear}
		bad := checkNationalTexts(s)
		factor, knownUnit := GHGUnits[s.Unit]
		if !knownUnit {
			bad = append(bad, fmt.Sprintf("unit %s is not one of tCO2e, ktCO2e, MtCO2e", hierarchy.Excerpt(s.Unit)))
		}
		number := func(name, text string) float64 {
			v, err := parseNumber(text)
			if err == nil && knownUnit {
				// The ceiling is on emissions in ktCO2e, whatever the file's unit.
				limit := MaxKtCO2e / factor
				err = checkQuantity(name+" ("+s.Unit+")", &v, -limit, limit)
			}
			if err != nil {
				bad = append(bad, fmt.Sprintf("%s: %v", name, err))
			}
			return v
		}
		for _, y := range sortedYears(years) {
			s.Values[y] = number(fmt.Sprintf("y%d", y), rec[years[y]])
		}
		s.Target = number(fmt.Sprintf("target_%d", targetYear), rec[target])
		if len(bad) > 0 {
			return errors.New(strings.Join(bad, "; "))
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkNationalTexts checks a national row's sector and label.
func checkNationalTexts(s NationalSector) []string {
	var bad []string
	sec, known := SectorByCode(s.Sector)
	switch {
	case s.Sector == NationalTotal:
	case !known:
		bad = append(bad, fmt.Sprintf("unknown sector %s", hierarchy.Excerpt(s.Sector)))
	case sec.Parent != "":
		bad = append(bad, fmt.Sprintf("sector %q is not a national sector", s.Sector))
	}
	if err := CheckText("label_fr", s.Label, MaxNameLength); err != nil {
		bad = append(bad, err.Error())
	}
	return bad
}

// sortedYears lists the year columns in order, so that errors come in the file's order
// of years whatever the map's.
func sortedYears(years map[int]int) []int {
	out := make([]int, 0, len(years))
	for y := range years {
		out = append(out, y)
	}
	slices.Sort(out)
	return out
}
