package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

func TestTracing(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		spans := tracetest.NewInMemoryExporter()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
		opts := httpapi.DefaultOptions()
		opts.Tracer = tp.Tracer("test")
		svc := service.New(db.Client)
		h := httpapi.NewMux(svc, partners.New(svc, db.Client), opts)
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query": "query Page { territory(level: REGION, code: \"53\") { name ancestors { code } } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
		h.ServeHTTP(httptest.NewRecorder(), req)
		names := map[string]bool{}
		for _, s := range spans.GetSpans() {
			names[s.Name] = true
			if s.SpanContext.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
				t.Errorf("span %s is not in the caller's trace: %s", s.Name, s.SpanContext.TraceID())
			}
		}
		for _, want := range []string{"query Page", "Query.territory", "Territory.ancestors"} {
			if !names[want] {
				t.Errorf("no span %q in %v", want, names)
			}
		}
		if names["Territory.name"] {
			t.Error("plain fields should not make spans")
		}
	})
}
