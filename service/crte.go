package service

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/membership"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/store"
)

// CRTESummary tells what an import of CRTE perimeters did.
type CRTESummary struct {
	CRTEs, Members int
}

// ImportCRTE stores the CRTE perimeters read from an ANCT file. A CRTE already stored has
// its members replaced, so importing the same file twice changes nothing. The file is
// checked whole first: any unknown region, department or SIREN, or a grouping put in two
// CRTE, refuses it with the line numbers, and nothing is written. Derived objectives and
// roll-up cells are recomputed, so that they follow the new perimeters.
func (svc *Service) ImportCRTE(ctx context.Context, rows []hierarchy.CRTERow) (CRTESummary, error) {
	client := svc.client
	ctx = store.UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	var sum CRTESummary
	err := store.WithTx(ctx, client, func(tx *ent.Tx) error {
		c := tx.Client()
		src, err := sourceFromDB(ctx, c)
		if err != nil {
			return err
		}
		perims, err := mergeCRTE(src, rows)
		if err != nil {
			return err
		}
		src.CRTEs = perims
		g, err := hierarchy.Build(src)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidInput, err)
		}
		if err := replaceCRTE(ctx, c, g); err != nil {
			return err
		}
		// CRTE perimeters are one of the levels regions' objectives are broken down to,
		// and one of the territories actions and commitments add up into.
		if _, err := recomputeBreakdowns(ctx, c); err != nil {
			return err
		}
		if err := RebuildRollupCellsIn(ctx, c); err != nil {
			return err
		}
		sum.CRTEs = len(uniqueIDs(rows))
		sum.Members = len(rows)
		return nil
	})
	if err != nil {
		return CRTESummary{}, fmt.Errorf("import CRTE: %w", err)
	}
	return sum, svc.analyze(ctx, "territories", "memberships", "ancestries", "objectives", "rollup_cells", "goal_cells")
}

func uniqueIDs(rows []hierarchy.CRTERow) map[string]bool {
	ids := map[string]bool{}
	for _, r := range rows {
		ids[r.ID] = true
	}
	return ids
}

// mergeCRTE checks the file's rows against the stored hierarchy and returns the CRTE
// perimeters after the import: the stored ones, with those of the file replaced.
func mergeCRTE(src hierarchy.Source, rows []hierarchy.CRTERow) ([]hierarchy.CRTEPerimeter, error) {
	regions := map[string]bool{}
	for _, r := range src.Regions {
		regions[r.Code] = true
	}
	deps := map[string]bool{}
	for _, d := range src.Departments {
		deps[d.Code] = true
	}
	bySIREN := map[string]hierarchy.Key{}
	for _, e := range src.EPCIs {
		bySIREN[e.Code] = e.Key
	}
	for _, c := range src.Communes {
		if c.SIREN != "" {
			bySIREN[c.SIREN] = hierarchy.Key{Level: hierarchy.Commune, Code: c.Code}
		}
	}
	inFile := uniqueIDs(rows)
	owner := map[hierarchy.Key]string{} // member -> CRTE, for CRTE the file does not replace
	var kept []hierarchy.CRTEPerimeter
	for _, p := range src.CRTEs {
		if inFile[p.Code] {
			continue
		}
		kept = append(kept, p)
		for _, m := range p.Members {
			owner[m] = p.Code
		}
	}

	var errs []error
	bad := func(line int, format string, args ...any) {
		errs = append(errs, &hierarchy.LineError{Line: line, Err: fmt.Errorf(format, args...)})
	}
	byID := map[string]*hierarchy.CRTEPerimeter{}
	var order []string
	fileOwner := map[hierarchy.Key]string{}
	for _, r := range rows {
		if !regions[r.Region] {
			bad(r.Line, "unknown region %q (insee_reg)", r.Region)
		}
		if !deps[r.Department] {
			bad(r.Line, "unknown department %q (dep_chef_file)", r.Department)
		}
		m, ok := bySIREN[r.SIREN]
		if !ok {
			bad(r.Line, "unknown SIREN %s (siren_groupement %q): neither a current EPCI nor a commune", r.SIREN, r.MemberName)
			continue
		}
		if other, ok := owner[m]; ok {
			bad(r.Line, "%s is already in CRTE %s", m, other)
			continue
		}
		if other, ok := fileOwner[m]; ok && other != r.ID {
			bad(r.Line, "%s is listed in CRTE %s and %s", m, other, r.ID)
			continue
		}
		fileOwner[m] = r.ID
		p := byID[r.ID]
		if p == nil {
			p = &hierarchy.CRTEPerimeter{Code: r.ID, Name: r.Name}
			byID[r.ID] = p
			order = append(order, r.ID)
		} else if p.Name != r.Name {
			bad(r.Line, "CRTE %s is named %q here and %q above", r.ID, r.Name, p.Name)
		}
		p.Members = append(p.Members, m)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, errors.Join(errs...))
	}
	for _, id := range order {
		kept = append(kept, *byID[id])
	}
	return kept, nil
}

