//go:build faults

package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The operations of the load: two reads a client of the dashboard sends, and the write
// a partner sends, each with its own idempotency key.
const (
	readTerritory  = `query Territory { territory(level: EPCI, code: "243500139") { name population ancestors { level code } } }`
	readObjectives = `query Objectives { territory(level: REGION, code: "53") { objectives(first: 50) { edges { node { targetValue unit } } } } }`
	writeAction    = `mutation CreateAction($key: String!) { createAction(input: {title: $key, territory: {level: EPCI, code: "243500139"}, sector: "transports", startYear: 2026}, idempotencyKey: $key) { id } }`
)

// httpClient sends the load: a request may take up to 20 s before it counts as hung.
var httpClient = http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 200}}

// Record is what the load saw of one request.
type Record struct {
	Sent       time.Time
	Latency    time.Duration
	Write      bool
	Status     int      // 0: no HTTP answer (Err says why)
	Codes      []string // the errors' extensions.code
	Retryable  bool     // some error said extensions.retryable: true
	RetryAfter string
	Err        string // transport error: reset, refused, timeout
	Key, ID    string // a write's idempotency key, and the id when acknowledged
}

// OK is a 200 with data and no error.
func (r Record) OK() bool { return r.Status == http.StatusOK && len(r.Codes) == 0 && r.Err == "" }

// Outcome names a failure for the report: the status and the codes, or the transport error.
func (r Record) Outcome() string {
	if r.Err != "" {
		return "no answer"
	}
	if len(r.Codes) == 0 {
		return fmt.Sprint(r.Status)
	}
	return fmt.Sprintf("%d %s", r.Status, strings.Join(r.Codes, ","))
}

// Load sends reads and writes at a steady rate, each in its own goroutine (an open loop:
// a slow answer does not slow the sending), until Stop.
type Load struct {
	Target func() string // base URL, read per request (a proxy, a server)
	Token  string        // API key of the writes
	Rate   int           // requests a second, a quarter of them writes
	Client *http.Client

	mu      sync.Mutex
	records []Record
	seq     atomic.Int64
	prefix  string
	cancel  context.CancelFunc
	done    chan struct{}
	wg      sync.WaitGroup
}

// StartLoad starts sending to url at rate requests a second.
func StartLoad(url func() string, token string, rate int) *Load {
	l := &Load{Target: url, Token: token, Rate: rate, done: make(chan struct{}),
		prefix: fmt.Sprintf("faults-%d-", time.Now().UnixNano()),
		Client: &httpClient}
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	go l.run(ctx)
	return l
}

func (l *Load) run(ctx context.Context) {
	defer close(l.done)
	tick := time.NewTicker(time.Second / time.Duration(l.Rate))
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		l.wg.Add(1)
		go func(n int) {
			defer l.wg.Done()
			var r Record
			switch n % 4 {
			case 0, 2:
				r = l.send(readTerritory, nil)
			case 1:
				r = l.send(readObjectives, nil)
			default:
				key := fmt.Sprintf("%s%d", l.prefix, l.seq.Add(1))
				r = l.send(writeAction, map[string]any{"key": key})
				r.Write, r.Key = true, key
			}
			l.mu.Lock()
			l.records = append(l.records, r)
			l.mu.Unlock()
		}(n)
	}
}

// Stop stops sending, waits for the answers in flight and returns every record, in the
// order sent.
func (l *Load) Stop() []Record {
	l.cancel()
	<-l.done
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	sort.Slice(l.records, func(i, j int) bool { return l.records[i].Sent.Before(l.records[j].Sent) })
	return l.records
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code      string `json:"code"`
			Retryable bool   `json:"retryable"`
		} `json:"extensions"`
	} `json:"errors"`
}

func (l *Load) send(query string, vars map[string]any) Record {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	r := Record{Sent: time.Now()}
	req, _ := http.NewRequest(http.MethodPost, l.Target()+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if vars != nil {
		req.Header.Set("Authorization", "Bearer "+l.Token)
	}
	resp, err := l.Client.Do(req)
	if err != nil {
		r.Latency, r.Err = time.Since(r.Sent), err.Error()
		return r
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	r.Latency, r.Status, r.RetryAfter = time.Since(r.Sent), resp.StatusCode, resp.Header.Get("Retry-After")
	if err != nil {
		r.Err = err.Error()
		return r
	}
	var g gqlResponse
	if err := json.Unmarshal(b, &g); err != nil {
		r.Codes = []string{"NOT_JSON"}
		return r
	}
	for _, e := range g.Errors {
		code := e.Extensions.Code
		if code == "" {
			code = "NO_CODE"
		}
		r.Codes = append(r.Codes, code)
		r.Retryable = r.Retryable || e.Extensions.Retryable
	}
	if vars != nil && r.OK() {
		var d struct {
			CreateAction struct{ ID string } `json:"createAction"`
		}
		json.Unmarshal(g.Data, &d)
		r.ID = d.CreateAction.ID
	}
	return r
}

// Acknowledged are the writes answered with an id: key to id.
func Acknowledged(recs []Record) map[string]string {
	acked := map[string]string{}
	for _, r := range recs {
		if r.Write && r.ID != "" {
			acked[r.Key] = r.ID
		}
	}
	return acked
}

// Between keeps the records sent in [from, to).
func Between(recs []Record, from, to time.Time) []Record {
	var out []Record
	for _, r := range recs {
		if !r.Sent.Before(from) && r.Sent.Before(to) {
			out = append(out, r)
		}
	}
	return out
}

// AnsweredBefore returns the records answered before t: a request sent just before a
// fault and answered during it belongs to neither side.
func AnsweredBefore(recs []Record, t time.Time) []Record {
	var out []Record
	for _, r := range recs {
		if r.Sent.Add(r.Latency).Before(t) {
			out = append(out, r)
		}
	}
	return out
}

// Recovery is how long after end the last failed request was sent: the time the service
// took to answer every request again (0 when none failed after end).
func Recovery(recs []Record, end time.Time) time.Duration {
	var last time.Time
	for _, r := range recs {
		if !r.OK() && r.Sent.After(end) && r.Sent.After(last) {
			last = r.Sent
		}
	}
	if last.IsZero() {
		return 0
	}
	return last.Sub(end)
}

// Percentile is the p-th percentile (0-100) of the latencies.
func Percentile(recs []Record, p float64) time.Duration {
	if len(recs) == 0 {
		return 0
	}
	ls := make([]time.Duration, len(recs))
	for i, r := range recs {
		ls[i] = r.Latency
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i] < ls[j] })
	i := int(float64(len(ls)-1) * p / 100)
	return ls[i]
}
