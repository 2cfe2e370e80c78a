package service

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/cop"
	"github.com/cop-territoriales/cop-api/ent/copparticipant"
	"github.com/cop-territoriales/cop-api/ent/copstep"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

// createCop creates a region's COP for an edition with its four steps planned.
func (svc *Service) createCop(ctx context.Context, w Write, region string, edition int, title string) (*ent.Cop, error) {
	client := svc.client
	ctx = store.UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	var out *ent.Cop
	err := store.WithTx(ctx, client, func(tx *ent.Tx) error {
		c := tx.Client()
		rid, err := c.Territory.Query().Where(territory.LevelEQ(hierarchy.Region), territory.Code(region)).OnlyID(ctx)
		if ent.IsNotFound(err) {
			return badInput("unknown region %q", region)
		}
		if err != nil {
			return err
		}
		if ok, err := c.Cop.Query().Where(cop.RegionID(rid), cop.Edition(edition)).Exist(ctx); err != nil {
			return err
		} else if ok {
			return conflict("COP %d of region %s exists already", edition, region)
		}
		if title == "" {
			title = fmt.Sprintf("COP %d", edition)
		}
		out, err = c.Cop.Create().SetRegionID(rid).SetEdition(edition).SetTitle(title).Save(ctx)
		if err != nil {
			return err
		}
		steps := make([]*ent.CopStepCreate, len(planning.Steps))
		for i, s := range planning.Steps {
			steps[i] = c.CopStep.Create().SetCopID(out.ID).SetKind(s)
		}
		if err := c.CopStep.CreateBulk(steps...).Exec(ctx); err != nil {
			return err
		}
		return record(ctx, c, w, "Cop", out.ID, nil, out)
	})
	if err != nil {
		return nil, fmt.Errorf("create COP: %w", err)
	}
	return out.Unwrap(), nil
}

