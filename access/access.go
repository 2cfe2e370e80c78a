// Package access decides who may write what, in plain Go: API keys (format, hashing) and
// the rules of roles over territories and commitment life cycles. Store and GraphQL layers
// ask it; it knows nothing of either.
package access

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/cop-territoriales/cop-api/hierarchy"
)

// Role is what a key may do.
type Role string

// Roles, from the least to the most powerful.
const (
	// Reader reads, as anyone may without a key; it exists for quotas and audit.
	Reader Role = "READER"
	// Contributor writes actions, commitments and observations inside its territory.
	Contributor Role = "CONTRIBUTOR"
	// Coordinator also adopts commitments into its region's roadmap and runs its COPs.
	Coordinator Role = "COORDINATOR"
	// Admin writes everywhere.
	Admin Role = "ADMIN"
)

// ParseRole reads a role, case-insensitively.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToUpper(s))
	switch r {
	case Reader, Contributor, Coordinator, Admin:
		return r, nil
	}
	return "", fmt.Errorf("role %q: want reader, contributor, coordinator or admin", s)
}

// Errors of refused requests.
var (
	ErrUnauthenticated = errors.New("unauthenticated")
	ErrForbidden       = errors.New("forbidden")
)

// Principal is the holder of a valid key.
type Principal struct {
	Organisation string
	Prefix       string
	Role         Role
	// Territory is the key's territory (level and code) and TerritoryID its id.
	TerritoryLevel hierarchy.Level
	TerritoryCode  string
	TerritoryID    int
}

// Actor names the principal in audit entries and histories.
func (p *Principal) Actor() string { return p.Organisation + " (key " + p.Prefix + ")" }

// CanWrite tells whether p may write a record of a territory; inside says whether that
// territory lies, wholly or partly, inside the key's territory.
func CanWrite(p *Principal, inside bool) error {
	switch {
	case p == nil:
		return fmt.Errorf("%w: this operation writes: send Authorization: Bearer <API key>", ErrUnauthenticated)
	case p.Role == Admin:
		return nil
	case p.Role == Reader:
		return fmt.Errorf("%w: key %s is read-only", ErrForbidden, p.Prefix)
	case !inside:
		return fmt.Errorf("%w: key %s of %s %s cannot write outside its territory", ErrForbidden, p.Prefix, p.TerritoryLevel, p.TerritoryCode)
	}
	return nil
}

// CanCoordinate tells whether p may act as the coordinator of a region: adopt
// commitments into its roadmap and run its COPs. inside says whether the region is (or
// lies in) the key's territory.
func CanCoordinate(p *Principal, inside bool) error {
	switch {
	case p == nil:
		return fmt.Errorf("%w: this operation writes: send Authorization: Bearer <API key>", ErrUnauthenticated)
	case p.Role == Admin:
		return nil
	case p.Role != Coordinator:
		return fmt.Errorf("%w: only a region's coordinator may do this; key %s is %s", ErrForbidden, p.Prefix, strings.ToLower(string(p.Role)))
	case p.TerritoryLevel != hierarchy.Region && p.TerritoryLevel != hierarchy.Country || !inside:
		return fmt.Errorf("%w: key %s coordinates %s %s, not this region", ErrForbidden, p.Prefix, p.TerritoryLevel, p.TerritoryCode)
	}
	return nil
}

// Key format: "cop_" + 8 hex characters of prefix + "_" + 32 hex characters of secret.
const keyPrefix = "cop_"

// NewKey returns a new key to give its holder once, its public prefix, and the hash of
// its secret to store.
func NewKey() (key, prefix string, hash []byte, err error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", "", nil, fmt.Errorf("new key: %w", err)
	}
	prefix, secret := hex.EncodeToString(b[:4]), hex.EncodeToString(b[4:])
	return keyPrefix + prefix + "_" + secret, prefix, Hash(secret), nil
}

// Hash hashes a key's secret. Secrets are 128 random bits: a plain SHA-256 suffices.
func Hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// SplitKey reads the prefix and secret of a key. Both must be lowercase hexadecimal, as
// NewKey writes them: anything else is refused before the database is asked, which
// PostgreSQL would answer with an error rather than "no such key" for a prefix holding a
// NUL or bytes that are not UTF-8.
func SplitKey(key string) (prefix, secret string, err error) {
	rest, ok := strings.CutPrefix(key, keyPrefix)
	prefix, secret, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 || len(prefix) != 8 || len(secret) != 32 || !lowerHex(prefix) || !lowerHex(secret) {
		return "", "", fmt.Errorf("%w: malformed API key", ErrUnauthenticated)
	}
	return prefix, secret, nil
}

func lowerHex(s string) bool { return strings.Trim(s, "0123456789abcdef") == "" }

// Matches compares a secret with a stored hash in constant time.
func Matches(secret string, hash []byte) bool {
	return subtle.ConstantTimeCompare(Hash(secret), hash) == 1
}
