package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/action"
	"github.com/cop-territoriales/cop-api/ent/commitment"
	"github.com/cop-territoriales/cop-api/ent/idempotencykey"
	"github.com/cop-territoriales/cop-api/partners/outbox"
	"github.com/cop-territoriales/cop-api/store"
)

// Write describes one write for the audit log and idempotency: who, which operation, and
// the request as the client sent it (hashed, to detect a key reused for another request).
type Write struct {
	Principal      *access.Principal
	Operation      string
	IdempotencyKey string
	Request        any
}

func (w Write) requestHash() (string, error) {
	b, err := json.Marshal(w.Request)
	if err != nil {
		return "", fmt.Errorf("hash request: %w", err)
	}
	h := sha256.Sum256(append([]byte(w.Operation+"\x00"), b...))
	return hex.EncodeToString(h[:]), nil
}

// replay returns the id of the record an earlier request with the same idempotency key
// wrote, 0 if there was none; the same key with another request is a conflict.
func replay(ctx context.Context, c *ent.Client, w Write) (int, error) {
	if w.IdempotencyKey == "" {
		return 0, nil
	}
	rec, err := c.IdempotencyKey.Query().
		Where(idempotencykey.Actor(w.Principal.Actor()), idempotencykey.Key(w.IdempotencyKey)).Only(ctx)
	if ent.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read idempotency key: %w", err)
	}
	hash, err := w.requestHash()
	if err != nil {
		return 0, err
	}
	if rec.Operation != w.Operation || rec.RequestHash != hash {
		return 0, conflict("idempotency key %q was used for another request", w.IdempotencyKey)
	}
	return rec.EntityID, nil
}

// RecordWrite is record, for the writes of other packages, in their transaction (c is its
// client): partners registers and deletes its webhooks with it.
func RecordWrite(ctx context.Context, c *ent.Client, w Write, entity string, id int, before, after any) error {
	return record(ctx, c, w, entity, id, before, after)
}

// record writes the audit entry of a write, and its idempotency key if it has one.
func record(ctx context.Context, c *ent.Client, w Write, entity string, id int, before, after any) error {
	b := ""
	if before != nil {
		bb, err := json.Marshal(before)
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		b = string(bb)
	}
	a, err := json.Marshal(after)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if err := c.AuditEntry.Create().SetActor(w.Principal.Actor()).SetOperation(w.Operation).
		SetEntity(entity).SetEntityID(id).SetBefore(b).SetAfter(string(a)).Exec(ctx); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if err := outbox.Record(ctx, c, entity, id, before, after); err != nil {
		return err
	}
	if w.IdempotencyKey == "" {
		return nil
	}
	hash, err := w.requestHash()
	if err != nil {
		return err
	}
	return c.IdempotencyKey.Create().SetActor(w.Principal.Actor()).SetKey(w.IdempotencyKey).
		SetOperation(w.Operation).SetRequestHash(hash).SetEntityID(id).Exec(ctx)
}

// forWrite returns the context of a write: its reads go to the primary, and the events
// it emits reach this process's subscriptions when the database cannot carry them.
func (svc *Service) forWrite(ctx context.Context) context.Context {
	ctx = store.UsePrimary(ctx)
	if svc.publisher != nil {
		ctx = outbox.WithPublisher(ctx, svc.publisher)
	}
	return ctx
}

// create runs an idempotent creation in a transaction: a replayed request returns the
// record first written; two concurrent requests with one key write one record.
func create[T any](ctx context.Context, client *ent.Client, w Write, get func(*ent.Client, int) (T, error), mk func(*ent.Client) (T, int, error), entity string) (T, error) {
	var out T
	attempt := func() error {
		return store.WithTx(ctx, client, func(tx *ent.Tx) error {
			c := tx.Client()
			id, err := replay(ctx, c, w)
			if err != nil {
				return err
			}
			if id != 0 {
				out, err = get(c, id)
				return err
			}
			v, id, err := mk(c)
			if err != nil {
				return err
			}
			out = v
			return record(ctx, c, w, entity, id, nil, v)
		})
	}
	err := attempt()
	if err != nil && w.IdempotencyKey != "" && ent.IsConstraintError(err) {
		// Another request with the same key committed first: answer as it did.
		err = attempt()
	}
	return out, err
}

