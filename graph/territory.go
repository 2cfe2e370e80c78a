package graph

import (
	"context"
	"errors"

	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/ent/ancestry"
	"github.com/cop-territoriales/cop-api/ent/membership"
	"github.com/cop-territoriales/cop-api/ent/predicate"
	"github.com/cop-territoriales/cop-api/ent/territory"
	"github.com/cop-territoriales/cop-api/graph/model"
)

// MaxSearchResults bounds searchTerritories.
const MaxSearchResults = 100

// territoryID resolves a key given by a client; an unknown key is a NOT_FOUND error.
func (r *Resolver) territoryID(ctx context.Context, k model.TerritoryKey) (int, error) {
	id, err := r.client.Territory.Query().Where(territory.LevelEQ(k.Level), territory.Code(k.Code)).OnlyID(ctx)
	if ent.IsNotFound(err) {
		return 0, notFound("no territory %s:%s", k.Level, k.Code)
	}
	return id, err
}

// childrenOf selects the territories directly under id, of one level when level is set.
func childrenOf(id int, level *territory.Level) predicate.Territory {
	p := territory.HasParentsWith(membership.ParentID(id))
	if level != nil {
		return territory.And(p, territory.LevelEQ(*level))
	}
	return p
}

// descendantsOf selects the territories wholly or partly inside id.
func descendantsOf(id int, level *territory.Level) predicate.Territory {
	p := territory.HasAncestriesWith(ancestry.AncestorID(id), ancestry.DepthGT(0))
	if level != nil {
		return territory.And(p, territory.LevelEQ(*level))
	}
	return p
}

// nullIfNotFound turns ent's not-found error into a GraphQL null.
func nullIfNotFound[T any](v T, err error) (T, error) {
	var zero T
	var nf *ent.NotFoundError
	if errors.As(err, &nf) {
		return zero, nil
	}
	return v, err
}
