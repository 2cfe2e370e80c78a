package planning

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// SGPEBaselineYear and SGPETargetYear frame every objective of the SGPE dashboard.
const (
	SGPEBaselineYear = 2019
	SGPETargetYear   = 2030
)

// ExampleRegion is the fictitious region of the SGPE file, skipped on import.
const ExampleRegion = "Région exemple"

// RecordError is an error about one record of an import file (1-based).
type RecordError struct {
	Record int
	Err    error
}

func (e *RecordError) Error() string { return fmt.Sprintf("record %d: %v", e.Record, e.Err) }
func (e *RecordError) Unwrap() error { return e.Err }

// RegionObjective is one region's 2030 objective for one lever, from the SGPE file.
type RegionObjective struct {
	Record     int
	RegionCode string
	Lever      string
	// KtCO2eAvoided is the emissions avoided in 2030 compared with 2019.
	KtCO2eAvoided float64
	// PhysicalBaseline (2019) and PhysicalTarget (2030) are in the lever's physical unit,
	// when it has one.
	PhysicalBaseline, PhysicalTarget float64
	HasPhysical                      bool
}

// SGPEFile is what an SGPE dashboard file holds for the real regions.
type SGPEFile struct {
	Levers     []Lever
	Objectives []RegionObjective
	Skipped    int // rows of the example region or of levers not enabled for a region
}

type sgpeRow struct {
	ID             string          `json:"id"`
	LeverName      string          `json:"leverName"`
	RegionName     string          `json:"regionName"`
	RegionEnabled  *bool           `json:"regionEnabled"`
	Sector         string          `json:"sector"`
	Group          string          `json:"group"`
	UnitPhys       *string         `json:"unitPhys"`
	Comment        string          `json:"comment"`
	ObjCO2         json.RawMessage `json:"objCO2"`
	RatioCO2toPhys json.RawMessage `json:"ratioCO2toPhys"`
	StartPoint2019 json.RawMessage `json:"startPoint2019"`
}

// ParseSGPE reads the SGPE "simulateur territorial" file. regionCode maps a region label
// of the file ("Bretagne", "PACA") to its INSEE code. Every bad record is reported with
// its number; a file with any error yields nothing.
func ParseSGPE(r io.Reader, regionCode func(label string) (string, bool)) (*SGPEFile, error) {
	var rows []json.RawMessage
	dec := json.NewDecoder(r)
	if err := dec.Decode(&rows); err != nil {
		return nil, fmt.Errorf("SGPE file: not a JSON array of records: %w", err)
	}
	out := &SGPEFile{}
	levers := map[string]int{} // code -> index in out.Levers
	var errs []error
	for i, raw := range rows {
		n := i + 1
		bad := func(format string, args ...any) {
			errs = append(errs, &RecordError{Record: n, Err: fmt.Errorf(format, args...)})
		}
		var row sgpeRow
		d := json.NewDecoder(bytes.NewReader(raw))
		if err := d.Decode(&row); err != nil {
			bad("%v", err)
			continue
		}
		if row.RegionName == ExampleRegion {
			out.Skipped++
			continue
		}
		if row.ID == "" || row.LeverName == "" {
			bad("lever id and name are required")
			continue
		}
		sector, ok := sgpeSectors[row.Sector]
		if !ok {
			bad("lever %s: unknown sector %q", row.ID, row.Sector)
		}
		theme, ok := themeByName(row.Group)
		if !ok {
			bad("lever %s: unknown theme %q", row.ID, row.Group)
		}
		code, ok := regionCode(row.RegionName)
		if !ok {
			bad("unknown region %q", row.RegionName)
		}
		obj, err1 := number(row.ObjCO2, "objCO2")
		ratio, err2 := number(row.RatioCO2toPhys, "ratioCO2toPhys")
		start, err3 := number(row.StartPoint2019, "startPoint2019")
		if err := errors.Join(err1, err2, err3); err != nil {
			bad("lever %s: %v", row.ID, err)
		}
		if row.RegionEnabled == nil {
			bad("lever %s: regionEnabled is missing", row.ID)
		}
		if len(errs) > 0 {
			continue
		}
		unit := ""
		if row.UnitPhys != nil {
			unit = PhysicalUnit(*row.UnitPhys)
		}
		lv := Lever{Code: row.ID, Name: row.LeverName, Sector: sector, Theme: theme,
			PhysicalUnit: unit, Description: strings.TrimSpace(row.Comment), Extensive: IsExtensive(unit)}
		if j, seen := levers[row.ID]; !seen {
			levers[row.ID] = len(out.Levers)
			out.Levers = append(out.Levers, lv)
		} else if prev := out.Levers[j]; prev.Sector != lv.Sector || prev.Theme != lv.Theme {
			bad("lever %s: sector or theme differs from an earlier record", row.ID)
			continue
		} else if prev.PhysicalUnit == "" {
			out.Levers[j].PhysicalUnit, out.Levers[j].Extensive = unit, lv.Extensive
		}
		if !*row.RegionEnabled {
			out.Skipped++
			continue
		}
		o := RegionObjective{Record: n, RegionCode: code, Lever: row.ID, KtCO2eAvoided: obj}
		if unit != "" {
			o.HasPhysical = true
			o.PhysicalBaseline = start
			o.PhysicalTarget = start + obj*ratio
		}
		out.Objectives = append(out.Objectives, o)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(out.Objectives) == 0 {
		return nil, errors.New("SGPE file: no objective for a real region")
	}
	return out, nil
}

// number reads a JSON number, refusing strings, nulls and non-finite values.
func number(raw json.RawMessage, field string) (float64, error) {
	if len(raw) == 0 {
		return 0, fmt.Errorf("%s is missing", field)
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return 0, fmt.Errorf("%s: %s is not a number", field, truncate(string(raw)))
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%s is not finite", field)
	}
	return f, nil
}

func truncate(s string) string {
	if len(s) > 30 {
		return s[:30] + "…"
	}
	return s
}

// PhysicalUnit keeps the unit of an SGPE physical quantity without its comment on the
// year: "milliers de véhicules électriques dans le parc régional\n(en 2030)" gives
// "milliers de véhicules électriques dans le parc régional".
func PhysicalUnit(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.Join(strings.Fields(s), " ")
}

// IsExtensive reports whether quantities in unit add up over territories (a number of
// vehicles, hectares, TWh) rather than being averages or rates (L/100km, kg/hab, kg/MWh),
// which a breakdown must not split.
func IsExtensive(unit string) bool {
	if unit == "" {
		return false
	}
	for _, rate := range []string{"/hab", "/voiture", "/100km", "/MWh", "moyen"} {
		if strings.Contains(unit, rate) {
			return false
		}
	}
	return true
}