// ActionWrite is an action's fields as a write gives them; nil leaves a field unchanged
// on update.
type ActionWrite struct {
	Title, Description *string
	Territory          *int
	Lever, Sector      *int
	Status             *action.Status
	StartYear, EndYear *int
	Budget             *float64
	FundingSources     []string
	EffectKtCO2e       *float64
	EffectPhysical     *float64
	CopEdition         *int
	Links              []string
}

// writeNewAction creates an action (checked by the caller).
func (svc *Service) writeNewAction(ctx context.Context, w Write, in ActionWrite) (*ent.Action, error) {
	client := svc.client
	ctx = svc.forWrite(ctx) // writes, and the reads they depend on, go to the primary
	a, err := createAction(ctx, client, w, in)
	if err != nil {
		return nil, err
	}
	return a.Unwrap(), nil // loaded in the transaction: detach it, so that its edges load after
}

func createAction(ctx context.Context, client *ent.Client, w Write, in ActionWrite) (*ent.Action, error) {
	return create(ctx, client, w, func(c *ent.Client, id int) (*ent.Action, error) { return c.Action.Get(ctx, id) },
		func(c *ent.Client) (*ent.Action, int, error) {
			cr := c.Action.Create().SetTitle(*in.Title).SetTerritoryID(*in.Territory).SetStartYear(*in.StartYear).
				SetNillableDescription(in.Description).SetNillableLeverID(in.Lever).SetNillableSectorID(in.Sector).
				SetNillableStatus(in.Status).SetNillableEndYear(in.EndYear).SetNillableBudget(in.Budget).
				SetNillableEffectKtco2e(in.EffectKtCO2e).SetNillableEffectPhysical(in.EffectPhysical).
				SetNillableCopEdition(in.CopEdition)
			if in.FundingSources != nil {
				cr.SetFundingSources(in.FundingSources)
			}
			if in.Links != nil {
				cr.SetLinks(in.Links)
			}
			a, err := cr.Save(ctx)
			if err != nil {
				return nil, 0, err
			}
			cells, err := actionCells(ctx, c, a, +1)
			if err != nil {
				return nil, 0, err
			}
			return a, a.ID, applyCells(ctx, c, cells)
		}, "Action")
}

