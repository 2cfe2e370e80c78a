// Package redisstate keeps in Redis the state that instances of the server must share to
// act as one: the rate limit buckets of clients, so that N instances enforce one limit,
// and the automatic persisted queries, so that a query registered through one instance
// is found through every other. The server uses it when REDIS_URL is set; without it,
// each instance keeps its own, in memory.
//
// No request waits on a Redis that is down: while it is (Client), each instance keeps
// its own buckets and queries in memory, as it would without REDIS_URL, and shares them
// again once Redis answers.
package redisstate

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/redis/go-redis/v9"
)

// Limiter is a rate limiter of one instance (httpapi.MemoryRateLimiter), used while
// Redis is down.
type Limiter interface {
	Allow(ctx context.Context, client string) (ok bool, retryAfter time.Duration, err error)
}

// RateLimiter is a token bucket per client kept in Redis: every instance takes from the
// same buckets. The bucket is refilled with Redis's clock, so instances whose clocks
// differ still agree. While Redis is down, local limits the clients of this instance
// alone.
type RateLimiter struct {
	c           *Client
	prefix      string
	rate, burst float64
	local       Limiter
}

// NewRateLimiter limits each client to perSecond requests a second, burst at once, with
// keys prefix+client; local, given the same rate and burst, limits them while Redis is
// down.
func NewRateLimiter(c *Client, prefix string, perSecond float64, burst int, local Limiter) *RateLimiter {
	return &RateLimiter{c: c, prefix: prefix, rate: perSecond, burst: float64(max(burst, 1)), local: local}
}

// takeToken refills a bucket for the time gone by, then takes a token from it or says
// how long to wait for one (seconds). The bucket expires once it would be full again.
var takeToken = redis.NewScript(`
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'last')
local tokens, last = tonumber(b[1]) or burst, tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - last) * rate)
local ok, wait = 0, 0
if tokens >= 1 then tokens, ok = tokens - 1, 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'last', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil((burst - tokens) / rate) + 1)
return {ok, tostring(wait)}`)

// chargeTokens refills a bucket for the time gone by, then takes ARGV[3] tokens from it,
// below zero if it must (work already done: the rows of an export). The bucket expires
// once it would be full again, debt included.
var chargeTokens = redis.NewScript(`
local rate, burst, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'last')
local tokens, last = tonumber(b[1]) or burst, tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - last) * rate) - n
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'last', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil((burst - tokens) / rate) + 1)
return 1`)

// Charge takes n tokens from the client's bucket, into debt if it holds fewer: from the
// bucket in Redis while Redis answers, else from this instance's when it can be charged.
func (l *RateLimiter) Charge(ctx context.Context, client string, n float64) error {
	if l.c.Up() {
		err := chargeTokens.Run(ctx, l.c.rdb, []string{l.prefix + client}, l.rate, l.burst, n).Err()
		if err == nil {
			return nil
		}
		l.c.failed(ctx, "rate limit", fmt.Errorf("rate limit charge: %w", err))
	}
	if c, ok := l.local.(interface {
		Charge(ctx context.Context, client string, n float64) error
	}); ok {
		return c.Charge(ctx, client, n)
	}
	return nil
}

// Allow takes a token from the client's bucket, or says how long to wait for one: from
// the bucket in Redis while Redis answers, else from this instance's.
func (l *RateLimiter) Allow(ctx context.Context, client string) (bool, time.Duration, error) {
	if l.c.Up() {
		ok, wait, err := l.shared(ctx, client)
		if err == nil {
			return ok, wait, nil
		}
		l.c.failed(ctx, "rate limit", err)
	}
	return l.local.Allow(ctx, client)
}

func (l *RateLimiter) shared(ctx context.Context, client string) (bool, time.Duration, error) {
	res, err := takeToken.Run(ctx, l.c.rdb, []string{l.prefix + client}, l.rate, l.burst).Slice()
	if err != nil {
		return false, 0, fmt.Errorf("rate limit: %w", err)
	}
	if len(res) != 2 {
		return false, 0, fmt.Errorf("rate limit: unexpected answer %v", res)
	}
	ok, _ := res[0].(int64)
	s, _ := res[1].(string)
	wait, _ := strconv.ParseFloat(s, 64)
	return ok == 1, time.Duration(math.Ceil(wait * float64(time.Second))), nil
}

// Limit is the rate allowed, per second.
func (l *RateLimiter) Limit() float64 { return l.rate }

// QueryStore keeps automatic persisted queries in Redis for ttl after their last use:
// gqlgen's graphql.Cache[string]. While Redis is down, queries are kept in local, this
// instance's cache; they are still found there once Redis answers again (a query missing
// from both is a miss, and the client sends it again).
type QueryStore struct {
	c      *Client
	prefix string
	ttl    time.Duration
	local  graphql.Cache[string]
}

// NewQueryStore keeps queries under prefix+hash for ttl, and in local (gqlgen's lru.LRU)
// while Redis is down.
func NewQueryStore(c *Client, prefix string, ttl time.Duration, local graphql.Cache[string]) *QueryStore {
	return &QueryStore{c: c, prefix: prefix, ttl: ttl, local: local}
}

// Get returns the query of a hash, extending its life in Redis.
func (s *QueryStore) Get(ctx context.Context, hash string) (string, bool) {
	if s.c.Up() {
		q, err := s.c.rdb.GetEx(ctx, s.prefix+hash, s.ttl).Result()
		if err == nil {
			return q, true
		}
		if err != redis.Nil {
			s.c.failed(ctx, "persisted query store", err)
		}
	}
	return s.local.Get(ctx, hash)
}

// Add keeps a query under its hash.
func (s *QueryStore) Add(ctx context.Context, hash, query string) {
	if s.c.Up() {
		err := s.c.rdb.Set(ctx, s.prefix+hash, query, s.ttl).Err()
		if err == nil {
			return
		}
		s.c.failed(ctx, "persisted query store", err)
	}
	s.local.Add(ctx, hash, query)
}
