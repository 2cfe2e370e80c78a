package planning

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cop-territoriales/cop-api/hierarchy"
)

// ObservationColumns are the columns of an observations file; unit, lever or sector, and
// source may be empty.
var ObservationColumns = []string{"level", "code", "lever", "sector", "metric", "unit", "year", "value", "source"}

// ObservationRecord is one line of an observations file.
type ObservationRecord struct {
	Line          int
	Territory     hierarchy.Key
	Lever, Sector string
	Metric        Metric
	Unit          string
	Year          int
	Value         float64
	Source        string
}

// ParseObservations reads an observations CSV file (ObservationColumns, in any order).
// Every bad line is reported with its number; a file with any error yields nothing. It
// is ParseObservationsWith and the strict default options: a file whose last line has no
// final newline is refused as truncated.
func ParseObservations(r io.Reader) ([]ObservationRecord, error) {
	return ParseObservationsWith(r, ParseOptions{})
}

// ParseObservationsWith is ParseObservations with options.
func ParseObservationsWith(r io.Reader, opts ParseOptions) ([]ObservationRecord, error) {
	f := hierarchy.NewCSVFile(r, ',', opts)
	head, err := f.Header()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, c := range ObservationColumns {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("line 1: header: missing column %s (want %s)", c, strings.Join(ObservationColumns, ","))
		}
	}
	var out []ObservationRecord
	err = eachRecord(f, func(line int, rec []string) error {
		get := func(c string) string { return strings.TrimSpace(rec[col[c]]) }
		o := ObservationRecord{Line: line, Territory: hierarchy.Key{Level: hierarchy.Level(get("level")), Code: get("code")},
			Lever: get("lever"), Sector: get("sector"), Metric: Metric(get("metric")), Unit: get("unit"), Source: get("source")}
		bad := checkObservationTexts(o)
		if !o.Territory.Level.Valid() || o.Territory.Code == "" {
			bad = append(bad, fmt.Sprintf("territory %s:%s: want a level of %v and a code",
				hierarchy.Excerpt(get("level")), hierarchy.Excerpt(get("code")), hierarchy.Levels))
		}
		if !validMetric(o.Metric) {
			bad = append(bad, fmt.Sprintf("metric %s is not one of %v", hierarchy.Excerpt(string(o.Metric)), Metric("").Values()))
		}
		var err error
		if o.Year, err = strconv.Atoi(get("year")); err != nil {
			bad = append(bad, fmt.Sprintf("year %s is not a whole number", hierarchy.Excerpt(get("year"))))
		} else if err := checkObservationYear(o.Year); err != nil {
			bad = append(bad, err.Error())
		}
		if o.Value, err = parseNumber(get("value")); err != nil {
			bad = append(bad, fmt.Sprintf("value: %v", err))
		} else if err := checkObservationValue(o.Value); err != nil {
			bad = append(bad, err.Error())
		}
		if len(bad) > 0 {
			return errors.New(strings.Join(bad, "; "))
		}
		out = append(out, o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("observations file has no rows")
	}
	return out, nil
}

// checkObservationTexts checks the lengths and characters of an observation's texts.
func checkObservationTexts(o ObservationRecord) []string {
	var bad []string
	for _, c := range []struct {
		field, value string
		max          int
	}{
		{"code", o.Territory.Code, MaxCodeLength},
		{"lever", o.Lever, MaxCodeLength},
		{"sector", o.Sector, MaxCodeLength},
		{"unit", o.Unit, MaxUnitLength},
		{"source", o.Source, MaxSourceLength},
	} {
		if err := CheckText(c.field, c.value, c.max); err != nil {
			bad = append(bad, err.Error())
		}
	}
	return bad
}

func validMetric(m Metric) bool {
	for _, v := range m.Values() {
		if string(m) == v {
			return true
		}
	}
	return false
}

// ObservationFields are the checked fields of an observation.
type ObservationFields struct {
	Metric Metric
	Unit   string
	Year   int
	Value  float64
	Source string
	// LeverUnit is the lever's physical unit; nil when the indicator is a sector or a
	// lever without one.
	LeverUnit *string
}

// CheckObservationFields is CheckObservation that also bounds the texts: unit and
// source within MaxUnitLength and MaxSourceLength, without NUL.
func CheckObservationFields(o ObservationFields) (string, error) {
	for _, c := range []struct {
		field, value string
		max          int
	}{{"unit", o.Unit, MaxUnitLength}, {"source", o.Source, MaxSourceLength}} {
		if err := CheckText(c.field, c.value, c.max); err != nil {
			return "", err
		}
	}
	return CheckObservation(o.Metric, o.Unit, o.Year, o.Value, o.LeverUnit)
}

// CheckObservation checks an observation's year, value and unit against its indicator and
// returns the unit to store: a physical quantity defaults to, and must match, the lever's
// unit (leverUnit, nil when the indicator is a sector or a lever without one); emissions
// default to ktCO2e and must be in an emissions unit. The value must be finite and at most
// MaxObservationValue in absolute value.
func CheckObservation(metric Metric, unit string, year int, value float64, leverUnit *string) (string, error) {
	if err := errors.Join(checkObservationYear(year), checkObservationValue(value)); err != nil {
		return "", err
	}
	if metric == Physical {
		if leverUnit == nil {
			return "", errors.New("a PHYSICAL observation needs a lever with a physical unit")
		}
		if unit == "" {
			return *leverUnit, nil
		}
		if unit != *leverUnit {
			return "", fmt.Errorf("unit %s does not match the lever's unit %q", hierarchy.Excerpt(unit), *leverUnit)
		}
		return unit, nil
	}
	if unit == "" {
		return "ktCO2e", nil
	}
	if _, ok := GHGUnits[unit]; !ok {
		return "", fmt.Errorf("unit %s is not an emissions unit (tCO2e, ktCO2e, MtCO2e)", hierarchy.Excerpt(unit))
	}
	return unit, nil
}

// Years accepted for observations: the national inventory starts in 1990.
const (
	MinObservationYear = 1990
	MaxObservationYear = MaxYear
)

// checkObservationYear checks an observation's year.
func checkObservationYear(year int) error {
	if year < MinObservationYear || year > MaxObservationYear {
		return fmt.Errorf("year %d is out of range (%d to %d)", year, MinObservationYear, MaxObservationYear)
	}
	return nil
}

// checkObservationValue checks that an observation's value is finite and within
// MaxObservationValue.
func checkObservationValue(value float64) error {
	return checkQuantity("value", &value, -MaxObservationValue, MaxObservationValue)
}