// replaceCRTE rewrites every row that involves a CRTE from g: memberships and ancestry
// of CRTE perimeters and of the groupings in them. Other rows do not depend on CRTE.
func replaceCRTE(ctx context.Context, c *ent.Client, g *hierarchy.Graph) error {
	isCRTE := territory.LevelEQ(hierarchy.CRTE)
	if _, err := c.Membership.Delete().Where(membership.Or(
		membership.HasChildWith(isCRTE), membership.HasParentWith(isCRTE))).Exec(ctx); err != nil {
		return fmt.Errorf("delete CRTE memberships: %w", err)
	}
	if _, err := c.Ancestry.Delete().Where(ancestry.Or(
		ancestry.HasTerritoryWith(isCRTE), ancestry.HasAncestorWith(isCRTE))).Exec(ctx); err != nil {
		return fmt.Errorf("delete CRTE ancestry: %w", err)
	}
	involves := func(l hierarchy.Link) bool {
		return l.Child.Level == hierarchy.CRTE || l.Parent.Level == hierarchy.CRTE
	}
	sub := &hierarchy.Graph{}
	for _, t := range g.Territories {
		if t.Level == hierarchy.CRTE {
			sub.Territories = append(sub.Territories, t)
		}
	}
	for _, l := range g.Memberships {
		if involves(l) {
			sub.Memberships = append(sub.Memberships, l)
		}
	}
	for _, l := range g.Ancestry {
		if involves(l) {
			sub.Ancestry = append(sub.Ancestry, l)
		}
	}
	return insertGraph(ctx, c, sub)
}

// sourceFromDB reads back the stored hierarchy as a Source: what Build needs to recompute
// populations and weights (two queries).
func sourceFromDB(ctx context.Context, c *ent.Client) (hierarchy.Source, error) {
	var src hierarchy.Source
	ts, err := c.Territory.Query().
		Select(territory.FieldID, territory.FieldLevel, territory.FieldCode, territory.FieldName,
			territory.FieldPopulation, territory.FieldSiren, territory.FieldNature).
		All(ctx)
	if err != nil {
		return src, fmt.Errorf("read territories: %w", err)
	}
	var links []struct {
		ChildID  int `json:"child_id"`
		ParentID int `json:"parent_id"`
	}
	if err := c.Membership.Query().Select(membership.FieldChildID, membership.FieldParentID).Scan(ctx, &links); err != nil {
		return src, fmt.Errorf("read memberships: %w", err)
	}
	byID := make(map[int]*ent.Territory, len(ts))
	for _, t := range ts {
		byID[t.ID] = t
	}
	parentsOf := map[int][]*ent.Territory{}
	for _, l := range links {
		parentsOf[l.ChildID] = append(parentsOf[l.ChildID], byID[l.ParentID])
	}
	parentAt := func(id int, lv hierarchy.Level) string {
		for _, p := range parentsOf[id] {
			if p.Level == lv {
				return p.Code
			}
		}
		return ""
	}
	crte := map[int]*hierarchy.CRTEPerimeter{}
	for _, t := range ts {
		key := hierarchy.Key{Level: t.Level, Code: t.Code}
		switch t.Level {
		case hierarchy.Region:
			src.Regions = append(src.Regions, hierarchy.Territory{Key: key, Name: t.Name})
		case hierarchy.Department:
			src.Departments = append(src.Departments, hierarchy.DepartmentRecord{Code: t.Code, Name: t.Name, Region: parentAt(t.ID, hierarchy.Region)})
		case hierarchy.EPCI:
			e := hierarchy.Territory{Key: key, Name: t.Name, SIREN: t.Code}
			if t.Nature != nil {
				e.Nature = string(*t.Nature)
			}
			src.EPCIs = append(src.EPCIs, e)
		case hierarchy.Commune:
			cm := hierarchy.CommuneRecord{Code: t.Code, Name: t.Name, Population: t.Population,
				Department: parentAt(t.ID, hierarchy.Department), EPCI: parentAt(t.ID, hierarchy.EPCI)}
			if t.Siren != nil {
				cm.SIREN = *t.Siren
			}
			src.Communes = append(src.Communes, cm)
		case hierarchy.CRTE:
			crte[t.ID] = &hierarchy.CRTEPerimeter{Code: t.Code, Name: t.Name}
		}
	}
	// Direct members of each CRTE: the EPCI and communes whose parent it is.
	for _, l := range links {
		p, ok := crte[l.ParentID]
		if !ok {
			continue
		}
		ch := byID[l.ChildID]
		// Communes have a CRTE membership only when they are direct members.
		if ch.Level == hierarchy.EPCI || ch.Level == hierarchy.Commune {
			p.Members = append(p.Members, hierarchy.Key{Level: ch.Level, Code: ch.Code})
		}
	}
	for _, p := range crte {
		src.CRTEs = append(src.CRTEs, *p)
	}
	sort.Slice(src.CRTEs, func(i, j int) bool { return src.CRTEs[i].Code < src.CRTEs[j].Code })
	return src, nil
}
