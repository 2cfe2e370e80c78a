package service

import (
	"context"
	"fmt"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/store"
)

// Analyze refreshes the planner's statistics of tables after a bulk write, so that the
// queries that follow are planned on what the tables now hold: PostgreSQL's autovacuum
// would do it only later, SQLite never. "ANALYZE table" reads a sample of the table in
// PostgreSQL and its indexes in SQLite. The imports run it, and so do the operations
// (package ops) after theirs.
func Analyze(ctx context.Context, c *ent.Client, tables ...string) error {
	ctx = store.UsePrimary(ctx)
	for _, t := range tables {
		if _, err := c.ExecContext(ctx, "ANALYZE "+t); err != nil {
			return fmt.Errorf("analyze %s: %w", t, err)
		}
	}
	return nil
}

// analyze is Analyze over the service's database.
func (svc *Service) analyze(ctx context.Context, tables ...string) error {
	return Analyze(ctx, svc.client, tables...)
}
