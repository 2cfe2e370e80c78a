package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/store"
)

// Error codes of refused writes.
const (
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeForbidden       = "FORBIDDEN"
)

type principalKey struct{}

// authState is what the request's Authorization header said.
type authState struct {
	principal *access.Principal
	err       error // why a presented key was refused
}

// withPrincipal authenticates "Authorization: Bearer <API key>". Reads need no key; a
// refused key makes every write of the request fail with UNAUTHENTICATED.
func withPrincipal(client *ent.Client, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var st authState
		if h := r.Header.Get("Authorization"); h != "" {
			key, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				st.err = fmt.Errorf("%w: use Authorization: Bearer <API key>", access.ErrUnauthenticated)
			} else {
				st.principal, st.err = store.Authenticate(r.Context(), client, strings.TrimSpace(key))
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, st)))
	})
}

// principal returns the request's principal, or the reason its key was refused: an
// UNAUTHENTICATED error, or an internal one when the keys could not be read.
func principal(ctx context.Context) (*access.Principal, error) {
	st, _ := ctx.Value(principalKey{}).(authState)
	if st.err != nil {
		if errors.Is(st.err, access.ErrUnauthenticated) {
			return nil, &userError{code: CodeUnauthenticated, msg: st.err.Error()}
		}
		return nil, st.err
	}
	return st.principal, nil
}

// requireWrite refuses a write of a record of territory id unless the key may write there.
func (r *Resolver) requireWrite(ctx context.Context, id int) (*access.Principal, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	inside := false
	if p != nil && p.Role != access.Admin && p.Role != access.Reader {
		if inside, err = store.Inside(ctx, r.client, id, p.TerritoryID); err != nil {
			return nil, err
		}
	}
	return p, access.CanWrite(p, inside)
}

// requireCoordinator refuses an act of a region's coordinator (adopting commitments,
// running the COP) unless the key coordinates that region.
func (r *Resolver) requireCoordinator(ctx context.Context, regionID int) (*access.Principal, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	inside := false
	if p != nil && p.Role == access.Coordinator {
		if inside, err = store.Inside(ctx, r.client, regionID, p.TerritoryID); err != nil {
			return nil, err
		}
	}
	return p, access.CanCoordinate(p, inside)
}

// requireKey refuses a request without a valid key before anything else is looked at.
func requireKey(ctx context.Context) error {
	p, err := principal(ctx)
	if err != nil {
		return err
	}
	return access.CanWrite(p, true) // no key: UNAUTHENTICATED; a reader: FORBIDDEN
}
