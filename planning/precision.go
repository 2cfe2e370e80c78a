package planning

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The precision of objectives and of every figure derived from them (parts, goals, sums).
//
// A fixed number of decimals per unit cannot serve both a region and a commune: three
// decimals of a TWh keep 0.93029 TWh as 0.93 and give a commune of 100 inhabitants 0 TWh
// of its region's 0.5 TWh. So an objective's figure keeps Digits significant digits, and
// a whole split into parts is split in quanta tied to its own magnitude (the last of its
// Digits significant digits): every part is a whole number of the whole's quanta, the
// parts and the unallocated part add up exactly to the whole, and a part keeps as many
// significant digits as its share of the whole allows (a millionth of the whole keeps 6).
// Sums of objectives (a territory's goals over levers, sectors, the country's regions)
// are made in whole nano-units of their unit (SumUnits), so that they do not depend on
// the order of their terms and both databases give the same digits. Every figure is a
// whole number of a power of ten's quanta with at most 15 significant digits, which a
// float64 holds exactly and writes without noise.
//
// Commitments, actions and budgets are not objectives: they keep the decimals of their
// unit (Decimals).

// Digits is the number of significant digits an objective's figure keeps: enough for the
// SGPE file's physical targets (startPoint2019 + objCO2 × ratioCO2toPhys, products of
// figures of four decimals) and for a commune's part of its region's objective.
const Digits = 12

// minQuantumExp is the finest quantum, 10^-20: exact powers of ten stop at 10^22, and
// finer figures are below any meaning (a commune's part of a TWh is above 10^-9).
const minQuantumExp = -20

// QuantumExp is the exponent of the quantum of a whole w: 10^QuantumExp(w) is the last of
// w's Digits significant digits (0.93029 → 10^-12, 1379.8038 → 10^-8). A whole of 0 has
// the finest quantum.
func QuantumExp(w float64) int {
	a := math.Abs(w)
	if a == 0 || math.IsNaN(a) || math.IsInf(a, 0) {
		return minQuantumExp
	}
	e := int(math.Floor(math.Log10(a)))
	// Log10 may be off by one next to a power of ten: 10^e ≤ a < 10^(e+1) exactly.
	for e > -300 && exp10(e) > a {
		e--
	}
	for exp10(e+1) <= a {
		e++
	}
	return max(e-(Digits-1), minQuantumExp)
}

// exp10 is 10^e, exact for 0 ≤ e ≤ 22 and the float nearest to it otherwise.
func exp10(e int) float64 { return math.Pow10(e) }

// toQuanta is v in whole quanta of 10^e, rounded half away from zero. Multiplying by an
// exact power of ten (or dividing by one) rounds once.
func toQuanta(v float64, e int) int64 {
	if e <= 0 {
		return int64(math.Round(v * exp10(-e)))
	}
	return int64(math.Round(v / exp10(e)))
}

// fromQuanta is n quanta of 10^e: the float nearest to the decimal n×10^e, which writes as
// that decimal when n has at most 15 digits.
func fromQuanta(n int64, e int) float64 {
	if n == 0 {
		return 0 // no -0
	}
	if e <= 0 {
		return float64(n) / exp10(-e)
	}
	return float64(n) * exp10(e)
}

// RoundSig rounds v to Digits significant digits: the figure of an objective, read from a
// file or computed (the SGPE's physical targets), as the API keeps and gives it.
func RoundSig(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) >= 1e15 {
		return v
	}
	e := QuantumExp(v)
	return fromQuanta(toQuanta(v, e), e)
}

// RoundSigPtr rounds *v to Digits significant digits, keeping nil.
func RoundSigPtr(v *float64) *float64 {
	if v == nil {
		return nil
	}
	r := RoundSig(*v)
	return &r
}

// Allocate divides total over weights in proportion, in quanta of total's magnitude
// (QuantumExp), by the largest remainder method: the parts add up exactly to total
// rounded to Digits significant digits, and each is within a quantum of its exact share.
func Allocate(total float64, weights []float64) ([]float64, error) {
	if !(math.Abs(total) <= MaxSplitTotal) { // also refuses NaN
		return nil, fmt.Errorf("total %g cannot be split: it must be finite and at most %g in absolute value", total, float64(MaxSplitTotal))
	}
	e := QuantumExp(total)
	parts, err := splitUnits(toQuanta(total, e), weights)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(parts))
	for i, p := range parts {
		out[i] = fromQuanta(p, e)
	}
	return out, nil
}

// SumDecimals are the decimals of the units sums of objectives are made in: nano-units
// (a gram of a ktCO2e, a kWh of a TWh), exact in an int64 up to 9×10^9 of the unit, and
// given back exactly (FromSumUnits) up to 10^6 of it, more than France's total in any
// unit of the SGPE file or the national strategy.
const SumDecimals = 9

// SumUnits is v in whole nano-units of its unit, rounded half away from zero: the terms of
// every sum of objectives, in Go and in SQL (ROUND(v × 10^9)).
func SumUnits(v float64) int64 { return toQuanta(v, -SumDecimals) }

// SplitSum splits a figure in nano-units over weights, by the largest remainder: the rows
// of a roll-up grouped by child add up exactly to their parent's objective, which is a
// sum in nano-units.
func SplitSum(units int64, weights []float64) ([]int64, error) { return splitUnits(units, weights) }

// FromSumUnits is a sum of nano-units as a figure: exact below 10^6 of the unit, to 15
// significant digits above (a float64 holds no more).
func FromSumUnits(n int64) float64 {
	if n >= 1e15 || n <= -1e15 {
		v := fromQuanta(n, -SumDecimals)
		e := QuantumExp(v) + Digits - 15
		return fromQuanta(toQuanta(v, e), e)
	}
	return fromQuanta(n, -SumDecimals)
}

// InQuanta is v in whole quanta of the magnitude of whole: the parts Allocate gives add up
// to the whole exactly in these.
func InQuanta(v, whole float64) int64 { return toQuanta(v, QuantumExp(whole)) }

// SignificantDigits counts the significant digits a figure writes with (1.25 → 3, 0.0008 → 1):
// at most Digits for an objective's figure, at most 15 for any figure the API gives.
func SignificantDigits(v float64) int {
	s := strconv.FormatFloat(math.Abs(v), 'e', -1, 64)
	m, _, _ := strings.Cut(s, "e")
	return len(strings.Replace(m, ".", "", 1))
}
