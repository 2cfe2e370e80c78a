package httpapi

import (
	"net/http"

	"github.com/cop-territoriales/cop-api/service"
)

// withPrincipal authenticates "Authorization: Bearer <API key>". Reads need no key; a
// refused key makes every write of the request fail with UNAUTHENTICATED.
func withPrincipal(svc *service.Service, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := r.Header.Get("Authorization"); h != "" {
			p, err := svc.AuthenticateHeader(r.Context(), h)
			r = r.WithContext(service.WithPrincipal(r.Context(), p, err))
		}
		next.ServeHTTP(w, r)
	})
}
