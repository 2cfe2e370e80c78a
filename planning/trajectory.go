package planning

import (
	"fmt"
	"math"
)

// Line is the straight trajectory from a baseline to a target: the objective's path, as
// Diagnose measures observations against it.
type Line struct {
	Baseline, Target Point
}

// At is the line's value in a year: nil before the baseline year, the target's value
// from the target year on (the objective reached is kept, as Diagnose's expected share
// stops at 1), and in between the point on the straight line.
func (l Line) At(year int) *float64 {
	if year < l.Baseline.Year || l.Target.Year <= l.Baseline.Year {
		return nil
	}
	share := math.Min(1, float64(year-l.Baseline.Year)/float64(l.Target.Year-l.Baseline.Year))
	v := l.Baseline.Value + share*(l.Target.Value-l.Baseline.Value)
	return &v
}

// TrajectoryPoint is one year of a trajectory.
type TrajectoryPoint struct {
	Year int
	// Expected is the value on the straight line from baseline to target (Line.At);
	// nil without an objective or before its baseline year.
	Expected *float64
	// Observed is the year's observation; nil when there is none.
	Observed *float64
	// Adopted is what the commitments adopted for that year add up to; nil when
	// commitments are not measured in the trajectory's metric.
	Adopted *float64
}

// MaxTrajectoryYears bounds the years of a trajectory: every year observations may have.
const MaxTrajectoryYears = MaxObservationYear - MinObservationYear + 1

// Trajectory lays out the years from..to (both included, within the years observations
// may have): each year's value on line (when there is an objective), its observation
// (the first given for a year), and its adopted commitments (0 for a year without any;
// every year nil when adopted is nil).
func Trajectory(line *Line, observations []Point, adopted map[int]float64, from, to int) ([]TrajectoryPoint, error) {
	if from < MinObservationYear || to > MaxObservationYear || from > to {
		return nil, fmt.Errorf("years must go from %d to %d, with from <= to; got %d to %d", MinObservationYear, MaxObservationYear, from, to)
	}
	if line != nil {
		if err := CheckYears(line.Baseline.Year, line.Target.Year); err != nil {
			return nil, err
		}
	}
	observed := map[int]float64{}
	for _, o := range observations {
		if _, ok := observed[o.Year]; !ok {
			observed[o.Year] = o.Value
		}
	}
	out := make([]TrajectoryPoint, 0, to-from+1)
	for y := from; y <= to; y++ {
		p := TrajectoryPoint{Year: y}
		if line != nil {
			p.Expected = line.At(y)
		}
		if v, ok := observed[y]; ok {
			p.Observed = &v
		}
		if adopted != nil {
			v := adopted[y]
			p.Adopted = &v
		}
		out = append(out, p)
	}
	return out, nil
}

// InUnit converts a value from one unit to another: as it is in the same unit, by
// their factors between emissions units (GHGUnits); false when the units do not convert.
func InUnit(value float64, from, to string) (float64, bool) {
	if from == to {
		return value, true
	}
	f, ok1 := GHGUnits[from]
	t, ok2 := GHGUnits[to]
	if !ok1 || !ok2 {
		return 0, false
	}
	return value * f / t, true
}
