package planning

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
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
// Every bad line is reported with its number; a file with any error yields nothing.
func ParseObservations(r io.Reader) ([]ObservationRecord, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("line 1: header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))] = i
	}
	for _, c := range ObservationColumns {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("line 1: header: missing column %s (want %s)", c, strings.Join(ObservationColumns, ","))
		}
	}
	var out []ObservationRecord
	errs := eachRecord(cr, func(line int, rec []string) error {
		get := func(c string) string { return strings.TrimSpace(rec[col[c]]) }
		o := ObservationRecord{Line: line, Territory: hierarchy.Key{Level: hierarchy.Level(get("level")), Code: get("code")},
			Lever: get("lever"), Sector: get("sector"), Metric: Metric(get("metric")), Unit: get("unit"), Source: get("source")}
		var bad []string
		if !o.Territory.Level.Valid() || o.Territory.Code == "" {
			bad = append(bad, fmt.Sprintf("territory %q:%q: want a level of %v and a code", get("level"), get("code"), hierarchy.Levels))
		}
		if !validMetric(o.Metric) {
			bad = append(bad, fmt.Sprintf("metric %q is not one of %v", o.Metric, Metric("").Values()))
		}
		var err error
		if o.Year, err = strconv.Atoi(get("year")); err != nil {
			bad = append(bad, fmt.Sprintf("year %q is not a whole number", get("year")))
		}
		if o.Value, err = parseNumber(get("value")); err != nil {
			bad = append(bad, fmt.Sprintf("value: %v", err))
		}
		if len(bad) > 0 {
			return errors.New(strings.Join(bad, "; "))
		}
		out = append(out, o)
		return nil
	})
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(out) == 0 {
		return nil, errors.New("observations file has no rows")
	}
	return out, nil
}

func validMetric(m Metric) bool {
	for _, v := range m.Values() {
		if string(m) == v {
			return true
		}
	}
	return false
}

// CheckObservation checks an observation's year, value and unit against its indicator and
// returns the unit to store: a physical quantity defaults to, and must match, the lever's
// unit (leverUnit, nil when the indicator is a sector or a lever without one); emissions
// default to ktCO2e and must be in an emissions unit.
func CheckObservation(metric Metric, unit string, year int, value float64, leverUnit *string) (string, error) {
	if year < 1990 || year > 2100 {
		return "", fmt.Errorf("year %d is out of range (1990 to 2100)", year)
	}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return "", errors.New("value is not a finite number")
	}
	if metric == Physical {
		if leverUnit == nil {
			return "", errors.New("a PHYSICAL observation needs a lever with a physical unit")
		}
		if unit == "" {
			return *leverUnit, nil
		}
		if unit != *leverUnit {
			return "", fmt.Errorf("unit %q does not match the lever's unit %q", unit, *leverUnit)
		}
		return unit, nil
	}
	if unit == "" {
		return "ktCO2e", nil
	}
	if _, ok := GHGUnits[unit]; !ok {
		return "", fmt.Errorf("unit %q is not an emissions unit (tCO2e, ktCO2e, MtCO2e)", unit)
	}
	return unit, nil
}
