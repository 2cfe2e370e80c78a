package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/cop-territoriales/cop-api/store"
)

// backup runs "backup FILE": a consistent copy of the database, taken while the server
// serves (store.Backup).
func backup(ctx context.Context, cfg config, args []string, out io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("backup: want backup FILE")
	}
	start := time.Now()
	if err := store.Backup(ctx, cfg.databaseURL, cfg.sqlitePath, args[0]); err != nil {
		return err
	}
	fmt.Fprintf(out, "backed up %s to %s in %s\n", where(cfg), args[0], time.Since(start).Round(time.Millisecond))
	return nil
}

// restore runs "restore [-force] FILE": the backup put back into an empty database (or,
// with -force, over the SQLite file, the server stopped), then migrated.
func restore(ctx context.Context, cfg config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	force := fs.Bool("force", false, "replace the SQLite database at -db (stop the server first)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("restore: want restore [-force] FILE")
	}
	start := time.Now()
	if err := store.Restore(ctx, cfg.databaseURL, cfg.sqlitePath, fs.Arg(0), *force); err != nil {
		return err
	}
	fmt.Fprintf(out, "restored %s into %s in %s; run: server check\n", fs.Arg(0), where(cfg), time.Since(start).Round(time.Millisecond))
	return nil
}

// where names the database of cfg in messages, without its password.
func where(cfg config) string {
	if cfg.databaseURL == "" {
		return cfg.sqlitePath
	}
	return "DATABASE_URL"
}
