package redisstate

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/redis/go-redis/v9"

	"github.com/cop-territoriales/cop-api/httpapi"
)

// redisServer is a redis-server of the test's own, on a free port, that the test may stop,
// pause and start again (never the shared one).
type redisServer struct {
	t    *testing.T
	port int
	dir  string
}

// newRedisServer picks a free port and, when start is true, starts a Redis there; the test
// is skipped when redis-server is not installed.
func newRedisServer(t *testing.T, start bool) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &redisServer{t: t, port: l.Addr().(*net.TCPAddr).Port, dir: t.TempDir()}
	l.Close()
	t.Cleanup(func() {
		if s.pid() != 0 {
			s.signal(syscall.SIGCONT)
			s.stop()
		}
	})
	if start {
		s.start()
	}
	return s
}

func (s *redisServer) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", s.port) }

func (s *redisServer) pidfile() string { return filepath.Join(s.dir, "redis.pid") }

func (s *redisServer) pid() int {
	b, err := os.ReadFile(s.pidfile())
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// start runs redis-server and waits until it answers.
func (s *redisServer) start() {
	s.t.Helper()
	out, err := exec.Command("redis-server", "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "yes", "--pidfile", s.pidfile(),
		"--logfile", filepath.Join(s.dir, "redis.log"), "--dir", s.dir).CombinedOutput()
	if err != nil {
		s.t.Fatalf("redis-server: %v %s", err, out)
	}
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", s.port), MaxRetries: -1, DialerRetries: 1})
	defer c.Close()
	for deadline := time.Now().Add(5 * time.Second); c.Ping(context.Background()).Err() != nil; {
		if time.Now().After(deadline) {
			s.t.Fatalf("redis-server on port %d does not answer", s.port)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop kills the server, as a crash would, and waits until its port refuses connections
// (the process itself may linger until it is reaped).
func (s *redisServer) stop() {
	s.t.Helper()
	if s.pid() == 0 {
		s.t.Fatal("no redis-server to stop")
	}
	s.signal(syscall.SIGKILL)
	os.Remove(s.pidfile())
	for deadline := time.Now().Add(5 * time.Second); ; {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.port))
		if err != nil {
			return
		}
		c.Close()
		if time.Now().After(deadline) {
			s.t.Fatalf("redis-server on port %d does not stop", s.port)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// signal sends sig to the server: SIGSTOP leaves its port open and unanswered, as a
// host cut off the network does; SIGCONT resumes it.
func (s *redisServer) signal(sig syscall.Signal) {
	if err := syscall.Kill(s.pid(), sig); err != nil {
		s.t.Fatal(err)
	}
}

// logs records what a client logs.
type logs struct {
	mu    sync.Mutex
	lines bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lines.Write(p)
}

// count is the number of lines at level.
func (l *logs) count(level string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.lines.String(), "level="+level+" ")
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lines.String()
}

// testClient opens url with a probe every 20 ms or so, its logs recorded.
func testClient(t *testing.T, url string) (*Client, *logs) {
	t.Helper()
	l := &logs{}
	c, err := open(context.Background(), url, slog.New(slog.NewTextHandler(l, nil)), 20*time.Millisecond, 40*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, l
}

// waitUp waits until c finds Redis answering again.
func waitUp(t *testing.T, c *Client) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); !c.Up(); {
		if time.Now().After(deadline) {
			t.Fatal("Redis answers again, the client still says it is down")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// outages are the two ways a serving instance loses Redis: the server stops (the port
// refuses connections), or it stops answering with its port open (the short deadlines
// end the command).
var outages = []struct {
	name       string
	down, back func(*redisServer)
}{
	{"stopped", (*redisServer).stop, (*redisServer).start},
	{"not answering", func(s *redisServer) { s.signal(syscall.SIGSTOP) }, func(s *redisServer) { s.signal(syscall.SIGCONT) }},
}

// slowest is the longest a call may take once the client knows Redis is down: it asks
// nothing of Redis then (a call takes microseconds; the margin is for a loaded machine).
const slowest = 20 * time.Millisecond

// TestRateLimiterOutage takes Redis away under a limiter that already used a client's
// burst in Redis: the first call may wait for the short deadlines, every call after it
// answers at once, one warning is logged, the limit holds in the instance's memory, and
// the buckets are in Redis again once it answers.
func TestRateLimiterOutage(t *testing.T) {
	for _, o := range outages {
		t.Run(o.name, func(t *testing.T) {
			srv := newRedisServer(t, true)
			c, logs := testClient(t, srv.url())
			const rate, burst = 0.001, 3 // no token comes back during the test
			l := NewRateLimiter(c, "rate:", rate, burst, httpapi.MemoryRateLimiter(rate, burst))
			ctx := context.Background()
			for i := range burst + 1 {
				if ok, _, err := l.Allow(ctx, "a"); ok != (i < burst) || err != nil {
					t.Fatalf("call %d with Redis up: %v, %v", i+1, ok, err)
				}
			}

			o.down(srv)
			// The instance's own bucket starts full: burst calls pass, then none.
			for i := range 50 {
				start := time.Now()
				ok, _, err := l.Allow(ctx, "a")
				took := time.Since(start)
				if err != nil || ok != (i < burst) {
					t.Fatalf("call %d with Redis down: %v, %v; want %v", i+1, ok, err, i < burst)
				}
				if i == 0 && took > 2*(dialTimeout+ioTimeout) {
					t.Errorf("the first call with Redis down took %s", took)
				}
				if i > 0 && took > slowest {
					t.Errorf("call %d with Redis known down took %s", i+1, took)
				}
			}
			if c.Up() {
				t.Fatal("the client says Redis is up")
			}
			if n := logs.count("WARN"); n != 1 {
				t.Errorf("%d warnings for one outage, want 1:\n%s", n, logs)
			}

			o.back(srv)
			waitUp(t, c)
			if n := logs.count("INFO"); n != 1 {
				t.Errorf("%d lines saying Redis answers again, want 1:\n%s", n, logs)
			}
			if ok, _, err := l.Allow(ctx, "b"); !ok || err != nil {
				t.Fatalf("a new client with Redis back: %v, %v", ok, err)
			}
			rdb := redis.NewClient(&redis.Options{Addr: c.Addr()})
			defer rdb.Close()
			if tokens, err := rdb.HGet(ctx, "rate:b", "tokens").Float64(); err != nil || tokens != burst-1 {
				t.Errorf("the bucket of a client seen once Redis is back: %v tokens, %v; want %d in Redis", tokens, err, burst-1)
			}
		})
	}
}

// TestQueryStoreOutage takes Redis away under a query store: a query registered before
// is a miss (the client sends it again), one registered while Redis is down is found on
// this instance, during and after the outage, and calls do not wait on Redis.
func TestQueryStoreOutage(t *testing.T) {
	for _, o := range outages {
		t.Run(o.name, func(t *testing.T) {
			srv := newRedisServer(t, true)
			c, logs := testClient(t, srv.url())
			s := NewQueryStore(c, "apq:", time.Minute, lru.New[string](10))
			ctx := context.Background()
			s.Add(ctx, "before", "{ before }")
			if q, ok := s.Get(ctx, "before"); !ok || q != "{ before }" {
				t.Fatalf("a query registered with Redis up: %q, %v", q, ok)
			}

			o.down(srv)
			start := time.Now()
			if _, ok := s.Get(ctx, "before"); ok {
				t.Error("a query kept in Redis alone, found with Redis down")
			}
			first := time.Now()
			s.Add(ctx, "during", "{ during }")
			for range 20 {
				if q, ok := s.Get(ctx, "during"); !ok || q != "{ during }" {
					t.Fatalf("a query registered while Redis is down: %q, %v", q, ok)
				}
			}
			if took := time.Since(first); took > slowest {
				t.Errorf("21 calls with Redis known down took %s", took)
			}
			if took := first.Sub(start); took > 2*(dialTimeout+ioTimeout) {
				t.Errorf("the first call with Redis down took %s", took)
			}
			if n := logs.count("WARN"); n != 1 {
				t.Errorf("%d warnings for one outage, want 1:\n%s", n, logs)
			}

			o.back(srv)
			waitUp(t, c)
			if q, ok := s.Get(ctx, "during"); !ok || q != "{ during }" {
				t.Errorf("a query registered while Redis was down, asked once it is back: %q, %v", q, ok)
			}
			s.Add(ctx, "after", "{ after }")
			rdb := redis.NewClient(&redis.Options{Addr: c.Addr()})
			defer rdb.Close()
			if q, err := rdb.Get(ctx, "apq:after").Result(); err != nil || q != "{ after }" {
				t.Errorf("a query registered once Redis is back: %q, %v in Redis", q, err)
			}
		})
	}
}

// TestOpenUnreachable opens a Redis that is not running: the client starts at once with
// the instance's own state, says so once, and shares the state once Redis starts.
func TestOpenUnreachable(t *testing.T) {
	srv := newRedisServer(t, false)
	start := time.Now()
	c, logs := testClient(t, srv.url())
	if took := time.Since(start); took > 2*(dialTimeout+ioTimeout) {
		t.Errorf("opening an unreachable Redis took %s", took)
	}
	if c.Up() {
		t.Fatal("the client says an unreachable Redis is up")
	}
	l := NewRateLimiter(c, "rate:", 0.001, 1, httpapi.MemoryRateLimiter(0.001, 1))
	ctx := context.Background()
	if ok, _, _ := l.Allow(ctx, "a"); !ok {
		t.Error("the first call, Redis unreachable since the start, was refused")
	}
	if ok, _, _ := l.Allow(ctx, "a"); ok {
		t.Error("a call over the burst, Redis unreachable since the start, passed")
	}
	time.Sleep(100 * time.Millisecond) // a few probes fail
	if n := logs.count("WARN"); n != 1 {
		t.Errorf("%d warnings for Redis unreachable at the start, want 1:\n%s", n, logs)
	}

	srv.start()
	waitUp(t, c)
	if ok, _, _ := l.Allow(ctx, "a"); !ok {
		t.Error("the first call in Redis's bucket was refused")
	}
	if n := logs.count("INFO"); n != 1 {
		t.Errorf("%d lines saying Redis answers, want 1:\n%s", n, logs)
	}
}

// TestOpenMalformedURL: a URL that names no Redis stops the start, naming REDIS_URL.
func TestOpenMalformedURL(t *testing.T) {
	for _, u := range []string{"127.0.0.1:6379", "http://127.0.0.1:6379", "redis://127.0.0.1:6379/db"} {
		c, err := Open(context.Background(), u)
		if err == nil {
			c.Close()
			t.Errorf("Open(%q): no error", u)
			continue
		}
		if !strings.Contains(err.Error(), "REDIS_URL") {
			t.Errorf("Open(%q): %v, not naming REDIS_URL", u, err)
		}
	}
}
