package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cop-territoriales/cop-api/data"
	"github.com/cop-territoriales/cop-api/graph"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/ops"
	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
	"github.com/cop-territoriales/cop-api/web"
)

// commandsUsage lists the commands, for -help and for an unknown command.
const commandsUsage = "usage: server [flags] [serve | migrate [-allow-destructive] | backup FILE | restore [-force] FILE | import [-allow-unterminated] crte|sgpe|national|observations FILE | check [-repair] | keys create|revoke|list | webhooks add|list|remove | seed demo [-actions N] [-commitments N] [-seed S]]"

// config is what flags and environment say; a flag wins over its variable.
type config struct {
	addr        string
	sqlitePath  string
	sqliteSync  store.Sync
	databaseURL string
	readURL     string
	readMaxLag  time.Duration
	timeouts    timeouts
	logLevel    slog.Level
	api         httpapi.Options
	webhooks    webhookConfig // webhooks.go
	cache       cacheConfig
	shared      sharedConfig
	trusted     trustedConfig
	args        []string
}

// trustedConfig is where the trusted documents come from (-trusted-documents), read when
// the server starts.
type trustedConfig struct {
	file, mode string
}

// load reads the trusted documents: the dashboard's (embedded, so that the dashboard this
// server serves works in the "only" mode) and the file's, each checked against the schema.
func (t trustedConfig) load() (*graph.TrustedDocuments, error) {
	manifests := []graph.Manifest{{Name: "of the dashboard (embedded)", Data: web.TrustedDocuments()}}
	if t.file != "" {
		b, err := os.ReadFile(t.file)
		if err != nil {
			return nil, fmt.Errorf("-trusted-documents: %w", err)
		}
		manifests = append(manifests, graph.Manifest{Name: t.file, Data: b})
	}
	docs, err := graph.NewTrustedDocuments(t.mode, manifests...)
	if err != nil {
		return nil, fmt.Errorf("-trusted-documents: %w", err)
	}
	return docs, nil
}

func parseConfig(args []string, getenv func(string) string) (config, error) {
	return parseConfigTo(args, getenv, os.Stderr)
}

