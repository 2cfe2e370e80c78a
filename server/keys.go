package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// keys runs "keys create --org NAME --territory LEVEL:CODE --role ROLE", "keys revoke
// PREFIX" and "keys list".
func keys(ctx context.Context, db *store.DB, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("keys: want create, revoke or list")
	}
	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("keys create", flag.ContinueOnError)
		org := fs.String("org", "", "organisation holding the key")
		terr := fs.String("territory", "", "territory of the key, LEVEL:CODE (e.g. EPCI:243500139)")
		role := fs.String("role", "contributor", "reader, contributor, coordinator or admin")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		k, err := hierarchy.ParseKey(*terr)
		if err != nil {
			return fmt.Errorf("keys create: --territory: %w", err)
		}
		r, err := access.ParseRole(*role)
		if err != nil {
			return fmt.Errorf("keys create: --role: %w", err)
		}
		key, rec, err := service.New(db.Client).CreateKey(ctx, *org, k, r)
		if err != nil {
			return fmt.Errorf("keys create: %w", err)
		}
		fmt.Fprintf(out, "created key %s for %s (%s, %s)\n%s\nKeep it: it is not stored and cannot be shown again.\n",
			rec.Prefix, rec.Organisation, k, r, key)
	case "revoke":
		if len(args) != 2 {
			return fmt.Errorf("keys revoke: want the key's prefix")
		}
		if err := service.New(db.Client).RevokeKey(ctx, args[1], time.Now()); err != nil {
			return fmt.Errorf("keys revoke: %w", err)
		}
		fmt.Fprintf(out, "revoked key %s\n", args[1])
	case "list":
		ks, err := service.New(db.Client).ListKeys(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PREFIX\tORGANISATION\tTERRITORY\tROLE\tCREATED\tREVOKED")
		for _, k := range ks {
			revoked := ""
			if k.RevokedAt != nil {
				revoked = k.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s:%s\t%s\t%s\t%s\n", k.Prefix, k.Organisation, k.Edges.Territory.Level,
				k.Edges.Territory.Code, k.Role, k.CreatedAt.Format(time.RFC3339), revoked)
		}
		return tw.Flush()
	default:
		return fmt.Errorf("keys: unknown command %q; want create, revoke or list", args[0])
	}
	return nil
}
