package service

import (
	"errors"
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"

	"github.com/cop-territoriales/cop-api/ent"
)

// Page sizes of every connection: a page is never unbounded.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// Page is the pagination arguments of a connection, checked.
type Page struct {
	After, Before *entgql.Cursor[int]
	First, Last   *int
	// Counted asks for the connection's total count in the page's own statement (a
	// subquery counting the rows its conditions select) instead of a COUNT of its own:
	// the connection then carries it in TotalCount. For pages without a cursor only.
	Counted bool
}

// totalRows is the column countRows adds to a page's rows.
const totalRows = "total_rows"

// countRows adds to a page's statement the count of every row its conditions select, in
// column totalRows of each row. A subquery, computed once, rather than COUNT(*) OVER ():
// the window made PostgreSQL read every territory in population order for the 100
// largest EPCI (30 ms) where the page alone stops after the 100th.
func countRows(s *sql.Selector) {
	count := sql.Select("COUNT(*)").From(sql.Table(s.TableName()))
	if p := s.P(); p != nil {
		count.Where(p)
	}
	s.AppendSelectExprAs(count, totalRows)
}

// counted puts the total count countRows added to a page's rows in total, when p asked
// for it: value gives the Value method of an edge's node (GetValue when the node has a
// field named Value). An empty page's total is 0.
func counted[E any](p Page, total *int, edges []E, value func(E) func(string) (ent.Value, error)) error {
	if !p.Counted {
		return nil
	}
	if p.After != nil || p.Before != nil {
		return errors.New("a page with a cursor cannot count every row")
	}
	if len(edges) == 0 {
		*total = 0
		return nil
	}
	n, err := intColumn(value(edges[0]), totalRows)
	if err != nil {
		return fmt.Errorf("page total: %w", err)
	}
	*total = n
	return nil
}

// NewPage refuses negative or too large page sizes, or both first and last, and defaults to the first
// DefaultPageSize elements when neither first nor last is given.
func NewPage(after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int) (Page, error) {
	for _, a := range []struct {
		name string
		v    *int
	}{{"first", first}, {"last", last}} {
		if a.v != nil && (*a.v < 0 || *a.v > MaxPageSize) {
			return Page{}, badInput("%s must be between 0 and %d, got %d", a.name, MaxPageSize, *a.v)
		}
	}
	if first != nil && last != nil {
		return Page{}, badInput("give first or last, not both")
	}
	if first == nil && last == nil {
		n := DefaultPageSize
		first = &n
	}
	return Page{After: after, Before: before, First: first, Last: last}, nil
}

// batchable reports whether a page can be cut from a group load: a first page, without
// cursors, and with first or last but not both.
func (p Page) batchable() bool {
	return p.After == nil && p.Before == nil && (p.First == nil) != (p.Last == nil)
}