// writeActionUpdate applies a write to the action at the given version: a stale version is a
// conflict and writes nothing.
func (svc *Service) writeActionUpdate(ctx context.Context, w Write, id, version int, in ActionWrite) (*ent.Action, error) {
	client := svc.client
	ctx = svc.forWrite(ctx) // writes, and the reads they depend on, go to the primary
	var out *ent.Action
	err := store.WithTx(ctx, client, func(tx *ent.Tx) error {
		c := tx.Client()
		before, err := c.Action.Get(ctx, id)
		if err != nil {
			return err
		}
		up := c.Action.Update().Where(action.ID(id), action.Version(version)).AddVersion(1).
			SetNillableTitle(in.Title).SetNillableDescription(in.Description).SetNillableTerritoryID(in.Territory).
			SetNillableLeverID(in.Lever).SetNillableSectorID(in.Sector).SetNillableStatus(in.Status).
			SetNillableStartYear(in.StartYear).SetNillableEndYear(in.EndYear).SetNillableBudget(in.Budget).
			SetNillableEffectKtco2e(in.EffectKtCO2e).SetNillableEffectPhysical(in.EffectPhysical).
			SetNillableCopEdition(in.CopEdition)
		if in.FundingSources != nil {
			up.SetFundingSources(in.FundingSources)
		}
		if in.Links != nil {
			up.SetLinks(in.Links)
		}
		n, err := up.Save(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return conflict("action %d is at version %d, not %d: read it again", id, before.Version, version)
		}
		if out, err = c.Action.Get(ctx, id); err != nil {
			return err
		}
		minus, err := actionCells(ctx, c, before, -1)
		if err != nil {
			return err
		}
		plus, err := actionCells(ctx, c, out, +1)
		if err != nil {
			return err
		}
		if err := applyCells(ctx, c, minus, plus); err != nil {
			return err
		}
		return record(ctx, c, w, "Action", id, before, out)
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// CommitmentWrite is a commitment's fields as a write gives them.
type CommitmentWrite struct {
	Territory     *int
	Lever, Sector *int
	KtCO2e        *float64
	Physical      *float64
	TargetYear    *int
	CopEdition    *int
	Note          *string
	Status        *access.CommitmentStatus // on creation only: DRAFT or SUBMITTED
}

// writeNewCommitment creates a commitment with the first event of its history.
func (svc *Service) writeNewCommitment(ctx context.Context, w Write, in CommitmentWrite) (*ent.Commitment, error) {
	client := svc.client
	ctx = svc.forWrite(ctx) // writes, and the reads they depend on, go to the primary
	cm, err := createCommitment(ctx, client, w, in)
	if err != nil {
		return nil, err
	}
	return cm.Unwrap(), nil
}

func createCommitment(ctx context.Context, client *ent.Client, w Write, in CommitmentWrite) (*ent.Commitment, error) {
	return create(ctx, client, w, func(c *ent.Client, id int) (*ent.Commitment, error) { return c.Commitment.Get(ctx, id) },
		func(c *ent.Client) (*ent.Commitment, int, error) {
			cm, err := c.Commitment.Create().SetTerritoryID(*in.Territory).SetNillableLeverID(in.Lever).
				SetNillableSectorID(in.Sector).SetNillableKtco2e(in.KtCO2e).SetNillablePhysical(in.Physical).
				SetNillableTargetYear(in.TargetYear).SetNillableCopEdition(in.CopEdition).SetNillableNote(in.Note).
				SetNillableStatus(in.Status).Save(ctx)
			if err != nil {
				return nil, 0, err
			}
			if err := c.CommitmentEvent.Create().SetCommitmentID(cm.ID).SetTo(cm.Status).
				SetActor(w.Principal.Actor()).Exec(ctx); err != nil {
				return nil, 0, err
			}
			cells, err := commitmentCells(ctx, c, cm, +1)
			if err != nil {
				return nil, 0, err
			}
			return cm, cm.ID, applyCells(ctx, c, cells)
		}, "Commitment")
}

// writeCommitmentUpdate changes a commitment's quantities, year or note at the given version,
// and, when to is set, its status (with an event in its history).
func (svc *Service) writeCommitmentUpdate(ctx context.Context, w Write, id, version int, in CommitmentWrite, to *access.CommitmentStatus) (*ent.Commitment, error) {
	client := svc.client
	ctx = svc.forWrite(ctx) // writes, and the reads they depend on, go to the primary
	var out *ent.Commitment
	err := store.WithTx(ctx, client, func(tx *ent.Tx) error {
		c := tx.Client()
		before, err := c.Commitment.Get(ctx, id)
		if err != nil {
			return err
		}
		up := c.Commitment.Update().Where(commitment.ID(id), commitment.Version(version)).AddVersion(1).
			SetNillableKtco2e(in.KtCO2e).SetNillablePhysical(in.Physical).SetNillableTargetYear(in.TargetYear).
			SetNillableCopEdition(in.CopEdition).SetNillableNote(in.Note).SetNillableStatus(to)
		n, err := up.Save(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return conflict("commitment %d is at version %d, not %d: read it again", id, before.Version, version)
		}
		if to != nil {
			if err := c.CommitmentEvent.Create().SetCommitmentID(id).SetFrom(before.Status).SetTo(*to).
				SetActor(w.Principal.Actor()).Exec(ctx); err != nil {
				return err
			}
		}
		if out, err = c.Commitment.Get(ctx, id); err != nil {
			return err
		}
		minus, err := commitmentCells(ctx, c, before, -1)
		if err != nil {
			return err
		}
		plus, err := commitmentCells(ctx, c, out, +1)
		if err != nil {
			return err
		}
		if err := applyCells(ctx, c, minus, plus); err != nil {
			return err
		}
		return record(ctx, c, w, "Commitment", id, before, out)
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}
