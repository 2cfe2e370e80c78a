package httpapi

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cop-territoriales/cop-api/graph"
	"github.com/cop-territoriales/cop-api/store"
)

// latencyBuckets are the upper bounds, in seconds, of the latency histogram.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// Metrics counts GraphQL operations, by operation name and outcome, with their latency
// and SQL statements, and serves them in the Prometheus text format.
type Metrics struct {
	mu  sync.Mutex
	ops map[opKey]*opStats
	// DBStats reads the database pool, when the server gives it.
	DBStats func() sql.DBStats
}

type opKey struct{ name, outcome string }

type opStats struct {
	count      uint64
	seconds    float64
	buckets    []uint64
	statements uint64
}

// MaxMetricSeries bounds the operation names and outcomes the metrics keep apart; past
// it, operations count under the name "other". With names of at most
// graph.MaxOperationNameLength characters, /metrics stays under a megabyte.
const MaxMetricSeries = 200

// metricName is the label of an operation: its name as the document defines it,
// "anonymous" without one, "invalid" when the request named no operation of its document,
// and "other" for a name that is not a GraphQL name of at most
// graph.MaxOperationNameLength characters (such operations are refused anyway).
func metricName(oc *graphql.OperationContext) string {
	if oc.Operation == nil {
		return "invalid"
	}
	name := oc.Operation.Name
	switch {
	case name == "":
		return "anonymous"
	case len(name) > graph.MaxOperationNameLength || !graphQLName.MatchString(name):
		return "other"
	}
	return name
}

var graphQLName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]*$`)

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics { return &Metrics{ops: map[opKey]*opStats{}} }

// ExtensionName names the gqlgen extension.
func (m *Metrics) ExtensionName() string { return "Metrics" }

// Validate accepts any schema.
func (m *Metrics) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse measures one operation: its time, statements and outcome.
func (m *Metrics) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	var statements atomic.Int64
	start := time.Now()
	resp := next(store.CountStatements(ctx, &statements))
	name := metricName(graphql.GetOperationContext(ctx))
	m.observe(opKey{name, outcome(ctx, resp)}, time.Since(start).Seconds(), uint64(statements.Load()))
	return resp
}

func (m *Metrics) observe(k opKey, seconds float64, statements uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.ops[k]
	if s == nil {
		if len(m.ops) >= MaxMetricSeries { // operation names come from clients: bound the series
			k.name = "other"
			if s = m.ops[k]; s == nil {
				s = &opStats{buckets: make([]uint64, len(latencyBuckets))}
				m.ops[k] = s
			}
		} else {
			s = &opStats{buckets: make([]uint64, len(latencyBuckets))}
			m.ops[k] = s
		}
	}
	s.count++
	s.seconds += seconds
	s.statements += statements
	for i, b := range latencyBuckets {
		if seconds <= b {
			s.buckets[i]++
		}
	}
}

// ServeHTTP writes the metrics in the Prometheus text format.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	m.write(w)
}

func (m *Metrics) write(w io.Writer) {
	m.mu.Lock()
	keys := make([]opKey, 0, len(m.ops))
	for k := range m.ops {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].name != keys[j].name {
			return keys[i].name < keys[j].name
		}
		return keys[i].outcome < keys[j].outcome
	})
	fmt.Fprintln(w, "# HELP cop_graphql_operations_total GraphQL operations by name and outcome.")
	fmt.Fprintln(w, "# TYPE cop_graphql_operations_total counter")
	for _, k := range keys {
		fmt.Fprintf(w, "cop_graphql_operations_total{operation=%q,outcome=%q} %d\n", k.name, k.outcome, m.ops[k].count)
	}
	fmt.Fprintln(w, "# HELP cop_graphql_operation_duration_seconds Time to answer a GraphQL operation.")
	fmt.Fprintln(w, "# TYPE cop_graphql_operation_duration_seconds histogram")
	for _, k := range keys {
		s := m.ops[k]
		for i, b := range latencyBuckets {
			fmt.Fprintf(w, "cop_graphql_operation_duration_seconds_bucket{operation=%q,outcome=%q,le=\"%g\"} %d\n", k.name, k.outcome, b, s.buckets[i])
		}
		fmt.Fprintf(w, "cop_graphql_operation_duration_seconds_bucket{operation=%q,outcome=%q,le=\"+Inf\"} %d\n", k.name, k.outcome, s.count)
		fmt.Fprintf(w, "cop_graphql_operation_duration_seconds_sum{operation=%q,outcome=%q} %g\n", k.name, k.outcome, s.seconds)
		fmt.Fprintf(w, "cop_graphql_operation_duration_seconds_count{operation=%q,outcome=%q} %d\n", k.name, k.outcome, s.count)
	}
	fmt.Fprintln(w, "# HELP cop_graphql_sql_statements_total SQL statements run by GraphQL operations.")
	fmt.Fprintln(w, "# TYPE cop_graphql_sql_statements_total counter")
	for _, k := range keys {
		fmt.Fprintf(w, "cop_graphql_sql_statements_total{operation=%q,outcome=%q} %d\n", k.name, k.outcome, m.ops[k].statements)
	}
	m.mu.Unlock()
	if m.DBStats != nil {
		st := m.DBStats()
		fmt.Fprintln(w, "# HELP cop_db_connections Database pool connections by state.")
		fmt.Fprintln(w, "# TYPE cop_db_connections gauge")
		fmt.Fprintf(w, "cop_db_connections{state=\"in_use\"} %d\ncop_db_connections{state=\"idle\"} %d\n", st.InUse, st.Idle)
		fmt.Fprintln(w, "# HELP cop_db_wait_total Connections waited for.")
		fmt.Fprintln(w, "# TYPE cop_db_wait_total counter")
		fmt.Fprintf(w, "cop_db_wait_total %d\n", st.WaitCount)
	}
}
