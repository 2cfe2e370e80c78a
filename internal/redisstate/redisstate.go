// Package redisstate keeps in Redis the state that instances of the server must share to
// act as one: the rate limit buckets of clients, so that N instances enforce one limit,
// and the automatic persisted queries, so that a query registered through one instance
// is found through every other. The server uses it when REDIS_URL is set; without it,
// each instance keeps its own, in memory.
package redisstate

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Open connects to the Redis server of a redis:// URL and checks that it answers.
func Open(ctx context.Context, redisURL string) (*redis.Client, error) {
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	c := redis.NewClient(opt)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("redis %s: %w", opt.Addr, err)
	}
	return c, nil
}

// RateLimiter is a token bucket per client kept in Redis: every instance takes from the
// same buckets. The bucket is refilled with Redis's clock, so instances whose clocks
// differ still agree.
type RateLimiter struct {
	c           *redis.Client
	prefix      string
	rate, burst float64
}

// NewRateLimiter limits each client to perSecond requests a second, burst at once, with
// keys prefix+client.
func NewRateLimiter(c *redis.Client, prefix string, perSecond float64, burst int) *RateLimiter {
	return &RateLimiter{c: c, prefix: prefix, rate: perSecond, burst: float64(max(burst, 1))}
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

// Charge takes n tokens from the client's bucket, into debt if it holds fewer.
func (l *RateLimiter) Charge(ctx context.Context, client string, n float64) error {
	if err := chargeTokens.Run(ctx, l.c, []string{l.prefix + client}, l.rate, l.burst, n).Err(); err != nil {
		return fmt.Errorf("rate limit charge: %w", err)
	}
	return nil
}

// Allow takes a token from the client's bucket, or says how long to wait for one.
func (l *RateLimiter) Allow(ctx context.Context, client string) (bool, time.Duration, error) {
	res, err := takeToken.Run(ctx, l.c, []string{l.prefix + client}, l.rate, l.burst).Slice()
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
// gqlgen's graphql.Cache[string].
type QueryStore struct {
	c      *redis.Client
	prefix string
	ttl    time.Duration
}

// NewQueryStore keeps queries under prefix+hash for ttl.
func NewQueryStore(c *redis.Client, prefix string, ttl time.Duration) *QueryStore {
	return &QueryStore{c: c, prefix: prefix, ttl: ttl}
}

// Get returns the query of a hash, extending its life; a Redis error reads as a miss
// (the client then sends the query again).
func (s *QueryStore) Get(ctx context.Context, hash string) (string, bool) {
	q, err := s.c.GetEx(ctx, s.prefix+hash, s.ttl).Result()
	if err != nil {
		if err != redis.Nil {
			slog.WarnContext(ctx, "persisted query store", "err", err)
		}
		return "", false
	}
	return q, true
}

// Add keeps a query under its hash.
func (s *QueryStore) Add(ctx context.Context, hash, query string) {
	if err := s.c.Set(ctx, s.prefix+hash, query, s.ttl).Err(); err != nil {
		slog.WarnContext(ctx, "persisted query store", "err", err)
	}
}
