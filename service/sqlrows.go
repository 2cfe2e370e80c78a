package service

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect/sql"

	"github.com/cop-territoriales/cop-api/ent"
)

// selectFrom starts a hand-written SELECT on a table, in c's SQL dialect. The generated
// predicates of the table's package apply to it.
func selectFrom(c *ent.Client, table string) *sql.Selector {
	return sql.Dialect(c.Driver().Dialect()).Select().From(sql.Table(table))
}

// intColumn reads an integer column a query added to an entity's own (a page's total,
// the territory a row is linked to) through the entity's Value method: both databases'
// drivers give it as an int64.
func intColumn(value func(string) (ent.Value, error), col string) (int, error) {
	v, err := value(col)
	if err != nil {
		return 0, fmt.Errorf("column %s: %w", col, err)
	}
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("column %s: unexpected %T", col, v)
	}
	return int(n), nil
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
