package store

import (
	"context"
	"fmt"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/sector"
	"github.com/cop-territoriales/cop-api/ent/theme"
	"github.com/cop-territoriales/cop-api/planning"
)

// EnsureCatalogue writes the SGPE themes and the sectors when they are missing, and
// renames those whose name changed. Levers come with the SGPE file (ImportSGPE).
func EnsureCatalogue(ctx context.Context, client *ent.Client) error {
	ctx = UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	return withTx(ctx, client, func(tx *ent.Tx) error {
		c := tx.Client()
		themes, err := c.Theme.Query().All(ctx)
		if err != nil {
			return fmt.Errorf("read themes: %w", err)
		}
		haveTheme := map[string]*ent.Theme{}
		for _, t := range themes {
			haveTheme[t.Code] = t
		}
		for _, t := range planning.Themes {
			if cur, ok := haveTheme[t.Code]; !ok {
				err = c.Theme.Create().SetCode(t.Code).SetName(t.Name).Exec(ctx)
			} else if cur.Name != t.Name {
				err = c.Theme.Update().Where(theme.Code(t.Code)).SetName(t.Name).Exec(ctx)
			}
			if err != nil {
				return fmt.Errorf("write theme %s: %w", t.Code, err)
			}
		}
		sectors, err := c.Sector.Query().WithParent().All(ctx)
		if err != nil {
			return fmt.Errorf("read sectors: %w", err)
		}
		ids := map[string]int{}
		current := map[string]*ent.Sector{}
		for _, s := range sectors {
			ids[s.Code] = s.ID
			current[s.Code] = s
		}
		// National sectors come first in the catalogue, so parents exist before children.
		for _, s := range planning.Sectors {
			cur, ok := current[s.Code]
			parentOK := s.Parent == "" && (!ok || cur.Edges.Parent == nil) ||
				ok && cur.Edges.Parent != nil && cur.Edges.Parent.Code == s.Parent
			if ok && cur.Name == s.Name && parentOK {
				continue
			}
			var m interface {
				Exec(context.Context) error
			}
			if !ok {
				cr := c.Sector.Create().SetCode(s.Code).SetName(s.Name)
				if s.Parent != "" {
					cr.SetParentID(ids[s.Parent])
				}
				sv, err := cr.Save(ctx)
				if err != nil {
					return fmt.Errorf("create sector %s: %w", s.Code, err)
				}
				ids[s.Code] = sv.ID
				continue
			}
			up := c.Sector.Update().Where(sector.Code(s.Code)).SetName(s.Name)
			if s.Parent != "" {
				up.SetParentID(ids[s.Parent])
			} else {
				up.ClearParent()
			}
			m = up
			if err := m.Exec(ctx); err != nil {
				return fmt.Errorf("update sector %s: %w", s.Code, err)
			}
		}
		return nil
	})
}
