package httpapi

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/cop-territoriales/cop-api/service"
)

// CodeRateLimited refuses a client over its rate.
const CodeRateLimited = "RATE_LIMITED"

// rateLimiter is a token bucket per client: per API key when the request carries a valid
// one, else per client address.
type rateLimiter struct {
	rate, burst float64
	now         func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds the memory of the limiter; past it, idle buckets are dropped.
const maxBuckets = 100_000

func newRateLimiter(perSecond float64, burst int) *rateLimiter {
	return &rateLimiter{rate: perSecond, burst: float64(max(burst, 1)), now: time.Now, buckets: map[string]*bucket{}}
}

// allow takes a token from the client's bucket, or says how long to wait for one.
func (l *rateLimiter) allow(client string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[client]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			for k, old := range l.buckets {
				if old.tokens+now.Sub(old.last).Seconds()*l.rate >= l.burst {
					delete(l.buckets, k) // full again: forgetting it changes nothing
				}
			}
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[client] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// charge takes n tokens from the client's bucket for work already done, below zero if
// it must: the client then waits for its debt to be paid before its next request.
func (l *rateLimiter) charge(client string, n float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[client]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[client] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate) - n
	b.last = now
}

// withRateLimit refuses clients over their rate with 429 and Retry-After. It runs after
// withPrincipal, so that a key is counted only once it is known to be valid.
func withRateLimit(l RateLimiter, next http.Handler) http.Handler {
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := allow(r.Context(), l, rateClient(r)); !ok {
			w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
			httpError(w, http.StatusTooManyRequests, CodeRateLimited, fmt.Sprintf("too many requests: at most %g a second; retry in %s", l.Limit(), wait.Round(time.Millisecond)))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// rateClient names the request's client for the limits: its valid key, else its address.
func rateClient(r *http.Request) string {
	if p := service.Principal(r.Context()); p != nil {
		return "key " + p.Prefix
	}
	return "addr " + clientAddr(r)
}

// clientAddr is the address the request came from (forwarding headers are not trusted:
// put the limit at the load balancer when there is one).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
