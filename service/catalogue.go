package service

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/cop-territoriales/cop-api/data"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/lever"
	"github.com/cop-territoriales/cop-api/ent/sector"
	"github.com/cop-territoriales/cop-api/ent/theme"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

// EnsureCatalogue writes the SGPE themes and the sectors when they are missing, and
// renames those whose name changed. Levers come with the SGPE file (ImportSGPE).
func (svc *Service) EnsureCatalogue(ctx context.Context) error {
	client := svc.client
	ctx = store.UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	return store.WithTx(ctx, client, func(tx *ent.Tx) error {
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

// Themes lists the SGPE themes.
func (svc *Service) Themes(ctx context.Context) ([]*ent.Theme, error) {
	return svc.client.Theme.Query().Order(ent.Asc(theme.FieldID)).All(ctx)
}

// Sectors lists the sectors and their subdivisions in the catalogue's order
// (planning.SectorRank: each national sector followed by its subdivisions), sectors
// unknown to the catalogue last, by id.
func (svc *Service) Sectors(ctx context.Context) ([]*ent.Sector, error) {
	sectors, err := svc.client.Sector.Query().Order(ent.Asc(sector.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(sectors, func(a, b *ent.Sector) int {
		return cmp.Compare(planning.SectorRank(a.Code), planning.SectorRank(b.Code))
	})
	return sectors, nil
}

// Sector returns a sector by code, nil when unknown.
func (svc *Service) Sector(ctx context.Context, code string) (*ent.Sector, error) {
	return nilIfNotFound(svc.client.Sector.Query().Where(sector.Code(code)).Only(ctx))
}

// Lever returns a lever by code, nil when unknown.
func (svc *Service) Lever(ctx context.Context, code string) (*ent.Lever, error) {
	return nilIfNotFound(svc.client.Lever.Query().Where(lever.Code(code)).Only(ctx))
}

// Levers pages the levers.
func (svc *Service) Levers(ctx context.Context, p Page, orderBy *ent.LeverOrder, where *ent.LeverWhereInput) (*ent.LeverConnection, error) {
	q := svc.client.Lever.Query()
	if p.Counted {
		q.Modify(countRows)
	}
	conn, err := q.Paginate(ctx, p.After, p.First, p.Before, p.Last, ent.WithLeverOrder(orderBy), ent.WithLeverFilter(where.Filter))
	if err != nil {
		return nil, err
	}
	return conn, counted(p, &conn.TotalCount, conn.Edges, func(e *ent.LeverEdge) func(string) (ent.Value, error) { return e.Node.Value })
}

// indicator is a lever or a sector given by code, resolved.
type indicator struct {
	lever   *ent.Lever
	sector  *ent.Sector
	sectors []int // the sector and its subdivisions
}

// resolveIndicator looks up a lever or a sector code: exactly one is expected when
// required is true, at most one otherwise. An unknown code is NOT_FOUND.
func (svc *Service) resolveIndicator(ctx context.Context, leverCode, sectorCode *string, required bool) (indicator, error) {
	var ind indicator
	switch {
	case leverCode != nil && sectorCode != nil:
		return ind, badInput("give a lever or a sector, not both")
	case leverCode == nil && sectorCode == nil:
		if required {
			return ind, badInput("give a lever or a sector")
		}
		return ind, nil
	case leverCode != nil:
		l, err := svc.client.Lever.Query().Where(lever.Code(*leverCode)).WithSector().Only(ctx)
		if ent.IsNotFound(err) {
			return ind, notFound("unknown lever %q", *leverCode)
		}
		ind.lever = l
		return ind, err
	}
	s, err := svc.client.Sector.Query().Where(sector.Code(*sectorCode)).WithSubsectors().Only(ctx)
	if ent.IsNotFound(err) {
		return ind, notFound("unknown sector %q", *sectorCode)
	}
	if err != nil {
		return ind, err
	}
	ind.sector = s
	ind.sectors = []int{s.ID}
	for _, sub := range s.Edges.Subsectors {
		ind.sectors = append(ind.sectors, sub.ID)
	}
	return ind, nil
}

// ids returns the lever and sector ids a record of the indicator carries: a lever sets
// its sector.
func (ind indicator) ids() (lever, sector *int) {
	switch {
	case ind.lever != nil:
		return &ind.lever.ID, &ind.lever.Edges.Sector.ID
	case ind.sector != nil:
		return nil, &ind.sector.ID
	}
	return nil, nil
}

// leverUnit is the physical unit of the indicator's lever, nil without a lever or unit.
func (ind indicator) leverUnit() (hasLever bool, unit *string) {
	if ind.lever == nil {
		return false, nil
	}
	return true, ind.lever.PhysicalUnit
}

func (ind indicator) code() string {
	if ind.lever != nil {
		return "lever " + ind.lever.Code
	}
	return "sector " + ind.sector.Code
}

// Sources lists the datasets the API ships, with their publishers and licences.
func (svc *Service) Sources() []*Source {
	out := make([]*Source, len(data.Sources))
	for i := range data.Sources {
		out[i] = &data.Sources[i]
	}
	return out
}