// updateCopStep sets a step's status and dates; nil leaves a value unchanged.
func (svc *Service) updateCopStep(ctx context.Context, w Write, copID int, step planning.StepKind, status *copstep.Status, startsOn, endsOn *time.Time) (*ent.CopStep, error) {
	client := svc.client
	ctx = store.UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	var out *ent.CopStep
	err := store.WithTx(ctx, client, func(tx *ent.Tx) error {
		c := tx.Client()
		s, err := c.CopStep.Query().Where(copstep.CopID(copID), copstep.KindEQ(step)).Only(ctx)
		if err != nil {
			return fmt.Errorf("find step %s: %w", step, err)
		}
		start, end := s.StartsOn, s.EndsOn
		if startsOn != nil {
			start = startsOn
		}
		if endsOn != nil {
			end = endsOn
		}
		if start != nil && end != nil && end.Before(*start) {
			return badInput("step %s ends (%s) before it starts (%s)", step,
				end.Format(time.DateOnly), start.Format(time.DateOnly))
		}
		up := c.CopStep.UpdateOne(s).SetNillableStartsOn(startsOn).SetNillableEndsOn(endsOn)
		if status != nil {
			up.SetStatus(*status)
		}
		if out, err = up.Save(ctx); err != nil {
			return err
		}
		return record(ctx, c, w, "CopStep", out.ID, s, out)
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// CreateCop creates a region's COP for an edition, by the region's coordinator.
func (svc *Service) CreateCop(ctx context.Context, region string, edition int, title *string) (*ent.Cop, error) {
	ctx = store.UsePrimary(ctx)
	if _, err := requireKey(ctx); err != nil {
		return nil, err
	}
	if err := checkEdition("edition", &edition); err != nil {
		return nil, err
	}
	if err := planning.CheckCopTitle(deref(title)); err != nil {
		return nil, badInput("%v", err)
	}
	rid, err := svc.TerritoryID(ctx, TerritoryKey{Level: hierarchy.Region, Code: region})
	if err != nil {
		return nil, asBadInput(err)
	}
	p, err := svc.requireCoordinator(ctx, rid)
	if err != nil {
		return nil, err
	}
	w := Write{Principal: p, Operation: "createCop",
		Request: map[string]any{"region": region, "edition": edition, "title": title}}
	return svc.createCop(ctx, w, region, edition, deref(title))
}

// UpdateCopStep sets a step's status and dates, by the region's coordinator.
func (svc *Service) UpdateCopStep(ctx context.Context, region string, edition int, step planning.StepKind, status *copstep.Status, startsOn, endsOn *time.Time) (*ent.CopStep, error) {
	c, p, err := svc.coordinatedCop(ctx, region, edition)
	if err != nil {
		return nil, err
	}
	w := Write{Principal: p, Operation: "updateCopStep", Request: map[string]any{"region": region, "edition": edition,
		"step": step, "status": status, "startsOn": startsOn, "endsOn": endsOn}}
	return svc.updateCopStep(ctx, w, c.ID, step, status, startsOn, endsOn)
}

// AddCopParticipant adds an organisation to a COP, by the region's coordinator.
func (svc *Service) AddCopParticipant(ctx context.Context, region string, edition int, organisation string, kind copparticipant.Kind, t *TerritoryKey) (*ent.CopParticipant, error) {
	c, p, err := svc.coordinatedCop(ctx, region, edition)
	if err != nil {
		return nil, err
	}
	if err := planning.CheckParticipant(organisation); err != nil {
		return nil, badInput("%v", err)
	}
	var tid *int
	if t != nil {
		id, err := svc.TerritoryID(ctx, *t)
		if err != nil {
			return nil, asBadInput(err)
		}
		tid = &id
	}
	w := Write{Principal: p, Operation: "addCopParticipant", Request: map[string]any{"region": region, "edition": edition,
		"organisation": organisation, "kind": kind, "territory": t}}
	var out *ent.CopParticipant
	err = store.WithTx(ctx, svc.client, func(tx *ent.Tx) error {
		c := tx.Client().CopParticipant.Create().SetCopID(c.ID).SetOrganisation(organisation).SetKind(kind).SetNillableTerritoryID(tid)
		if out, err = c.Save(ctx); err != nil {
			return err
		}
		return record(ctx, tx.Client(), w, "CopParticipant", out.ID, nil, out)
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// AddCopDocument links a document to a COP, by the region's coordinator.
func (svc *Service) AddCopDocument(ctx context.Context, region string, edition int, title, url string, step *planning.StepKind) (*ent.CopDocument, error) {
	c, p, err := svc.coordinatedCop(ctx, region, edition)
	if err != nil {
		return nil, err
	}
	if err := planning.CheckDocument(title, url); err != nil {
		return nil, badInput("%v", err)
	}
	w := Write{Principal: p, Operation: "addCopDocument", Request: map[string]any{"region": region, "edition": edition,
		"title": title, "url": url, "step": step}}
	var out *ent.CopDocument
	err = store.WithTx(ctx, svc.client, func(tx *ent.Tx) error {
		if out, err = tx.Client().CopDocument.Create().SetCopID(c.ID).SetTitle(title).SetURL(url).SetNillableStep(step).Save(ctx); err != nil {
			return err
		}
		return record(ctx, tx.Client(), w, "CopDocument", out.ID, nil, out)
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// coordinatedCop finds a region's COP for an edition, for a write by that region's
// coordinator, returned with it: the key is checked first, then the COP, then the
// coordinator's right.
func (svc *Service) coordinatedCop(ctx context.Context, region string, edition int) (*ent.Cop, *access.Principal, error) {
	ctx = store.UsePrimary(ctx)
	if _, err := requireKey(ctx); err != nil {
		return nil, nil, err
	}
	c, err := svc.Cop(ctx, region, edition)
	if err != nil {
		return nil, nil, err
	}
	if c == nil {
		return nil, nil, notFound("no COP %d for region %s", edition, hierarchy.Excerpt(region))
	}
	p, err := svc.requireCoordinator(ctx, c.RegionID)
	if err != nil {
		return nil, nil, err
	}
	return c, p, nil
}

// Cop returns a region's COP for an edition, nil when there is none.
func (svc *Service) Cop(ctx context.Context, region string, edition int) (*ent.Cop, error) {
	return nilIfNotFound(svc.client.Cop.Query().
		Where(cop.Edition(edition), cop.HasRegionWith(territory.LevelEQ(hierarchy.Region), territory.Code(region))).
		Only(ctx))
}

// Cops pages the COPs, of one region when given.
func (svc *Service) Cops(ctx context.Context, region *string, p Page, orderBy *ent.CopOrder, where *ent.CopWhereInput) (*ent.CopConnection, error) {
	q := svc.client.Cop.Query()
	if region != nil {
		q.Where(cop.HasRegionWith(territory.LevelEQ(hierarchy.Region), territory.Code(*region)))
	}
	if p.Counted {
		q.Modify(countRows)
	}
	conn, err := q.Paginate(ctx, p.After, p.First, p.Before, p.Last, ent.WithCopOrder(orderBy), ent.WithCopFilter(where.Filter))
	if err != nil {
		return nil, err
	}
	return conn, counted(p, &conn.TotalCount, conn.Edges, func(e *ent.CopEdge) func(string) (ent.Value, error) { return e.Node.Value })
}

// CopSteps returns a COP's steps in the order of the circular: diagnostic, debate,
// breakdown, roadmap (the database keeps no order).
func (svc *Service) CopSteps(ctx context.Context, c *ent.Cop) ([]*ent.CopStep, error) {
	steps, err := c.Edges.StepsOrErr()
	if err != nil {
		if steps, err = svc.client.CopStep.Query().Where(copstep.CopID(c.ID)).All(ctx); err != nil {
			return nil, err
		}
	}
	rank := map[planning.StepKind]int{}
	for i, k := range planning.Steps {
		rank[k] = i
	}
	out := append([]*ent.CopStep(nil), steps...)
	sort.Slice(out, func(i, j int) bool { return rank[out[i].Kind] < rank[out[j].Kind] })
	return out, nil
}
