package graph

import (
	"context"
	"errors"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/action"
	"github.com/cop-territoriales/cop-api/ent/commitment"
	"github.com/cop-territoriales/cop-api/graph/model"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/store"
)

// MaxIdempotencyKey bounds the length of an idempotency key.
const MaxIdempotencyKey = 200

// target resolves the territory, lever and sector a write names. A lever sets the sector.
type target struct {
	territory     *int
	lever, sector *int
	leverRec      *ent.Lever
}

func (r *Resolver) resolveTarget(ctx context.Context, t *model.TerritoryKey, leverCode, sectorCode *string) (target, error) {
	var out target
	if t != nil {
		id, err := r.territoryID(ctx, *t)
		if err != nil {
			return out, asBadInput(err)
		}
		out.territory = &id
	}
	if leverCode != nil && sectorCode != nil {
		return out, badInput("give a lever or a sector, not both")
	}
	ind, err := r.resolveIndicator(ctx, leverCode, sectorCode, false)
	if err != nil {
		return out, asBadInput(err)
	}
	if ind.lever != nil {
		out.leverRec = ind.lever
		out.lever = &ind.lever.ID
		out.sector = &ind.lever.Edges.Sector.ID
	} else if ind.sector != nil {
		out.sector = &ind.sector.ID
	}
	return out, nil
}

// asBadInput turns a user error (an unknown code) into BAD_USER_INPUT: in a write, what
// the client names is input. Other errors stay internal.
func asBadInput(err error) error {
	var ue *userError
	if errors.As(err, &ue) {
		return badInput("%s", ue.msg)
	}
	return err
}

func (tg target) leverUnit() (bool, *string) {
	if tg.leverRec == nil {
		return false, nil
	}
	return true, tg.leverRec.PhysicalUnit
}

func checkIdempotencyKey(k *string) (string, error) {
	if k == nil {
		return "", nil
	}
	if *k == "" || len(*k) > MaxIdempotencyKey {
		return "", badInput("idempotencyKey must have 1 to %d characters", MaxIdempotencyKey)
	}
	return *k, nil
}

func actionWrite(in model.ActionInput, tg target) store.ActionWrite {
	return store.ActionWrite{Title: in.Title, Description: in.Description, Territory: tg.territory,
		Lever: tg.lever, Sector: tg.sector, Status: in.Status, StartYear: in.StartYear, EndYear: in.EndYear,
		Budget: in.Budget, FundingSources: in.FundingSources, EffectKtCO2e: in.EffectKtco2e,
		EffectPhysical: in.EffectPhysical, CopEdition: in.CopEdition, Links: in.Links}
}

// checkAction validates an action as it will be after the write (cur is nil on creation).
func checkAction(cur *ent.Action, w store.ActionWrite, tg target) error {
	f := planning.ActionFields{EndYear: w.EndYear, EffectKtCO2e: w.EffectKtCO2e, Physical: w.EffectPhysical, Links: w.Links}
	if cur != nil {
		f = planning.ActionFields{Title: cur.Title, StartYear: cur.StartYear, EndYear: cur.EndYear, Budget: cur.Budget,
			EffectKtCO2e: cur.EffectKtco2e, Physical: cur.EffectPhysical, Links: cur.Links}
		if w.EndYear != nil {
			f.EndYear = w.EndYear
		}
		if w.EffectKtCO2e != nil {
			f.EffectKtCO2e = w.EffectKtCO2e
		}
		if w.EffectPhysical != nil {
			f.Physical = w.EffectPhysical
		}
		if w.Links != nil {
			f.Links = w.Links
		}
	}
	if w.Title != nil {
		f.Title = *w.Title
	}
	if w.StartYear != nil {
		f.StartYear = *w.StartYear
	}
	if w.Budget != nil {
		f.Budget = *w.Budget
	}
	f.HasLever, f.LeverUnit = tg.leverUnit()
	if err := planning.CheckAction(f); err != nil {
		return badInput("%v", err)
	}
	return nil
}

func (r *Resolver) createAction(ctx context.Context, in model.ActionInput, idem *string) (*ent.Action, error) {
	key, err := checkIdempotencyKey(idem)
	if err != nil {
		return nil, err
	}
	if in.Territory == nil || in.StartYear == nil || in.Title == nil {
		return nil, badInput("a new action needs territory, title and startYear")
	}
	tg, err := r.resolveTarget(ctx, in.Territory, in.Lever, in.Sector)
	if err != nil {
		return nil, err
	}
	p, err := r.requireWrite(ctx, *tg.territory)
	if err != nil {
		return nil, err
	}
	w := actionWrite(in, tg)
	if err := checkAction(nil, w, tg); err != nil {
		return nil, err
	}
	return store.CreateAction(ctx, r.client, store.Write{Principal: p, Operation: "createAction", IdempotencyKey: key, Request: in}, w)
}

