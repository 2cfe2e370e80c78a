package service

import (
	"context"

	"entgo.io/ent/dialect/sql"

	"github.com/cop-territoriales/cop-api/ent"
)

// selectFrom starts a hand-written SELECT on a table, in c's SQL dialect. The generated
// predicates of the table's package apply to it.
func selectFrom(c *ent.Client, table string) *sql.Selector {
	return sql.Dialect(c.Driver().Dialect()).Select().From(sql.Table(table))
}

// queryRows runs s through c and calls row on each row. It is for the aggregates whose
// rows are many or wide: ent's Scan fills a struct by reflection, value by value, where
// row scans its columns straight into their variables. The statement goes through c's
// driver, counted and routed like ent's own.
func queryRows(ctx context.Context, c *ent.Client, s *sql.Selector, row func(*sql.Rows) error) error {
	query, args := s.Query()
	var rows sql.Rows
	if err := c.Driver().Query(ctx, query, args, &rows); err != nil {
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
