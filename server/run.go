package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/cop-territoriales/cop-api/data"
	"github.com/cop-territoriales/cop-api/graph"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/store"
)

// config is what flags and environment say.
type config struct {
	addr        string
	sqlitePath  string
	databaseURL string
	args        []string
}

func parseConfig(args []string, getenv func(string) string) (config, error) {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	defAddr := ":8080"
	if p := getenv("PORT"); p != "" {
		defAddr = ":" + p
	}
	var c config
	fs.StringVar(&c.addr, "addr", defAddr, "listen address")
	fs.StringVar(&c.sqlitePath, "db", "cop.db", "SQLite file used when DATABASE_URL is empty")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.databaseURL = getenv("DATABASE_URL")
	c.args = fs.Args()
	return c, nil
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	cfg, err := parseConfig(args, getenv)
	if err != nil {
		return err
	}
	db, err := openLoaded(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	switch {
	case len(cfg.args) == 0 || cfg.args[0] == "serve":
		return serve(ctx, cfg, db)
	case len(cfg.args) == 3 && cfg.args[0] == "import" && cfg.args[1] == "crte":
		return importCRTE(ctx, db, cfg.args[2])
	default:
		return fmt.Errorf("unknown command %q; want serve, or import crte FILE", cfg.args)
	}
}

// openLoaded opens and migrates the database, loading the hierarchy on first start.
func openLoaded(ctx context.Context, cfg config) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.databaseURL, cfg.sqlitePath)
	if err != nil {
		return nil, err
	}
	src, err := data.Hierarchy()
	if err != nil {
		db.Close()
		return nil, err
	}
	start := time.Now()
	loaded, err := store.EnsureHierarchy(ctx, db.Client, src)
	if err != nil {
		db.Close()
		return nil, err
	}
	if loaded {
		slog.Info("loaded the territorial hierarchy", "territories", len(src.Communes)+len(src.EPCIs)+len(src.Departments)+len(src.Regions)+1, "took", time.Since(start).Round(time.Millisecond))
	}
	return db, nil
}

func serve(ctx context.Context, cfg config, db *store.DB) error {
	srv := &http.Server{
		Addr:              cfg.addr,
		Handler:           graph.NewMux(db.Client),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	slog.Info("serving GraphQL", "addr", cfg.addr, "graphql", "/graphql", "graphiql", "/")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func importCRTE(ctx context.Context, db *store.DB, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := hierarchy.ParseCRTE(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	sum, err := store.ImportCRTE(ctx, db.Client, rows)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Printf("imported %d CRTE with %d member groupings from %s\n", sum.CRTEs, sum.Members, path)
	return nil
}
