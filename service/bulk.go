package service

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/hierarchy"
)

// insertRows writes rows of numbers into table, columns cols, in multi-row INSERTs that
// read nothing back: the bulk loads (memberships, ancestries) need no ids, and ent's bulk
// creation would read every id back and build a record per row, half of a first start's
// time on SQLite. The values are written as SQL literals, exact (strconv's shortest
// round-trip form): only ints, floats and the territorial levels (checked against the
// known ones) are accepted, so nothing can be injected, and no placeholder syntax differs
// between the databases.
func insertRows(ctx context.Context, c *ent.Client, table string, cols []string, rows [][]any) error {
	var b strings.Builder
	for start := 0; start < len(rows); start += batch {
		chunk := rows[start:min(start+batch, len(rows))]
		b.Reset()
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		for i, r := range chunk {
			if len(r) != len(cols) {
				return fmt.Errorf("insert into %s: row %d has %d values for %d columns", table, start+i, len(r), len(cols))
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j, v := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				switch x := v.(type) {
				case int:
					b.WriteString(strconv.Itoa(x))
				case float64:
					if math.IsNaN(x) || math.IsInf(x, 0) {
						return fmt.Errorf("insert into %s: row %d: %v is not a finite number", table, start+i, x)
					}
					b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
				case hierarchy.Level:
					if !x.Valid() {
						return fmt.Errorf("insert into %s: row %d: unknown level %q", table, start+i, x)
					}
					b.WriteString("'" + string(x) + "'")
				default:
					return fmt.Errorf("insert into %s: row %d: %T is not a number or a level", table, start+i, v)
				}
			}
			b.WriteByte(')')
		}
		if _, err := c.ExecContext(ctx, b.String()); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}