// parseConfigTo is parseConfig writing usage and flag errors to out.
func parseConfigTo(args []string, getenv func(string) string, out io.Writer) (config, error) {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(out)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	defAddr := ":8080"
	if p := getenv("PORT"); p != "" {
		defAddr = ":" + p
	}
	def := httpapi.DefaultOptions()
	var c config
	var level, origins, sync string
	var introspection bool
	fs.StringVar(&c.addr, "addr", env("LISTEN_ADDR", defAddr), "listen address (LISTEN_ADDR; PORT gives :PORT)")
	fs.StringVar(&c.sqlitePath, "db", env("SQLITE_PATH", "cop.db"), "SQLite file used when -database-url is empty (SQLITE_PATH)")
	fs.StringVar(&sync, "sqlite-synchronous", env("SQLITE_SYNCHRONOUS", string(store.SyncFull)), "FULL: an SQLite commit is on disk before it is acknowledged; NORMAL: faster, a power cut may lose the last ones (SQLITE_SYNCHRONOUS)")
	fs.StringVar(&c.databaseURL, "database-url", getenv("DATABASE_URL"), "postgres:// URL of the database (DATABASE_URL)")
	fs.StringVar(&c.readURL, "database-read-url", getenv("DATABASE_READ_URL"), "postgres:// URL of a streaming replica for queries (DATABASE_READ_URL)")
	fs.DurationVar(&c.readMaxLag, "database-read-max-lag", duration(env("DATABASE_READ_MAX_LAG", ""), 30*time.Second), "reads go to the primary while the replica is further behind; 0: they stay on it (DATABASE_READ_MAX_LAG)")
	fs.StringVar(&level, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (LOG_LEVEL)")
	fs.StringVar(&origins, "cors-origins", env("CORS_ORIGINS", strings.Join(def.CORSOrigins, ",")), "comma-separated origins browsers may call from, * for any (CORS_ORIGINS)")
	fs.BoolVar(&introspection, "introspection", env("INTROSPECTION", "true") == "true", "let clients read the schema (INTROSPECTION)")
	fs.IntVar(&c.api.GraphQL.MaxDepth, "max-depth", atoi(env("MAX_DEPTH", ""), def.GraphQL.MaxDepth), "deepest nesting of an operation (MAX_DEPTH)")
	fs.IntVar(&c.api.GraphQL.MaxFields, "max-fields", atoi(env("MAX_FIELDS", ""), def.GraphQL.MaxFields), "most fields an operation may select, aliases included (MAX_FIELDS)")
	fs.IntVar(&c.api.GraphQL.MaxComplexity, "max-complexity", atoi(env("MAX_COMPLEXITY", ""), def.GraphQL.MaxComplexity), "highest cost of an operation: fields times page sizes (MAX_COMPLEXITY)")
	fs.Float64Var(&c.api.RatePerSecond, "rate-limit", float(env("RATE_LIMIT", ""), def.RatePerSecond), "requests a second per API key, or per address without one; 0 for no limit (RATE_LIMIT)")
	fs.IntVar(&c.api.RateBurst, "rate-burst", atoi(env("RATE_BURST", ""), def.RateBurst), "requests a client may send at once above its rate (RATE_BURST)")
	fs.IntVar(&c.api.ExportsPerInstance, "exports-per-instance", atoi(env("EXPORTS_PER_INSTANCE", ""), def.ExportsPerInstance), "bulk exports this instance streams at once, 503 EXPORTS_BUSY past it; 0 for no cap (EXPORTS_PER_INSTANCE)")
	fs.IntVar(&c.api.ExportsPerClient, "exports-per-client", atoi(env("EXPORTS_PER_CLIENT", ""), def.ExportsPerClient), "bulk exports one API key, or address without one, streams at once from this instance, 429 TOO_MANY_EXPORTS past it; 0 for no cap (EXPORTS_PER_CLIENT)")
	fs.IntVar(&c.api.GraphQL.APQCacheSize, "apq-cache", atoi(env("APQ_CACHE", ""), def.GraphQL.APQCacheSize), "automatic persisted queries kept (APQ_CACHE)")
	fs.StringVar(&c.trusted.file, "trusted-documents", getenv("TRUSTED_DOCUMENTS"), "JSON manifest of trusted documents {\"sha256:<hex>\": \"query ...\"}, served by documentId or persisted-query hash (TRUSTED_DOCUMENTS)")
	fs.StringVar(&c.trusted.mode, "trusted-documents-mode", env("TRUSTED_DOCUMENTS_MODE", graph.TrustedAllow), "allow: listed and other operations; only: anonymous clients run listed documents only (TRUSTED_DOCUMENTS_MODE)")
	c.cache.flags(fs, env)
	c.shared.flags(fs, getenv)
	fs.DurationVar(&c.api.Timeout, "timeout", duration(env("OPERATION_TIMEOUT", ""), def.Timeout), "longest an operation may run (OPERATION_TIMEOUT)")
	webhookFlags(fs, env, &c.webhooks)
	var drain time.Duration
	fs.DurationVar(&drain, "shutdown-drain", duration(env("SHUTDOWN_DRAIN", ""), 0),
		"on SIGTERM, how long /readyz answers 503 while requests are still served, before the listener closes (SHUTDOWN_DRAIN)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), commandsUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if err := c.logLevel.UnmarshalText([]byte(level)); err != nil {
		return c, fmt.Errorf("-log-level: %w", err)
	}
	var err error
	if c.sqliteSync, err = store.ParseSync(sync); err != nil {
		return c, fmt.Errorf("-sqlite-synchronous: %w", err)
	}
	c.timeouts = defaultTimeouts
	c.timeouts.drain = drain
	c.api.GraphQL.Introspection = introspection
	c.api.CORSOrigins = strings.Split(origins, ",")
	c.args = fs.Args()
	return c, nil
}

func atoi(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

func float(s string, def float64) float64 {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	return def
}

func duration(s string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(s); err == nil {
		return d
	}
	return def
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	cfg, err := parseConfig(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := slog.New(httpapi.ContextLogHandler{Handler: slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.logLevel})})
	slog.SetDefault(logger)
	if len(cfg.args) > 0 && cfg.args[0] == "migrate" {
		return migrate(ctx, cfg, cfg.args[1:])
	}
	if len(cfg.args) > 0 && cfg.args[0] == "backup" { // backup.go: neither migrated nor loaded
		return backup(ctx, cfg, cfg.args[1:], os.Stdout)
	}
	if len(cfg.args) > 0 && cfg.args[0] == "restore" {
		return restore(ctx, cfg, cfg.args[1:], os.Stdout)
	}
	if len(cfg.args) > 0 && !slices.Contains([]string{"serve", "import", "seed", "keys", "check", "webhooks"}, cfg.args[0]) {
		return fmt.Errorf("unknown command %q; %s", strings.Join(cfg.args, " "), commandsUsage) // before opening a database
	}
	if len(cfg.args) == 0 || cfg.args[0] == "serve" {
		// Before the database: a manifest the server would not serve stops the start at once.
		if cfg.api.GraphQL.TrustedDocuments, err = cfg.trusted.load(); err != nil {
			return err
		}
	}
	// Writers wait for another writer's lock (SQLite) three quarters of an operation's
	// time, then answer UNAVAILABLE (retryable) before the operation's TIMEOUT.
	lim := store.Limits{BusyTimeout: store.BusyTimeoutWithin(cfg.api.Timeout), Synchronous: cfg.sqliteSync, ReplicaMaxLag: cfg.readMaxLag}
	db, err := openLoaded(ctx, cfg, lim)
	if err != nil {
		return err
	}
	if len(cfg.args) == 0 || cfg.args[0] == "serve" {
		// Loaded: the requests' statements are bounded by the operation timeout in the
		// database too. (Loading a new database takes longer statements.)
		db.Close()
		lim.StatementTimeout = cfg.api.Timeout
		if db, err = open(ctx, cfg, lim); err != nil {
			return err
		}
	}
	defer db.Close()
	switch {
	case len(cfg.args) == 0 || cfg.args[0] == "serve":
		return serve(ctx, cfg, db)
	case cfg.args[0] == "import":
		return importFile(ctx, db, cfg.args[1:])
	case cfg.args[0] == "check":
		return check(ctx, db, cfg.args[1:], os.Stdout)
	case cfg.args[0] == "seed":
		return seed(ctx, db, cfg.args[1:])
	case cfg.args[0] == "keys":
		return keys(ctx, db, cfg.args[1:], os.Stdout)
	case cfg.args[0] == "webhooks":
		return webhooks(ctx, db, cfg, cfg.args[1:], os.Stdout)
	default:
		return fmt.Errorf("unknown command %q; %s", strings.Join(cfg.args, " "), commandsUsage)
	}
}

// open opens and migrates the database.
func open(ctx context.Context, cfg config, lim store.Limits) (*store.DB, error) {
	if cfg.readURL != "" {
		return store.OpenReplicatedWith(ctx, cfg.databaseURL, cfg.readURL, lim)
	}
	return store.OpenWith(ctx, cfg.databaseURL, cfg.sqlitePath, lim)
}

// openLoaded opens and migrates the database, loading the hierarchy on first start.
func openLoaded(ctx context.Context, cfg config, lim store.Limits) (*store.DB, error) {
	db, err := open(ctx, cfg, lim)
	if err != nil {
		return nil, err
	}
	// One instance at a time: others started together find the data loaded.
	if err := db.Exclusively(ctx, func() error { return loadEmbedded(ctx, db) }); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// loadEmbedded loads what the binary embeds and the database lacks: the hierarchy, the
// catalogue, the SGPE objectives and the national figures.
func loadEmbedded(ctx context.Context, db *store.DB) error {
	start := time.Now()
	svc := service.New(db.Client)
	loaded, err := svc.EnsureHierarchy(ctx, data.Hierarchy)
	if err != nil {
		return err
	}
	if err := svc.EnsureCatalogue(ctx); err != nil {
		return err
	}
	if loaded > 0 {
		slog.Info("loaded the territorial hierarchy", "territories", loaded, "took", time.Since(start).Round(time.Millisecond).String())
	}
	start = time.Now()
	if planned, err := svc.EnsurePlanning(ctx, data.SGPE, data.National); err != nil {
		return fmt.Errorf("load the planning data: %w", err)
	} else if planned {
		slog.Info("loaded the SGPE objectives and the national figures", "took", time.Since(start).Round(time.Millisecond).String())
	}
	return nil
}

func serve(ctx context.Context, cfg config, db *store.DB) error {
	if os.Getenv("GOGC") == "" {
		// Collect garbage less often than Go's default (100): the live heap is small
		// and a request allocates a lot of short-lived values. Measured on a region's
		// objectives: 35% more requests a second, peak memory 103 MB instead of 73.
		debug.SetGCPercent(400)
	}
	tr, flush, err := tracer(ctx, os.Getenv)
	if err != nil {
		return err
	}
	defer flush(context.Background())
	cfg.api.Tracer = tr
	cfg.api.Metrics = httpapi.NewMetrics()
	cfg.api.Metrics.DBStats = db.Stats
	cfg.api.Ready = db.Ready
	if db.HasReplica() {
		cfg.api.Consistency = db
	}
	if err := cfg.cache.apply(ctx, cfg.databaseURL, db, &cfg.api); err != nil {
		return err
	}
	closeShared, err := cfg.shared.apply(ctx, &cfg.api)
	if err != nil {
		return err
	}
	defer closeShared()
	svc := service.New(db.Client)
	warmUp(ctx, svc, db.HasReplica(), 10*time.Second) // warm.go: not listening, so not ready, before it is warm
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	slog.Info("serving GraphQL", "addr", ln.Addr().String(), "graphql", "/graphql", "dashboard", "/", "graphiql", "/graphiql",
		"trusted_documents", cfg.api.GraphQL.TrustedDocuments.Len(), "trusted_documents_only", cfg.api.GraphQL.TrustedDocuments.Only())
	ps := partners.New(svc, db.Client)
	stop := startPartners(ctx, ps, db, cfg.webhooks) // webhooks.go
	defer stop()
	return serveOn(ctx, ln, httpapi.WithRequestLog(slog.Default(), httpapi.NewMux(svc, ps, cfg.api)), cfg.timeouts,
		ps.EndSubscriptions)
}

// timeouts bound the phases of an HTTP exchange, so that slow clients cannot hold
// connections, and of the shutdown.
type timeouts struct {
	readHeader, read, write, idle, shutdown time.Duration
	// drain is how long /readyz answers 503 on shutdown before the listener closes, so
	// that a load balancer moves traffic away first (SHUTDOWN_DRAIN, 0 by default).
	drain time.Duration
}

var defaultTimeouts = timeouts{readHeader: 10 * time.Second, read: 30 * time.Second,
	write: 60 * time.Second, idle: 120 * time.Second, shutdown: 20 * time.Second}

// serveOn serves h on ln until ctx ends, then shuts down gracefully, in this order:
//
//  1. for t.drain, /readyz answers 503 and everything else is served as before;
//  2. the listener closes: new connections are refused;
//  3. the subscriptions end cleanly (endSubscriptions, then the streams' contexts: SSE
//     streams send their complete event and end, WebSocket connections send complete
//     and a close frame), since http.Server.Shutdown would wait for SSE streams until
//     its timeout and never waits for WebSockets, cut when the process exits;
//  4. requests in flight finish, within t.shutdown for the whole shutdown.
func serveOn(ctx context.Context, ln net.Listener, h http.Handler, t timeouts, endSubscriptions ...func()) error {
	var draining atomic.Bool
	streams := httpapi.NewStreams()
	srv := &http.Server{Handler: notReadyWhile(&draining, h), ReadHeaderTimeout: t.readHeader, ReadTimeout: t.read,
		WriteTimeout: t.write, IdleTimeout: t.idle, BaseContext: streams.BaseContext}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	start := time.Now()
	if t.drain > 0 {
		draining.Store(true)
		slog.Info("shutting down: /readyz answers 503 while traffic moves away", "drain", t.drain.String())
		time.Sleep(t.drain)
	}
	shutdown, cancel := context.WithTimeout(context.Background(), t.shutdown)
	defer cancel()
	ended := make(chan error, 1)
	go func() {
		for _, end := range endSubscriptions {
			end()
		}
		if len(endSubscriptions) > 0 {
			// Each subscription's complete is written by its own goroutine as it ends: a
			// moment for them, or a WebSocket's close frame could pass them.
			time.Sleep(lastWords)
		}
		ended <- streams.End(shutdown)
	}()
	err := srv.Shutdown(shutdown) // closes the listener at once, then waits for requests in flight
	if serr := <-ended; err == nil && serr != nil {
		err = fmt.Errorf("subscriptions still open: %w", serr)
	}
	slog.Info("shut down", "took", time.Since(start).Round(time.Millisecond).String())
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// lastWords is how long the subscriptions ended on shutdown have to send their complete
// before their connections close (measured: well under a millisecond on loopback).
const lastWords = 100 * time.Millisecond

// notReadyWhile answers /readyz with 503 SHUTTING_DOWN while draining holds, and passes
// every request to h.
func notReadyWhile(draining *atomic.Bool, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" && draining.Load() {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"errors":[{"message":"shutting down","extensions":{"code":"SHUTTING_DOWN"}}]}`+"\n")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// migrate runs "migrate [-allow-destructive]": the pending versioned migrations, in order.
func migrate(ctx context.Context, cfg config, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	allow := fs.Bool("allow-destructive", false, "apply migrations that drop tables or columns")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, drv, err := store.OpenSQL(ctx, cfg.databaseURL, cfg.sqlitePath)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := store.Migrate(ctx, db, drv, *allow)
	for _, m := range applied {
		fmt.Printf("applied %s\n", m.Version)
	}
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Println("the schema is up to date")
	}
	return nil
}

// seed runs "seed demo [-actions N] [-commitments N] [-seed S]".
func seed(ctx context.Context, db *store.DB, args []string) error {
	if len(args) == 0 || args[0] != "demo" {
		return fmt.Errorf("seed: want seed demo [-actions N] [-commitments N] [-seed S]")
	}
	fs := flag.NewFlagSet("seed demo", flag.ContinueOnError)
	var size ops.DemoSize
	fs.IntVar(&size.Actions, "actions", 200_000, "synthetic actions")
	fs.IntVar(&size.Commitments, "commitments", 100_000, "synthetic commitments")
	fs.Uint64Var(&size.Seed, "seed", 1, "random seed: the same seed gives the same data")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	start := time.Now()
	if err := ops.SeedDemo(ctx, db.Client, size); err != nil {
		return err
	}
	fmt.Printf("seeded %d synthetic actions and %d synthetic commitments (seed %d) in %s\n",
		size.Actions, size.Commitments, size.Seed, time.Since(start).Round(time.Millisecond))
	return nil
}

// importFile runs "import [-allow-unterminated] crte|sgpe|national|observations FILE".
func importFile(ctx context.Context, db *store.DB, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	var opts planning.ParseOptions
	fs.BoolVar(&opts.AllowUnterminated, "allow-unterminated", false,
		"accept a CSV file whose last line has no end of line (refused by default: it looks cut in transfer)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return fmt.Errorf("import: want import [-allow-unterminated] crte|sgpe|national|observations FILE")
	}
	kind, path := fs.Arg(0), fs.Arg(1)
	imp, ok := importers[kind]
	if !ok {
		return fmt.Errorf("unknown import %q; want one of crte, sgpe, national, observations", kind)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	msg, err := imp(ctx, db, f, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Printf("%s: %s\n", path, msg)
	return nil
}

// check runs "check [-repair]": compares the roll-up cells with the records and, with
// -repair, rebuilds them. Differences left make it fail.
func check(ctx context.Context, db *store.DB, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	repair := fs.Bool("repair", false, "rebuild the roll-up cells from the records, then check again")
	if err := fs.Parse(args); err != nil {
		return err
	}
	start := time.Now()
	rep, err := ops.CheckRollupCells(ctx, db.Client)
	if err != nil {
		return err
	}
	report(out, rep, time.Since(start))
	if rep.OK() {
		return nil
	}
	if !*repair {
		return fmt.Errorf("check: the roll-up cells differ from the records; run: server check -repair")
	}
	start = time.Now()
	if err := ops.RebuildRollupCells(ctx, db.Client); err != nil {
		return err
	}
	fmt.Fprintf(out, "rebuilt the roll-up cells in %s\n", time.Since(start).Round(time.Millisecond))
	if rep, err = ops.CheckRollupCells(ctx, db.Client); err != nil {
		return err
	}
	report(out, rep, 0)
	if !rep.OK() {
		return fmt.Errorf("check: the roll-up cells still differ after the rebuild")
	}
	return nil
}

func report(out io.Writer, rep ops.RollupReport, took time.Duration) {
	if rep.OK() {
		fmt.Fprintf(out, "roll-up cells: no difference (%d territories compared)", rep.Territories)
	} else {
		fmt.Fprintf(out, "roll-up cells: %d cells and %d territories differ from the records (%d territories compared)",
			rep.CellDiffs, rep.TerritoryDiffs, rep.Territories)
	}
	if took > 0 {
		fmt.Fprintf(out, " in %s", took.Round(time.Millisecond))
	}
	fmt.Fprintln(out)
	for _, e := range rep.Examples {
		fmt.Fprintln(out, "  "+e)
	}
}

// importers read a file of one format and store it, returning what they did.
var importers = map[string]func(context.Context, *store.DB, io.Reader, planning.ParseOptions) (string, error){
	"crte": func(ctx context.Context, db *store.DB, r io.Reader, opts planning.ParseOptions) (string, error) {
		rows, err := hierarchy.ParseCRTEWith(r, opts)
		if err != nil {
			return "", err
		}
		sum, err := service.New(db.Client).ImportCRTE(ctx, rows)
		return fmt.Sprintf("imported %d CRTE with %d member groupings", sum.CRTEs, sum.Members), err
	},
	"sgpe": func(ctx context.Context, db *store.DB, r io.Reader, _ planning.ParseOptions) (string, error) {
		svc := service.New(db.Client)
		codes, err := svc.RegionCodes(ctx)
		if err != nil {
			return "", err
		}
		f, err := planning.ParseSGPE(r, codes)
		if err != nil {
			return "", err
		}
		sum, err := svc.ImportSGPE(ctx, f)
		return fmt.Sprintf("imported %d levers and %d region objectives (%d rows skipped), derived %d objectives",
			sum.Levers, sum.Objectives, f.Skipped, sum.Derived), err
	},
	"national": func(ctx context.Context, db *store.DB, r io.Reader, opts planning.ParseOptions) (string, error) {
		rows, err := planning.ParseNationalWith(r, opts)
		if err != nil {
			return "", err
		}
		sum, err := service.New(db.Client).ImportNational(ctx, rows)
		return fmt.Sprintf("imported %d national objectives and %d observations", sum.Objectives, sum.Observations), err
	},
	"observations": func(ctx context.Context, db *store.DB, r io.Reader, opts planning.ParseOptions) (string, error) {
		recs, err := planning.ParseObservationsWith(r, opts)
		if err != nil {
			return "", err
		}
		n, err := service.New(db.Client).ImportObservations(ctx, recs)
		return fmt.Sprintf("imported %d observations", n), err
	},
}
