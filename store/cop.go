package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/cop"
	"github.com/cop-territoriales/cop-api/ent/copstep"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/planning"
)

// ErrExists refuses to create what exists already.
var ErrExists = errors.New("already exists")

// RecordObservations writes observations, all or none.
func RecordObservations(ctx context.Context, client *ent.Client, ins []ObservationInput) ([]*ent.Observation, error) {
	ctx = UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	out := make([]*ent.Observation, 0, len(ins))
	err := withTx(ctx, client, func(tx *ent.Tx) error {
		for i, in := range ins {
			o, err := upsertObservation(ctx, tx.Client(), in)
			if err != nil {
				return fmt.Errorf("observation %d: %w", i+1, err)
			}
			out = append(out, o.Unwrap())
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("record observations: %w", err)
	}
	return out, nil
}

// CreateCop creates a region's COP for an edition with its four steps planned.
func CreateCop(ctx context.Context, client *ent.Client, region string, edition int, title string) (*ent.Cop, error) {
	ctx = UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	var out *ent.Cop
	err := withTx(ctx, client, func(tx *ent.Tx) error {
		c := tx.Client()
		rid, err := c.Territory.Query().Where(territory.LevelEQ(territory.LevelREGION), territory.Code(region)).OnlyID(ctx)
		if ent.IsNotFound(err) {
			return fmt.Errorf("%w: unknown region %q", ErrInvalidInput, region)
		}
		if err != nil {
			return err
		}
		if ok, err := c.Cop.Query().Where(cop.RegionID(rid), cop.Edition(edition)).Exist(ctx); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("%w: COP %d of region %s", ErrExists, edition, region)
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
		return c.CopStep.CreateBulk(steps...).Exec(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("create COP: %w", err)
	}
	return out.Unwrap(), nil
}

// UpdateCopStep sets a step's status and dates; nil leaves a value unchanged.
func UpdateCopStep(ctx context.Context, client *ent.Client, copID int, step planning.StepKind, status *copstep.Status, startsOn, endsOn *time.Time) (*ent.CopStep, error) {
	ctx = UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	s, err := client.CopStep.Query().Where(copstep.CopID(copID), copstep.KindEQ(step)).Only(ctx)
	if err != nil {
		return nil, fmt.Errorf("find step %s: %w", step, err)
	}
	start, end := s.StartsOn, s.EndsOn
	if startsOn != nil {
		start = startsOn
	}
	if endsOn != nil {
		end = endsOn
	}
	if start != nil && end != nil && end.Before(*start) {
		return nil, fmt.Errorf("%w: step %s ends (%s) before it starts (%s)", ErrInvalidInput, step,
			end.Format(time.DateOnly), start.Format(time.DateOnly))
	}
	up := s.Update().SetNillableStartsOn(startsOn).SetNillableEndsOn(endsOn)
	if status != nil {
		up.SetStatus(*status)
	}
	return up.Save(ctx)
}
