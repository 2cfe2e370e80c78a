package service

import (
	"context"

	"entgo.io/ent/dialect/sql"
)

// selectFrom starts a hand-written SELECT on a table, in the client's SQL dialect. The
// generated predicates of the table's package apply to it.
func (svc *Service) selectFrom(table string) *sql.Selector {
	t := sql.Table(table)
	return sql.Dialect(svc.client.Driver().Dialect()).Select().From(t)
}

// queryRows runs s and calls row on each row. It is for the aggregates whose rows are
// many or wide: ent's Scan fills a struct by reflection, several microseconds a row, where
// row scans its columns straight into their variables. The statement goes through the
// client's driver, counted and routed like ent's own.
func (svc *Service) queryRows(ctx context.Context, s *sql.Selector, row func(*sql.Rows) error) error {
	query, args := s.Query()
	var rows sql.Rows
	if err := svc.client.Driver().Query(ctx, query, args, &rows); err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(&rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
