package planning

import (
	"math"
)

// The units of quantities that are not a lever's physical unit.
const (
	// KtCO2e is the unit of every emissions figure the API computes (objectives avoided,
	// commitments, roll-ups, roadmaps).
	KtCO2e = "ktCO2e"
	// Euro is the unit of budgets.
	Euro = "EUR"
	// Share is the "unit" of ratios: population shares, coverage, the share of the way
	// travelled, actions counted for their share inside a territory.
	Share = "share"
)

// decimals are the decimals kept per unit of what partners enter and of what is computed
// from it (commitments, actions, budgets, roll-ups of them, shares): emissions to a tenth
// of a tonne of CO2e whatever their unit (ktCO2e to 4 decimals), a physical unit to 3.
// Objectives and the figures derived from them keep significant digits instead
// (precision.go).
var decimals = map[string]int{
	"tCO2e":  1,
	KtCO2e:   4,
	"MtCO2e": 7,
	Euro:     2,
	Share:    6,
}

// DefaultDecimals are the decimals of a unit decimals does not list.
const DefaultDecimals = 3

// Decimals is the number of decimals the API gives quantities of a unit with: the one
// rounding of every figure, on both databases, in GraphQL and in exports.
func Decimals(unit string) int {
	if d, ok := decimals[unit]; ok {
		return d
	}
	return DefaultDecimals
}

var pow10 = [...]float64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

// ToUnits converts a value to whole units of the unit's precision (ten-thousandths of a
// ktCO2e, cents of a euro, millionths of a share), rounding half away from zero.
func ToUnits(v float64, unit string) int64 { return int64(math.Round(v * pow10[Decimals(unit)])) }

// FromUnits converts whole units of the unit's precision back to a value.
func FromUnits(n int64, unit string) float64 { return float64(n) / pow10[Decimals(unit)] }

// Round rounds a value to the decimals of its unit, so that sums computed in a different
// order (one database adds rows in another order than the other) give the same figure.
func Round(v float64, unit string) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) >= 1e15 {
		return v
	}
	r := FromUnits(ToUnits(v, unit), unit)
	if r == 0 {
		return 0 // no -0
	}
	return r
}

// RoundPtr rounds *v, keeping nil.
func RoundPtr(v *float64, unit string) *float64 {
	if v == nil {
		return nil
	}
	r := Round(*v, unit)
	return &r
}
