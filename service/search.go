package service

import (
	"context"
	"fmt"
	"strings"

	"entgo.io/ent/dialect/sql"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/predicate"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
)

// Search finds up to limit territories of the given levels (all when empty) whose name
// holds every word of text as a word or a word prefix, in any order, ignoring case and
// accents, or whose code is text. Results come ranked: code or exact name first, then
// names made of the query's words in another order, then names that start with the text,
// then by population. It runs one statement.
func (svc *Service) Search(ctx context.Context, text string, levels []hierarchy.Level, limit int) ([]*ent.Territory, error) {
	c := svc.client
	words := hierarchy.SearchWords(text)
	code := strings.TrimSpace(text)
	if len(words) == 0 || limit == 0 {
		return []*ent.Territory{}, nil
	}
	var match []predicate.Territory
	for _, w := range words {
		// Search keys start with a space, so " w" matches w at the start of any word.
		match = append(match, territory.SearchKeyContains(" "+w))
	}
	q := c.Territory.Query().Where(territory.Or(territory.And(match...), territory.CodeEQ(code)))
	if len(levels) > 0 {
		q.Where(territory.LevelIn(levels...))
	}
	key := " " + strings.Join(words, " ")
	ts, err := q.Order(func(s *sql.Selector) {
		sk := s.C(territory.FieldSearchKey)
		s.OrderExpr(sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("CASE WHEN ").WriteString(s.C(territory.FieldCode)).WriteString(" = ").Arg(code).
				WriteString(" OR ").WriteString(sk).WriteString(" = ").Arg(key).
				// Every word matched already: as many words in the name as in the query
				// means the same words, maybe in another order or abbreviated.
				WriteString(fmt.Sprintf(" THEN 0 WHEN LENGTH(%s) - LENGTH(REPLACE(%s, ' ', '')) = ", sk, sk)).Arg(len(words)).
				WriteString(" THEN 1 WHEN ").WriteString(sk).WriteString(" LIKE ").Arg(key + "%").
				WriteString(" THEN 2 ELSE 3 END")
		}))
		s.OrderBy(sql.Desc(s.C(territory.FieldPopulation)), s.C(territory.FieldCode))
	}).Limit(limit).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", text, err)
	}
	return ts, nil
}
