package service

import (
	"entgo.io/contrib/entgql"
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
