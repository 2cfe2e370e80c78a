package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/apikey"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/hierarchy"
)

// CreateKey creates an API key for an organisation, a territory and a role, and returns
// the key, to hand over once: only its hash is kept.
func CreateKey(ctx context.Context, c *ent.Client, org string, t hierarchy.Key, role access.Role) (string, *ent.APIKey, error) {
	ctx = UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	if org == "" {
		return "", nil, fmt.Errorf("%w: an organisation is required", ErrInvalidInput)
	}
	tid, err := c.Territory.Query().Where(territory.LevelEQ(territory.Level(t.Level)), territory.Code(t.Code)).OnlyID(ctx)
	if ent.IsNotFound(err) {
		return "", nil, fmt.Errorf("%w: unknown territory %s", ErrInvalidInput, t)
	}
	if err != nil {
		return "", nil, err
	}
	key, prefix, hash, err := access.NewKey()
	if err != nil {
		return "", nil, err
	}
	k, err := c.APIKey.Create().SetPrefix(prefix).SetSecretHash(hash).SetOrganisation(org).
		SetRole(apikey.Role(role)).SetTerritoryID(tid).Save(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("create key: %w", err)
	}
	return key, k, nil
}

// RevokeKey revokes the key with this prefix.
func RevokeKey(ctx context.Context, c *ent.Client, prefix string, now time.Time) error {
	ctx = UsePrimary(ctx) // writes, and the reads they depend on, go to the primary
	n, err := c.APIKey.Update().Where(apikey.Prefix(prefix), apikey.RevokedAtIsNil()).SetRevokedAt(now).Save(ctx)
	if err != nil {
		return fmt.Errorf("revoke key: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("%w: no active key %s", ErrInvalidInput, prefix)
	}
	return nil
}

// ListKeys lists every key with its territory, newest first.
func ListKeys(ctx context.Context, c *ent.Client) ([]*ent.APIKey, error) {
	return c.APIKey.Query().WithTerritory().Order(ent.Desc(apikey.FieldID)).All(ctx)
}

// Authenticate returns the principal of a key, or access.ErrUnauthenticated.
func Authenticate(ctx context.Context, c *ent.Client, key string) (*access.Principal, error) {
	prefix, secret, err := access.SplitKey(key)
	if err != nil {
		return nil, err
	}
	// On the primary: a key created or revoked a moment ago counts at once.
	k, err := c.APIKey.Query().Where(apikey.Prefix(prefix)).WithTerritory().Only(UsePrimary(ctx))
	if ent.IsNotFound(err) || err == nil && (!access.Matches(secret, k.SecretHash) || k.RevokedAt != nil) {
		return nil, fmt.Errorf("%w: unknown or revoked API key", access.ErrUnauthenticated)
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	return &access.Principal{Organisation: k.Organisation, Prefix: k.Prefix, Role: access.Role(k.Role),
		TerritoryLevel: string(k.Edges.Territory.Level), TerritoryCode: k.Edges.Territory.Code, TerritoryID: k.TerritoryID}, nil
}

// Inside reports whether territory id lies wholly or partly inside territory within.
func Inside(ctx context.Context, c *ent.Client, id, within int) (bool, error) {
	ok, err := c.Ancestry.Query().Where(ancestry.TerritoryID(id), ancestry.AncestorID(within), ancestry.WeightGT(0)).Exist(ctx)
	if err != nil {
		return false, fmt.Errorf("check territory: %w", err)
	}
	return ok, nil
}

// ErrConflict refuses a write made on a stale version, or a reused idempotency key.
var ErrConflict = errors.New("conflict")
