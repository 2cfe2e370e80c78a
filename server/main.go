// Command server serves the COP territoriales GraphQL API and runs its imports.
//
// Usage:
//
//	go run ./server [flags]                 serve GraphQL at /graphql, the dashboard at /, GraphiQL at /graphiql
//	go run ./server [flags] import crte FILE      CRTE perimeters (ANCT CSV format)
//	go run ./server [flags] import sgpe FILE      SGPE regional objectives (simulateur territorial JSON)
//	go run ./server [flags] import national FILE  national emissions by sector (CSV)
//	go run ./server [flags] import observations FILE  observations (CSV: level,code,lever,sector,metric,unit,year,value,source)
//
//	go run ./server keys create --org NAME --territory LEVEL:CODE --role reader|contributor|coordinator|admin
//	go run ./server keys revoke PREFIX
//	go run ./server keys list
//	go run ./server webhooks add --key PREFIX --url URL --events E1,E2   a partner's webhook (secret shown once)
//	go run ./server webhooks list [--key PREFIX]
//	go run ./server webhooks remove ID
//	go run ./server migrate [-allow-destructive]   apply the pending versioned migrations
//	go run ./server backup FILE           a consistent copy of the database, while it serves
//	go run ./server restore [-force] FILE  a backup into an empty database (-force: over the SQLite file; stop the server first)
//	go run ./server seed demo [-actions N] [-commitments N] [-seed S]   synthetic demo data
//
// Flags, each with an environment variable (go run ./server -help lists them):
//
//	-addr ADDR            listen address (LISTEN_ADDR; default ":8080", or ":$PORT")
//	-db PATH              SQLite file used without a database URL (SQLITE_PATH; "cop.db")
//	-sqlite-synchronous S FULL: a commit is on disk before it is acknowledged; NORMAL: faster (SQLITE_SYNCHRONOUS; FULL)
//	-database-url URL     postgres://user@host:port/db?sslmode=disable (DATABASE_URL)
//	-database-read-url U  a streaming replica of it, for queries (DATABASE_READ_URL)
//	-database-read-max-lag D  reads go to the primary while the replica is further behind; 0: never (DATABASE_READ_MAX_LAG; 30s)
//	-log-level LEVEL      debug, info, warn, error (LOG_LEVEL); logs are JSON on stderr
//	-cors-origins LIST    origins browsers may call from, * for any (CORS_ORIGINS)
//	-introspection BOOL   let clients read the schema (INTROSPECTION; true)
//	-max-depth N          deepest nesting of an operation (MAX_DEPTH; 15)
//	-max-fields N         most fields an operation selects, aliases included (MAX_FIELDS; 500)
//	-max-complexity N     highest cost: fields times page sizes (MAX_COMPLEXITY; 200000)
//	-rate-limit R         requests a second per API key, else per address (RATE_LIMIT; 100)
//	-rate-burst N         requests at once above the rate (RATE_BURST; 200)
//	-apq-cache N          automatic persisted queries kept (APQ_CACHE; 1000)
//	-trusted-documents FILE  JSON manifest {"sha256:<hex>": "query ..."} of operations served by their hash (TRUSTED_DOCUMENTS)
//	-trusted-documents-mode M  allow: listed and other operations; only: anonymous clients run listed ones only (TRUSTED_DOCUMENTS_MODE; allow)
//	-timeout D            longest an operation may run (OPERATION_TIMEOUT; 15s)
//	-webhook-allow-loopback  webhooks may use http:// on loopback: development only (WEBHOOK_ALLOW_LOOPBACK)
//	-webhook-dispatch BOOL   send webhook deliveries from this instance (WEBHOOK_DISPATCH; true)
//	-webhook-timeout D       longest one webhook delivery may take (WEBHOOK_TIMEOUT; 10s)
//	-shutdown-drain D        on SIGTERM, how long /readyz answers 503 before the listener closes (SHUTDOWN_DRAIN; 0)
//
// Tracing: with OTEL_EXPORTER_OTLP_ENDPOINT set, operations and resolvers are traced over
// OTLP/HTTP (the other OTEL_EXPORTER_OTLP_* variables apply).
//
// Serving also sends the webhook deliveries (retried for 72 hours) and feeds the GraphQL
// subscriptions: from PostgreSQL notifications, so that a change written on any instance
// reaches them, or from the process's own writes on SQLite.
//
// On first start the database is created, migrated and loaded with the territorial
// hierarchy embedded in the binary; later starts reuse it. Every start applies the pending
// versioned migrations of migrations/, except those that drop a table or a column, which
// wait for "migrate -allow-destructive".
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}
