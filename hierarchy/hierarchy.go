// Package hierarchy is the territorial model of the COP API, in plain Go: levels, keys,
// the graph of territories built from communes, membership weights and shares (roll-ups
// weigh records by them: planning.Weigh). It knows nothing of HTTP or databases, so its
// rules are tested with literal tables.
//
// Communes are the atoms. Every territory is a set of communes; its population is the sum
// of theirs, and the weight of a territory T inside a larger territory A is the share of
// T's population living in A. Because every weight derives from the same commune
// populations, a quantity attached to territories and rolled up with these weights is
// counted once: the departments of a region add up to the region, the regions to France.
package hierarchy

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Level is a level of the territorial hierarchy. Its values are the GraphQL enum values.
type Level string

// The levels, from the largest to the smallest.
const (
	Country    Level = "COUNTRY"
	Region     Level = "REGION"
	Department Level = "DEPARTMENT"
	CRTE       Level = "CRTE"
	EPCI       Level = "EPCI"
	Commune    Level = "COMMUNE"
)

// Levels lists every level from the largest to the smallest.
var Levels = []Level{Country, Region, Department, CRTE, EPCI, Commune}

// Rank orders levels from the largest (0, the country) to the smallest (5, the commune);
// it is -1 for an unknown level.
func (l Level) Rank() int {
	switch l { // a switch, not a search of Levels: sorting the ancestry calls it millions of times
	case Country:
		return 0
	case Region:
		return 1
	case Department:
		return 2
	case CRTE:
		return 3
	case EPCI:
		return 4
	case Commune:
		return 5
	}
	return -1
}

// Valid reports whether l is one of the known levels.
func (l Level) Valid() bool { return l.Rank() >= 0 }

// CountryCode is the code of the root of the hierarchy.
const CountryCode = "FR"

// Key identifies a territory: its level and its code, unique within the level.
type Key struct {
	Level Level
	Code  string
}

// String returns "LEVEL:code", the form used in messages and on the command line.
func (k Key) String() string { return string(k.Level) + ":" + k.Code }

// ParseKey reads the "LEVEL:code" form.
func ParseKey(s string) (Key, error) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			k := Key{Level: Level(s[:i]), Code: s[i+1:]}
			if !k.Level.Valid() || k.Code == "" {
				break
			}
			return k, nil
		}
	}
	return Key{}, fmt.Errorf("territory key %q: want LEVEL:CODE with LEVEL one of %v", s, Levels)
}

// Territory is a node of the hierarchy with the attributes of its level.
type Territory struct {
	Key
	Name        string
	Population  int64
	Nature      string   // EPCI only: CC, CA, CU, METRO or MET69.
	SIREN       string   // EPCI and commune only.
	PostalCodes []string // commune only.
}

// Link is a weighted pair of territories: a direct membership (child in parent), or an
// ancestry row (territory in ancestor), the weight being the share of the smaller
// territory's population living in the larger one.
type Link struct {
	Child, Parent Key
	Weight        float64
}

// Depth is the difference of ranks between the two ends of the link.
func (l Link) Depth() int { return l.Child.Level.Rank() - l.Parent.Level.Rank() }

// Graph is the whole hierarchy ready to be stored.
type Graph struct {
	Territories []Territory
	// Memberships are the direct links shown as a territory's parents.
	Memberships []Link
	// Ancestry is the transitive closure of the memberships, with one self row (weight 1)
	// per territory, so that a roll-up is a single join.
	Ancestry []Link
}

// sortLinks orders links by child then parent, so that builds are reproducible.
func sortLinks(ls []Link) {
	slices.SortFunc(ls, func(a, b Link) int {
		if c := CompareKeys(a.Child, b.Child); c != 0 {
			return c
		}
		return CompareKeys(a.Parent, b.Parent)
	})
}

// CompareKeys orders keys from the largest level down, then by code: the order of a
// territory's ancestors.
func CompareKeys(a, b Key) int {
	if c := cmp.Compare(a.Level.Rank(), b.Level.Rank()); c != 0 {
		return c
	}
	return strings.Compare(a.Code, b.Code)
}
