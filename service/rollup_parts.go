package service

// RollupParts says which parts of a roll-up its caller reads; the others are left
// empty, and what only they need is not read from the database.
type RollupParts struct {
	// Objective is the objective and what follows from it: coverage and gap.
	Objective bool
}

// AllRollupParts reads every part of a roll-up.
var AllRollupParts = RollupParts{Objective: true}
