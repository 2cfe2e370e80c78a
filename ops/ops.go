// Package ops holds the operations run on a database from the command line, beside the
// API: the check of the roll-up cells against the records and their repair (check.go,
// "server check [-repair]"), and the synthetic demo data ("server seed demo", seed.go).
//
// It reads through package service (the roll-ups as the API reads them from the cells,
// and as the records add them up) and reuses its shared pieces: the statements that add
// the cells up (service.LiveCells), their rebuild inside a transaction
// (service.RebuildRollupCellsIn, which the CRTE import also runs in its own) and the
// refresh of the planner's statistics (service.Analyze, which the imports also run).
// It owns no API: nothing of the GraphQL or HTTP edge calls it, and service never
// imports it.
package ops
