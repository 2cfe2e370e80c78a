package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/cop-territoriales/cop-api/access"
)

type principalKey struct{}

// authState is what the request's credentials said.
type authState struct {
	principal *access.Principal
	err       error // why a presented key was refused
}

// WithPrincipal returns a context carrying the request's principal (nil without a key),
// or the reason its key was refused: every write of the request then fails with it.
func WithPrincipal(ctx context.Context, p *access.Principal, err error) context.Context {
	return context.WithValue(ctx, principalKey{}, authState{principal: p, err: err})
}

// principal returns the request's principal, or the reason its key was refused.
func principal(ctx context.Context) (*access.Principal, error) {
	st, _ := ctx.Value(principalKey{}).(authState)
	return st.principal, st.err
}

// RequestPrincipal returns the request's principal (nil without a key), or the reason its
// key was refused: for the checks of other packages (partners' webhooks belong to a key).
func RequestPrincipal(ctx context.Context) (*access.Principal, error) { return principal(ctx) }

// requireWrite refuses a write of a record of territory id unless the key may write there.
func (svc *Service) requireWrite(ctx context.Context, id int) (*access.Principal, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	inside := false
	if p != nil && p.Role != access.Admin && p.Role != access.Reader {
		if inside, err = svc.inside(ctx, id, p.TerritoryID); err != nil {
			return nil, err
		}
	}
	return p, access.CanWrite(p, inside)
}

// requireCoordinator refuses an act of a region's coordinator (adopting commitments,
// running the COP) unless the key coordinates that region.
func (svc *Service) requireCoordinator(ctx context.Context, regionID int) (*access.Principal, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	inside := false
	if p != nil && p.Role == access.Coordinator {
		if inside, err = svc.inside(ctx, regionID, p.TerritoryID); err != nil {
			return nil, err
		}
	}
	return p, access.CanCoordinate(p, inside)
}

// requireKey refuses a request without a valid key before anything else is looked at.
func requireKey(ctx context.Context) (*access.Principal, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	return p, access.CanWrite(p, true) // no key: UNAUTHENTICATED; a reader: FORBIDDEN
}

// AuthenticateHeader returns the principal of an "Authorization" header value ("Bearer KEY"),
// nil for an empty one, or an error wrapping access.ErrUnauthenticated.
func (svc *Service) AuthenticateHeader(ctx context.Context, header string) (*access.Principal, error) {
	if header == "" {
		return nil, nil
	}
	key, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return nil, fmt.Errorf("%w: use Authorization: Bearer <API key>", access.ErrUnauthenticated)
	}
	return svc.Authenticate(ctx, strings.TrimSpace(key))
}

// Principal returns the request's principal: nil without a key or with a refused one.
func Principal(ctx context.Context) *access.Principal {
	p, err := principal(ctx)
	if err != nil {
		return nil
	}
	return p
}
