package planning

import (
	"errors"
	"fmt"
	"math"
)

// Point is a value in a year.
type Point struct {
	Year  int
	Value float64
}

// Status places the latest observation against the straight trajectory from the
// baseline to the target.
type Status string

// Statuses.
const (
	Ahead   Status = "AHEAD"
	OnTrack Status = "ON_TRACK"
	Late    Status = "LATE"
	NoData  Status = "NO_DATA"
)

// Tolerance is the margin, as a share of the way from baseline to target, within which
// an observation is on track rather than ahead or late.
const Tolerance = 0.05

// ErrTargetBeforeBaseline refuses an objective whose target year is not after its
// baseline year.
var ErrTargetBeforeBaseline = errors.New("target year must be after the baseline year")

// Diagnostic is how far a territory has come towards an objective (COP step 1).
type Diagnostic struct {
	Baseline, Target Point
	Latest           *Point // latest observation from the baseline year on; nil when none
	// Travelled is the share of the way from baseline to target covered at the latest
	// observation (0 at the baseline, 1 at the target, above 1 past it; below 0 when going
	// backwards), whether the target is above the baseline or below it.
	Travelled *float64
	// Remaining is what is left to reach the target, in the objective's unit, counted in
	// the direction of the target: positive while the target is ahead (a reduction still
	// to make counts positive too), 0 once it is reached or passed.
	Remaining *float64
	// Expected is the share of the way the straight trajectory had covered by the latest
	// observation's year.
	Expected *float64
	Status   Status
}

// CheckYears validates the years of an objective.
func CheckYears(baselineYear, targetYear int) error {
	if targetYear <= baselineYear {
		return fmt.Errorf("%w: baseline %d, target %d", ErrTargetBeforeBaseline, baselineYear, targetYear)
	}
	return nil
}

// Diagnose computes the diagnostic of an objective from observations of its indicator.
func Diagnose(baseline, target Point, observations []Point) (Diagnostic, error) {
	d := Diagnostic{Baseline: baseline, Target: target, Status: NoData}
	if err := CheckYears(baseline.Year, target.Year); err != nil {
		return d, err
	}
	for _, o := range observations {
		if o.Year < baseline.Year {
			continue
		}
		if d.Latest == nil || o.Year > d.Latest.Year {
			p := o
			d.Latest = &p
		}
	}
	if d.Latest == nil {
		return d, nil
	}
	d.Remaining = remaining(baseline.Value, target.Value, d.Latest.Value)
	expected := math.Min(1, float64(d.Latest.Year-baseline.Year)/float64(target.Year-baseline.Year))
	d.Expected = &expected
	distance := target.Value - baseline.Value
	if distance == 0 {
		d.Status = OnTrack
		return d, nil
	}
	travelled := (d.Latest.Value - baseline.Value) / distance
	d.Travelled = &travelled
	switch {
	case travelled > expected+Tolerance:
		d.Status = Ahead
	case travelled >= expected-Tolerance:
		d.Status = OnTrack
	default:
		d.Status = Late
	}
	return d, nil
}

// remaining is what is left from latest to target in the direction from baseline to
// target, not below 0; without a direction (target equal to baseline), the distance.
func remaining(baseline, target, latest float64) *float64 {
	left := target - latest
	switch {
	case target < baseline:
		left = -left
	case target == baseline:
		left = math.Abs(left)
	}
	left = math.Max(0, left)
	return &left
}
