package httpapi

import (
	"context"
	"log/slog"
	"time"
)

// RateLimiter decides whether a client may send one more request now.
type RateLimiter interface {
	// Allow takes a token from the client's bucket, or says how long to wait for one.
	Allow(ctx context.Context, client string) (ok bool, retryAfter time.Duration, err error)
	// Limit is the rate allowed, per second.
	Limit() float64
}

// Charger is a RateLimiter that also takes tokens for work already done, below zero if it
// must: the rows of a bulk export, as they are streamed. Both limiters of the project are
// Chargers; another one is charged through Allow, which takes only the tokens there are.
type Charger interface {
	// Charge takes n tokens from the client's bucket, into debt if it holds fewer.
	Charge(ctx context.Context, client string, n float64) error
}

// rateLimiter returns the limiter of the options: RateLimiter, else one kept in memory
// when RatePerSecond is set; nil for none.
func (o Options) rateLimiter() RateLimiter {
	if o.RateLimiter != nil {
		return o.RateLimiter
	}
	if o.RatePerSecond > 0 {
		return newRateLimiter(o.RatePerSecond, o.RateBurst)
	}
	return nil
}

// MemoryRateLimiter is the limiter of one instance, its buckets in memory: perSecond
// requests a second per client, burst at once. It is what an instance uses without a
// shared one, and what a shared one falls back to while its store is unreachable.
func MemoryRateLimiter(perSecond float64, burst int) RateLimiter {
	return newRateLimiter(perSecond, burst)
}

// Allow takes a token from the client's bucket kept in memory.
func (l *rateLimiter) Allow(_ context.Context, client string) (bool, time.Duration, error) {
	ok, wait := l.allow(client)
	return ok, wait, nil
}

// Limit is the rate allowed, per second.
func (l *rateLimiter) Limit() float64 { return l.rate }

// Charge takes n tokens from the client's bucket kept in memory, into debt if need be.
func (l *rateLimiter) Charge(_ context.Context, client string, n float64) error {
	l.charge(client, n)
	return nil
}

// charge takes n tokens for work done; when the limiter cannot tell (its store is
// unreachable) the work is not charged, as allow lets the request through.
func charge(ctx context.Context, l RateLimiter, client string, n float64) {
	if c, ok := l.(Charger); ok {
		if err := c.Charge(ctx, client, n); err != nil {
			slog.WarnContext(ctx, "rate limit unavailable, work not charged", "err", err)
		}
		return
	}
	for range int(n) {
		if ok, _ := allow(ctx, l, client); !ok {
			return
		}
	}
}

// allow asks l; when it cannot tell (its store is unreachable), the request goes on: an
// outage of the shared store must not take the API down.
func allow(ctx context.Context, l RateLimiter, client string) (bool, time.Duration) {
	ok, wait, err := l.Allow(ctx, client)
	if err != nil {
		slog.WarnContext(ctx, "rate limit unavailable, request let through", "err", err)
		return true, 0
	}
	return ok, wait
}
