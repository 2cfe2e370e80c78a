package httpapi

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/cop-territoriales/cop-api/service"
)

// The bulk exports are the heaviest reads: a file of 20,000 actions is 3.7 MB, and 300
// such downloads, 30 at a time from one address, took the 2-core machine 72 s. They are
// bounded two ways. Their rows are charged to the client's rate limit bucket as they are
// streamed, at the price GraphQL asks for the same rows read a largest page at a time;
// and the downloads streamed at once are capped, per instance and per client.
const (
	// ExportRowsPerToken is how many rows of a bulk export one token of the rate limit
	// pays for, beyond the token the request takes: service.MaxPageSize, the rows one
	// GraphQL request may read for one token.
	ExportRowsPerToken = service.MaxPageSize
	// DefaultExportsPerInstance is the default cap on the bulk exports an instance streams
	// at once (EXPORTS_PER_INSTANCE): two a core of the machine they were measured on.
	DefaultExportsPerInstance = 4
	// DefaultExportsPerClient is the default cap on the bulk exports one client (API key,
	// else address) has streamed at once by an instance (EXPORTS_PER_CLIENT).
	DefaultExportsPerClient = 2
	// exportRetryAfter is the wait a refusal for a cap suggests: about what a large
	// export takes to stream.
	exportRetryAfter = 5 * time.Second
)

// Codes of the refusals of an export past a cap.
const (
	// CodeTooManyExports refuses a client that has ExportsPerClient downloads in flight.
	CodeTooManyExports = "TOO_MANY_EXPORTS"
	// CodeExportsBusy refuses any client while the instance streams ExportsPerInstance.
	CodeExportsBusy = "EXPORTS_BUSY"
)

// exportSlots counts the bulk exports in flight, in all and per client.
type exportSlots struct {
	perInstance, perClient int // 0 for no cap

	mu       sync.Mutex
	total    int
	byClient map[string]int
}

func newExportSlots(perInstance, perClient int) *exportSlots {
	return &exportSlots{perInstance: perInstance, perClient: perClient, byClient: map[string]int{}}
}

// acquire takes a slot for client, or refuses with the status and code of the cap it
// would pass: the client's own first, so that a client told to wait for the instance is
// not one that could only have waited for itself.
func (s *exportSlots) acquire(client string) (release func(), status int, code string) {
	if s == nil {
		return func() {}, 0, ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.perClient > 0 && s.byClient[client] >= s.perClient:
		return nil, http.StatusTooManyRequests, CodeTooManyExports
	case s.perInstance > 0 && s.total >= s.perInstance:
		return nil, http.StatusServiceUnavailable, CodeExportsBusy
	}
	s.total++
	s.byClient[client]++
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.total--
			if s.byClient[client]--; s.byClient[client] <= 0 {
				delete(s.byClient, client)
			}
		})
	}, 0, ""
}

// refuseExport answers an export past a cap.
func refuseExport(w http.ResponseWriter, status int, code string, s *exportSlots) {
	w.Header().Set("Retry-After", fmt.Sprint(int(exportRetryAfter.Seconds())))
	msg := fmt.Sprintf("too many exports at once: at most %d per client; retry in %s", s.perClient, exportRetryAfter)
	if code == CodeExportsBusy {
		msg = fmt.Sprintf("the server streams %d exports already, its most; retry in %s", s.perInstance, exportRetryAfter)
	}
	httpError(w, status, code, msg)
}

// exportLimits are what bound a bulk export: the rate limiter its rows are charged to,
// and the slots of the downloads in flight; either nil for none.
type exportLimits struct {
	limiter RateLimiter
	slots   *exportSlots
}

func (o Options) exportLimits(limiter RateLimiter) exportLimits {
	var slots *exportSlots
	if o.ExportsPerInstance > 0 || o.ExportsPerClient > 0 {
		slots = newExportSlots(o.ExportsPerInstance, o.ExportsPerClient)
	}
	return exportLimits{limiter: limiter, slots: slots}
}
