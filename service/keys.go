package service

import (
	"context"
	"fmt"
	"time"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/apikey"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/store"
)

// CreateKey creates an API key for an organisation, a territory and a role, and returns
// the key, to hand over once: only its hash is kept.
func (svc *Service) CreateKey(ctx context.Context, org string, t hierarchy.Key, role access.Role) (string, *ent.APIKey, error) {
	c := svc.client
	ctx = store.UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	if org == "" {
		return "", nil, badInput("an organisation is required")
	}
	tid, err := c.Territory.Query().Where(territory.LevelEQ(t.Level), territory.Code(t.Code)).OnlyID(ctx)
	if ent.IsNotFound(err) {
		return "", nil, badInput("unknown territory %s", t)
	}
	if err != nil {
		return "", nil, err
	}
	key, prefix, hash, err := access.NewKey()
	if err != nil {
		return "", nil, err
	}
	k, err := c.APIKey.Create().SetPrefix(prefix).SetSecretHash(hash).SetOrganisation(org).
		SetRole(role).SetTerritoryID(tid).Save(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("create key: %w", err)
	}
	return key, k, nil
}

// RevokeKey revokes the key with this prefix.
func (svc *Service) RevokeKey(ctx context.Context, prefix string, now time.Time) error {
	c := svc.client
	ctx = store.UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	n, err := c.APIKey.Update().Where(apikey.Prefix(prefix), apikey.RevokedAtIsNil()).SetRevokedAt(now).Save(ctx)
	if err != nil {
		return fmt.Errorf("revoke key: %w", err)
	}
	if n == 0 {
		return badInput("no active key %s", prefix)
	}
	return nil
}

// ListKeys lists every key with its territory, newest first.
func (svc *Service) ListKeys(ctx context.Context) ([]*ent.APIKey, error) {
	c := svc.client
	return c.APIKey.Query().WithTerritory().Order(ent.Desc(apikey.FieldID)).All(ctx)
}

// Authenticate returns the principal of a key, or access.ErrUnauthenticated.
func (svc *Service) Authenticate(ctx context.Context, key string) (*access.Principal, error) {
	c := svc.client
	prefix, secret, err := access.SplitKey(key)
	if err != nil {
		return nil, err
	}
	// On the primary: a key created or revoked a moment ago counts at once.
	k, err := c.APIKey.Query().Where(apikey.Prefix(prefix)).WithTerritory().Only(store.UsePrimary(ctx))
	if ent.IsNotFound(err) || err == nil && (!access.Matches(secret, k.SecretHash) || k.RevokedAt != nil) {
		return nil, fmt.Errorf("%w: unknown or revoked API key", access.ErrUnauthenticated)
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	return &access.Principal{Organisation: k.Organisation, Prefix: k.Prefix, Role: k.Role,
		TerritoryLevel: k.Edges.Territory.Level, TerritoryCode: k.Edges.Territory.Code, TerritoryID: k.TerritoryID}, nil
}

// inside reports whether territory id lies wholly or partly inside territory within.
func (svc *Service) inside(ctx context.Context, id, within int) (bool, error) {
	c := svc.client
	ok, err := c.Ancestry.Query().Where(ancestry.TerritoryID(id), ancestry.AncestorID(within), ancestry.WeightGT(0)).Exist(ctx)
	if err != nil {
		return false, fmt.Errorf("check territory: %w", err)
	}
	return ok, nil
}