func (r *Resolver) updateAction(ctx context.Context, id, version int, in model.ActionInput, op string) (*ent.Action, error) {
	cur, err := r.client.Action.Query().Where(action.ID(id)).WithLever().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, notFound("no action %d", id)
	}
	if err != nil {
		return nil, err
	}
	p, err := r.requireWrite(ctx, cur.TerritoryID)
	if err != nil {
		return nil, err
	}
	tg, err := r.resolveTarget(ctx, in.Territory, in.Lever, in.Sector)
	if err != nil {
		return nil, err
	}
	if tg.territory != nil && *tg.territory != cur.TerritoryID {
		if _, err := r.requireWrite(ctx, *tg.territory); err != nil {
			return nil, err
		}
	}
	if tg.leverRec == nil && in.Sector == nil {
		tg.leverRec = cur.Edges.Lever // the unit check needs the lever the action keeps
	}
	w := actionWrite(in, tg)
	if err := checkAction(cur, w, tg); err != nil {
		return nil, err
	}
	return store.UpdateAction(ctx, r.client, store.Write{Principal: p, Operation: op, Request: in}, id, version, w)
}

func commitmentWrite(in model.CommitmentInput, tg target) store.CommitmentWrite {
	return store.CommitmentWrite{Territory: tg.territory, Lever: tg.lever, Sector: tg.sector, KtCO2e: in.Ktco2e,
		Physical: in.Physical, TargetYear: in.TargetYear, CopEdition: in.CopEdition, Note: in.Note, Status: in.Status}
}

func (r *Resolver) createCommitment(ctx context.Context, in model.CommitmentInput, idem *string) (*ent.Commitment, error) {
	key, err := checkIdempotencyKey(idem)
	if err != nil {
		return nil, err
	}
	if in.Territory == nil {
		return nil, badInput("a new commitment needs a territory")
	}
	if in.Lever == nil && in.Sector == nil {
		return nil, badInput("a commitment is for a lever or a sector")
	}
	if in.Status != nil && *in.Status != commitment.StatusDRAFT && *in.Status != commitment.StatusSUBMITTED {
		return nil, badInput("a new commitment is DRAFT or SUBMITTED, not %s", *in.Status)
	}
	tg, err := r.resolveTarget(ctx, in.Territory, in.Lever, in.Sector)
	if err != nil {
		return nil, err
	}
	p, err := r.requireWrite(ctx, *tg.territory)
	if err != nil {
		return nil, err
	}
	f := planning.CommitmentFields{KtCO2e: in.Ktco2e, Physical: in.Physical, TargetYear: planning.SGPETargetYear}
	if in.TargetYear != nil {
		f.TargetYear = *in.TargetYear
	}
	f.HasLever, f.LeverUnit = tg.leverUnit()
	if err := planning.CheckCommitment(f); err != nil {
		return nil, badInput("%v", err)
	}
	return store.CreateCommitment(ctx, r.client, store.Write{Principal: p, Operation: "createCommitment", IdempotencyKey: key, Request: in}, commitmentWrite(in, tg))
}

func (r *Resolver) loadCommitment(ctx context.Context, id int) (*ent.Commitment, error) {
	c, err := r.client.Commitment.Query().Where(commitment.ID(id)).WithLever().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, notFound("no commitment %d", id)
	}
	return c, err
}

func (r *Resolver) updateCommitment(ctx context.Context, id, version int, in model.CommitmentInput) (*ent.Commitment, error) {
	cur, err := r.loadCommitment(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := r.requireWrite(ctx, cur.TerritoryID)
	if err != nil {
		return nil, err
	}
	if in.Territory != nil || in.Lever != nil || in.Sector != nil || in.Status != nil {
		return nil, badInput("a commitment's territory, lever and sector cannot change; use transitionCommitment for its status")
	}
	if cur.Status != commitment.StatusDRAFT && cur.Status != commitment.StatusSUBMITTED {
		return nil, badInput("commitment %d is %s: only draft or submitted commitments change", id, cur.Status)
	}
	f := planning.CommitmentFields{KtCO2e: cur.Ktco2e, Physical: cur.Physical, TargetYear: cur.TargetYear}
	if in.Ktco2e != nil {
		f.KtCO2e = in.Ktco2e
	}
	if in.Physical != nil {
		f.Physical = in.Physical
	}
	if in.TargetYear != nil {
		f.TargetYear = *in.TargetYear
	}
	if cur.Edges.Lever != nil {
		f.HasLever, f.LeverUnit = true, cur.Edges.Lever.PhysicalUnit
	}
	if err := planning.CheckCommitment(f); err != nil {
		return nil, badInput("%v", err)
	}
	return store.UpdateCommitment(ctx, r.client, store.Write{Principal: p, Operation: "updateCommitment", Request: in}, id, version,
		commitmentWrite(in, target{}), nil)
}

func (r *Resolver) transitionCommitment(ctx context.Context, id, version int, to commitment.Status, op string) (*ent.Commitment, error) {
	cur, err := r.loadCommitment(ctx, id)
	if err != nil {
		return nil, err
	}
	coordinator, err := access.Transition(string(cur.Status), string(to))
	if err != nil {
		return nil, badInput("%v", err)
	}
	var p *access.Principal
	if coordinator {
		p, err = r.requireCoordinator(ctx, cur.TerritoryID)
	} else {
		p, err = r.requireWrite(ctx, cur.TerritoryID)
		if errors.Is(err, access.ErrForbidden) {
			// A region's coordinator may also move the commitments of its territories.
			if p2, err2 := r.requireCoordinator(ctx, cur.TerritoryID); err2 == nil {
				p, err = p2, nil
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return store.UpdateCommitment(ctx, r.client, store.Write{Principal: p, Operation: op, Request: map[string]any{"to": to}},
		id, version, store.CommitmentWrite{}, &to)
}
