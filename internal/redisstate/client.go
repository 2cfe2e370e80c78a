package redisstate

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cop-territoriales/cop-api/store"
)

// The deadlines of a command to Redis, unless REDIS_URL sets its own (dial_timeout,
// read_timeout, write_timeout, pool_timeout). A command takes well under a millisecond
// when Redis answers; go-redis's own (5 s, with 3 retries of 5 dials each) made every
// request of a serving instance wait 1.7 s on a stopped Redis. These bound the one slow
// command a request may meet before the instance knows Redis is down.
const (
	dialTimeout = 200 * time.Millisecond
	ioTimeout   = 100 * time.Millisecond
)

// How often a down Redis is asked whether it answers again: after probeFirst, then twice
// as long each time, up to probeAtMost.
const (
	probeFirst  = time.Second
	probeAtMost = 10 * time.Second
)

// Client is an instance's connection to Redis and what it knows of Redis's health. While
// Redis answers, the rate limiter and the query store share their state through it; once
// a command fails for a reason of Redis's (store.Unavailable), they keep their state in
// this instance's memory and do not ask Redis again until a ping in the background finds
// it answering. No request waits on a Redis known to be down.
type Client struct {
	rdb  *redis.Client
	log  *slog.Logger
	up   atomic.Bool
	stop chan struct{}
	// probeFirst and probeAtMost are those of the package; tests shorten them.
	probeFirst, probeAtMost time.Duration

	mu      sync.Mutex // guards closed and the start of probe
	closed  bool
	probing sync.WaitGroup
	since   time.Time // when Redis went down
}

// Open connects to the Redis server of a redis:// URL. A malformed URL is an error; a Redis
// that does not answer is not: the client starts down, logs it, and is up once Redis
// answers.
func Open(ctx context.Context, redisURL string) (*Client, error) {
	return open(ctx, redisURL, slog.Default(), probeFirst, probeAtMost)
}

func open(ctx context.Context, redisURL string, log *slog.Logger, first, atMost time.Duration) (*Client, error) {
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	bound(opt)
	logOnce.Do(func() { redis.SetLogger(debugLogger{}) })
	c := &Client{rdb: redis.NewClient(opt), log: log, stop: make(chan struct{}), probeFirst: first, probeAtMost: atMost}
	c.up.Store(true)
	if err := c.ping(ctx); err != nil {
		reason, ok := store.Unavailable(err)
		if !ok {
			reason = "no answer" // a wrong password, or the context's end: the probe tells
		}
		c.down(reason, err)
	}
	return c, nil
}

// bound gives opt the short deadlines above where the URL gives none, and no retries: a
// command that fails makes the instance use its own state at once.
func bound(opt *redis.Options) {
	if opt.DialTimeout == 0 {
		opt.DialTimeout = dialTimeout
	}
	if opt.ReadTimeout == 0 {
		opt.ReadTimeout = ioTimeout
	}
	if opt.WriteTimeout == 0 {
		opt.WriteTimeout = ioTimeout
	}
	if opt.PoolTimeout == 0 {
		opt.PoolTimeout = dialTimeout
	}
	if opt.MaxRetries == 0 {
		opt.MaxRetries = -1
	}
	if opt.DialerRetries == 0 {
		opt.DialerRetries = 1
	}
}

// Addr is the address of the Redis server.
func (c *Client) Addr() string { return c.rdb.Options().Addr }

// Up says whether Redis answered the last command sent to it.
func (c *Client) Up() bool { return c.up.Load() }

// Close stops asking Redis whether it is back, and closes the connections.
func (c *Client) Close() error {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.stop)
	}
	c.mu.Unlock()
	c.probing.Wait()
	return c.rdb.Close()
}

func (c *Client) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, dialTimeout+ioTimeout)
	defer cancel()
	return c.rdb.Ping(ctx).Err()
}

// failed takes note of a command's error: when Redis could not take the command, the
// client goes down. Other errors are the command's, and are logged each time.
func (c *Client) failed(ctx context.Context, what string, err error) {
	if reason, ok := store.Unavailable(err); ok {
		c.down(reason, err)
		return
	}
	if ctx.Err() == nil { // a request gone away says nothing of Redis
		c.log.WarnContext(ctx, what+": Redis refused the command, answered by this instance alone", "err", err)
	}
}

// down marks Redis down, once for all the commands that fail together, and starts asking
// it whether it is back.
func (c *Client) down(reason string, err error) {
	if !c.up.CompareAndSwap(true, false) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.since = time.Now()
	c.log.Warn("Redis unavailable: this instance keeps its own rate limits and persisted queries until Redis answers",
		"addr", c.Addr(), "reason", reason, "err", err)
	c.probing.Add(1)
	go c.probe()
}

// probe pings Redis until it answers, less often as the outage lasts, then marks it up.
func (c *Client) probe() {
	defer c.probing.Done()
	wait := c.probeFirst
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		if err := c.ping(context.Background()); err == nil {
			c.mu.Lock()
			down := time.Since(c.since)
			c.mu.Unlock()
			c.log.Info("Redis answers: rate limits and persisted queries are shared through it",
				"addr", c.Addr(), "down", down.Round(time.Millisecond).String())
			c.up.Store(true)
			return
		}
		wait = min(2*wait, c.probeAtMost)
		t.Reset(wait)
	}
}

var logOnce sync.Once

// debugLogger writes go-redis's own messages (a line per failed dial) at the debug level:
// the client logs an outage once, as a warning.
type debugLogger struct{}

func (debugLogger) Printf(ctx context.Context, format string, v ...any) {
	slog.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
