//go:build faults

package faults

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Proxy is the load balancer of a rolling deploy: round robin over the backends whose
// /readyz answered 200 at the last check (every 250 ms). Like nginx's proxy_next_upstream
// error, a request whose connection was refused goes to the next backend (it never
// reached the first); any other error is the client's 502.
type Proxy struct {
	*httptest.Server
	backends []*backend
	next     atomic.Uint64
	stop     chan struct{}

	mu     sync.Mutex
	errors []string // the errors answered 502, for the test's log
}

type backend struct {
	url     *url.URL
	proxy   *httputil.ReverseProxy
	healthy atomic.Bool
	served  atomic.Int64
}

// NewProxy balances over the servers' URLs.
func NewProxy(urls ...string) *Proxy {
	p := &Proxy{stop: make(chan struct{})}
	for _, u := range urls {
		pu, _ := url.Parse(u)
		b := &backend{url: pu, proxy: httputil.NewSingleHostReverseProxy(pu)}
		b.proxy.Transport = &http.Transport{MaxIdleConnsPerHost: 100, DialContext: (&net.Dialer{Timeout: time.Second}).DialContext}
		b.proxy.FlushInterval = -1 // event streams as they come
		b.healthy.Store(true)
		p.backends = append(p.backends, b)
	}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	go p.check()
	return p
}

func (p *Proxy) check() {
	for {
		select {
		case <-p.stop:
			return
		case <-time.After(250 * time.Millisecond):
		}
		for _, b := range p.backends {
			go func(b *backend) {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				defer cancel()
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.url.String()+"/readyz", nil)
				resp, err := http.DefaultClient.Do(req)
				ok := err == nil && resp.StatusCode == http.StatusOK
				if resp != nil {
					resp.Body.Close()
				}
				b.healthy.Store(ok)
			}(b)
		}
	}
}

// Errors are the backends' errors the proxy answered 502.
func (p *Proxy) Errors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errors...)
}

// Close stops the health checks and the proxy.
func (p *Proxy) Close() {
	close(p.stop)
	p.Server.Close()
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body) // kept to send again to the next backend
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	n := len(p.backends)
	start := int(p.next.Add(1))
	for i := 0; i < n; i++ {
		b := p.backends[(start+i)%n]
		if !b.healthy.Load() {
			continue
		}
		var refused bool
		r.Body = io.NopCloser(bytes.NewReader(body))
		rp := *b.proxy
		rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
			if errors.Is(err, syscall.ECONNREFUSED) {
				refused = true
				return
			}
			p.mu.Lock()
			p.errors = append(p.errors, err.Error())
			p.mu.Unlock()
			w.WriteHeader(http.StatusBadGateway)
		}
		rp.ServeHTTP(w, r)
		if !refused {
			b.served.Add(1)
			return
		}
		b.healthy.Store(false)
	}
	http.Error(w, "no healthy backend", http.StatusBadGateway)
}
