package planning

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strings"

	"github.com/cop-territoriales/cop-api/hierarchy"
)

// SGPEBaselineYear and SGPETargetYear frame every objective of the SGPE dashboard.
const (
	SGPEBaselineYear = 2019
	SGPETargetYear   = 2030
)

// ExampleRegion is the fictitious region of the SGPE file, skipped on import.
const ExampleRegion = "Région exemple"

// RecordError is an error about one record of an import file (1-based), and the line
// the record starts on when known.
type RecordError struct {
	Record int
	Line   int // 0 when unknown, or when Err names a position itself
	Err    error
}

func (e *RecordError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("record %d (line %d): %v", e.Record, e.Line, e.Err)
	}
	return fmt.Sprintf("record %d: %v", e.Record, e.Err)
}
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

// Metrics are the objectives an SGPE row gives its region, in the order they are stored:
// the emissions avoided in 2030 against 2019 (in ktCO2e, baseline 0), and the physical
// quantity from 2019 to 2030 when the lever has a unit (physicalUnit), each to Digits
// significant digits (RoundSig): the file's figures as it writes them.
func (o RegionObjective) Metrics(physicalUnit string) ([]Metric, []Figures) {
	ms := []Metric{GHGAvoided}
	fs := []Figures{{Unit: KtCO2e, BaselineYear: SGPEBaselineYear, TargetYear: SGPETargetYear,
		Target: RoundSig(o.KtCO2eAvoided)}}
	if o.HasPhysical {
		ms = append(ms, Physical)
		fs = append(fs, Figures{Unit: physicalUnit, BaselineYear: SGPEBaselineYear, TargetYear: SGPETargetYear,
			Baseline: RoundSig(o.PhysicalBaseline), Target: RoundSig(o.PhysicalTarget)})
	}
	return ms, fs
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

// SGPERegionCodes maps a region label of the SGPE file to its INSEE code, for ParseSGPE:
// the region's name, ignoring case and accents, or the abbreviation PACA.
func SGPERegionCodes(regions []hierarchy.Territory) func(label string) (string, bool) {
	byName := map[string]string{"paca": "93"}
	for _, r := range regions {
		byName[hierarchy.SearchKey(r.Name)[1:]] = r.Code
	}
	return func(label string) (string, bool) {
		code, ok := byName[hierarchy.SearchKey(label)[1:]]
		return code, ok
	}
}

// ParseSGPE reads the SGPE "simulateur territorial" file. regionCode maps a region label
// of the file ("Bretagne", "PACA") to its INSEE code. A file that is not a complete JSON
// array is refused with the line and column of the problem; every bad record is reported
// with its number and line; a file with any error yields nothing. Texts and quantities
// are bounded (see limits.go).
func ParseSGPE(r io.Reader, regionCode func(label string) (string, bool)) (*SGPEFile, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("SGPE file: read: %w", err)
	}
	records, err := jsonRecords(data)
	if err != nil {
		return nil, fmt.Errorf("SGPE file: %w", err)
	}
	out := &SGPEFile{}
	levers := map[string]int{} // code -> index in out.Levers
	var errs hierarchy.ErrorList
	for i, rec := range records {
		n := i + 1
		line, _ := position(data, rec.offset)
		bad := func(format string, args ...any) {
			errs.Add(&RecordError{Record: n, Line: line, Err: fmt.Errorf(format, args...)})
		}
		var row sgpeRow
		if err := json.Unmarshal(rec.raw, &row); err != nil {
			errs.Add(&RecordError{Record: n, Err: jsonError(data, rec.offset, err)})
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
		if err := checkSGPETexts(row); err != nil {
			bad("lever %s: %v", hierarchy.Excerpt(row.ID), err)
			continue
		}
		sector, ok := sgpeSectors[row.Sector]
		if !ok {
			bad("lever %s: unknown sector %s", row.ID, hierarchy.Excerpt(row.Sector))
		}
		theme, ok := themeByName(row.Group)
		if !ok {
			bad("lever %s: unknown theme %s", row.ID, hierarchy.Excerpt(row.Group))
		}
		code, ok := regionCode(row.RegionName)
		if !ok {
			bad("unknown region %s", hierarchy.Excerpt(row.RegionName))
		}
		unit := ""
		if row.UnitPhys != nil {
			unit = PhysicalUnit(*row.UnitPhys)
		}
		obj, start, target, err := sgpeQuantities(row, unit != "")
		if err != nil {
			bad("lever %s: %v", row.ID, err)
		}
		if row.RegionEnabled == nil {
			bad("lever %s: regionEnabled is missing", row.ID)
		}
		if errs.Len() > 0 {
			continue
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
			o.PhysicalTarget = target
		}
		out.Objectives = append(out.Objectives, o)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if len(out.Objectives) == 0 {
		return nil, errors.New("SGPE file: no objective for a real region")
	}
	return out, nil
}

// checkSGPETexts bounds the texts of a record that are stored: the lever's code, name,
// unit and comment.
func checkSGPETexts(row sgpeRow) error {
	unit := ""
	if row.UnitPhys != nil {
		unit = *row.UnitPhys
	}
	return errors.Join(CheckText("id", row.ID, MaxCodeLength),
		CheckText("leverName", row.LeverName, MaxLeverNameLength),
		CheckText("unitPhys", unit, MaxUnitLength),
		CheckText("comment", row.Comment, MaxLeverCommentLength))
}

// sgpeQuantities reads a record's emissions avoided (within MaxKtCO2e) and, when the
// lever has a physical unit, its 2019 quantity and 2030 target (startPoint2019 + objCO2
// × ratioCO2toPhys), within MaxPhysical: the product of two numbers from the file must
// stay a plausible quantity, not overflow.
func sgpeQuantities(row sgpeRow, physical bool) (obj, start, target float64, err error) {
	obj, err1 := number(row.ObjCO2, "objCO2")
	ratio, err2 := number(row.RatioCO2toPhys, "ratioCO2toPhys")
	start, err3 := number(row.StartPoint2019, "startPoint2019")
	if err := errors.Join(err1, err2, err3); err != nil {
		return 0, 0, 0, err
	}
	errs := []error{checkQuantity("objCO2", &obj, -MaxKtCO2e, MaxKtCO2e)}
	if physical {
		target = exactTarget(row, start+obj*ratio)
		errs = append(errs, checkQuantity("startPoint2019", &start, -MaxPhysical, MaxPhysical),
			checkQuantity("the 2030 target (startPoint2019 + objCO2 × ratioCO2toPhys)", &target, -MaxPhysical, MaxPhysical))
	}
	return obj, start, target, errors.Join(errs...)
}

// exactTarget is startPoint2019 + objCO2 × ratioCO2toPhys computed on the decimals the
// file writes, then to the nearest float64: the file's own figure, where the same sum of
// floats is off in the 16th digit (2389.9729786000003 for 2389.9729786). approx, the
// float sum, stands in for a number big.Rat does not read.
func exactTarget(row sgpeRow, approx float64) float64 {
	var start, obj, ratio big.Rat
	if _, ok := start.SetString(string(row.StartPoint2019)); !ok {
		return approx
	}
	if _, ok := obj.SetString(string(row.ObjCO2)); !ok {
		return approx
	}
	if _, ok := ratio.SetString(string(row.RatioCO2toPhys)); !ok {
		return approx
	}
	v, _ := new(big.Rat).Add(&start, obj.Mul(&obj, &ratio)).Float64()
	return v
}

// number reads a JSON number, refusing strings, nulls and non-finite values, and quoting
// at most an excerpt of what it refuses.
func number(raw json.RawMessage, field string) (float64, error) {
	if len(raw) == 0 {
		return 0, fmt.Errorf("%s is missing", field)
	}
	var f float64
	// Unmarshal leaves f at 0 for a null: refuse it before.
	if raw[0] != 'n' && json.Unmarshal(raw, &f) == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return f, nil
	}
	var s string
	switch raw[0] {
	case '"':
		_ = json.Unmarshal(raw, &s)
		return 0, fmt.Errorf("%s: %s is not a number", field, hierarchy.Excerpt(s))
	case 'n':
		return 0, fmt.Errorf("%s is null, not a number", field)
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return 0, fmt.Errorf("%s: %s is not a finite number", field, hierarchy.Excerpt(string(raw)))
	}
	return 0, fmt.Errorf("%s is not a number", field)
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
