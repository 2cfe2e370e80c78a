package service

import (
	"context"
	"fmt"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/membership"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/store"
)

// batch is the number of rows per INSERT: under the bind-parameter limits of SQLite
// (32,766) and PostgreSQL (65,535) for the widest table.
const batch = 2000

// EnsureHierarchy loads the hierarchy built from what source returns when the database
// has no territory yet, in one transaction; source is not called otherwise, so a start on
// a loaded database reads nothing more. It returns the number of territories loaded.
func (svc *Service) EnsureHierarchy(ctx context.Context, source func() (hierarchy.Source, error)) (int, error) {
	client := svc.client
	ctx = store.UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	n, err := client.Territory.Query().Limit(1).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count territories: %w", err)
	}
	if n > 0 {
		return 0, nil
	}
	src, err := source()
	if err != nil {
		return 0, err
	}
	g, err := hierarchy.Build(src)
	if err != nil {
		return 0, fmt.Errorf("build hierarchy: %w", err)
	}
	err = store.WithTx(ctx, client, func(tx *ent.Tx) error { return insertGraph(ctx, tx.Client(), g) })
	if err != nil {
		return 0, fmt.Errorf("load hierarchy: %w", err)
	}
	return len(g.Territories), svc.analyze(ctx, "territories", "memberships", "ancestries")
}

// insertGraph writes the territories of g that are not yet stored (updating the name and
// population of those that are), then all its memberships and ancestry rows.
func insertGraph(ctx context.Context, c *ent.Client, g *hierarchy.Graph) error {
	ids, err := territoryIDs(ctx, c)
	if err != nil {
		return err
	}
	var creates []*ent.TerritoryCreate
	for _, t := range g.Territories {
		if id, ok := ids[t.Key]; ok {
			if err := c.Territory.UpdateOneID(id).SetName(t.Name).SetPopulation(t.Population).
				SetSearchKey(hierarchy.SearchKey(t.Name)).Exec(ctx); err != nil {
				return fmt.Errorf("update %s: %w", t.Key, err)
			}
			continue
		}
		cr := c.Territory.Create().
			SetLevel(t.Level).SetCode(t.Code).SetName(t.Name).
			SetPopulation(t.Population).SetSearchKey(hierarchy.SearchKey(t.Name))
		if t.Nature != "" {
			cr.SetNature(territory.Nature(t.Nature))
		}
		if t.SIREN != "" {
			cr.SetSiren(t.SIREN)
		}
		if t.PostalCodes != nil {
			cr.SetPostalCodes(t.PostalCodes)
		}
		creates = append(creates, cr)
	}
	for i := 0; i < len(creates); i += batch {
		if err := c.Territory.CreateBulk(creates[i:min(i+batch, len(creates))]...).Exec(ctx); err != nil {
			return fmt.Errorf("insert territories: %w", err)
		}
	}
	if len(creates) > 0 {
		if ids, err = territoryIDs(ctx, c); err != nil {
			return err
		}
	}
	ms := make([][]any, len(g.Memberships))
	for i, l := range g.Memberships {
		ms[i] = []any{ids[l.Child], ids[l.Parent], l.Weight, l.Child.Level}
	}
	if err := insertRows(ctx, c, membership.Table, []string{membership.FieldChildID, membership.FieldParentID, membership.FieldWeight, membership.FieldChildLevel}, ms); err != nil {
		return err
	}
	as := make([][]any, len(g.Ancestry))
	for i, l := range g.Ancestry {
		as[i] = []any{ids[l.Child], ids[l.Parent], l.Weight, l.Depth(), l.Child.Level}
	}
	if err := insertRows(ctx, c, ancestry.Table, []string{ancestry.FieldTerritoryID, ancestry.FieldAncestorID, ancestry.FieldWeight, ancestry.FieldDepth, ancestry.FieldTerritoryLevel}, as); err != nil {
		return err
	}
	return nil
}

// territoryIDs maps every stored territory's key to its id, in one query.
func territoryIDs(ctx context.Context, c *ent.Client) (map[hierarchy.Key]int, error) {
	var rows []struct {
		ID    int    `json:"id"`
		Level string `json:"level"`
		Code  string `json:"code"`
	}
	err := c.Territory.Query().Select(territory.FieldID, territory.FieldLevel, territory.FieldCode).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("read territory ids: %w", err)
	}
	ids := make(map[hierarchy.Key]int, len(rows))
	for _, r := range rows {
		ids[hierarchy.Key{Level: hierarchy.Level(r.Level), Code: r.Code}] = r.ID
	}
	return ids, nil
}
