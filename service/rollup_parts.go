package service

// RollupParts says which parts of a roll-up its caller reads; the others are left
// empty, and what only they need is not read from the database. The actions' figures
// are always read.
type RollupParts struct {
	// Objective is the objective and what follows from it: coverage and gap.
	Objective bool
	// Commitments are the committed amounts by status and the adopted ones (coverage
	// and gap follow from them too).
	Commitments bool
}

// AllRollupParts reads every part of a roll-up.
var AllRollupParts = RollupParts{Objective: true, Commitments: true}

// With is p with the parts of o too.
func (p RollupParts) With(o RollupParts) RollupParts {
	return RollupParts{Objective: p.Objective || o.Objective, Commitments: p.Commitments || o.Commitments}
}

// partsOf is the parts a caller asks, every part when it says nothing.
func partsOf(parts []RollupParts) RollupParts {
	if len(parts) == 0 {
		return AllRollupParts
	}
	return parts[0]
}

// skip narrows q to the parts read.
func (p RollupParts) skip(q RollupQuery) RollupQuery {
	q.SkipObjectives = !p.Objective
	q.SkipCommitments = !p.Commitments
	return q
}

// DashboardParts says which parts of a dashboard its caller reads.
type DashboardParts struct {
	// Observations are the levers' latest observations and diagnostics.
	Observations bool
}

// AllDashboardParts reads every part of a dashboard.
var AllDashboardParts = DashboardParts{Observations: true}

// CompareParts says which parts of a comparison its caller reads.
type CompareParts struct {
	// Goals are the metric, the objectives and the diagnostic.
	Goals bool
	// Observations are the latest observation and the diagnostic.
	Observations bool
	// Rollup is the roll-up, of which only these parts; nil when it is not read.
	Rollup *RollupParts
}

// AllCompareParts reads every part of a comparison.
var AllCompareParts = CompareParts{Goals: true, Observations: true, Rollup: &AllRollupParts}
