package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/partners/outbox"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// webhookConfig is what flags and environment say of partner notifications.
type webhookConfig struct {
	allowLoopback bool
	dispatch      bool
	timeout       time.Duration
}

func webhookFlags(fs *flag.FlagSet, env func(name, def string) string, c *webhookConfig) {
	fs.BoolVar(&c.allowLoopback, "webhook-allow-loopback", env("WEBHOOK_ALLOW_LOOPBACK", "false") == "true",
		"let webhooks use http:// on 127.0.0.1, ::1 or localhost: development only (WEBHOOK_ALLOW_LOOPBACK)")
	fs.BoolVar(&c.dispatch, "webhook-dispatch", env("WEBHOOK_DISPATCH", "true") == "true",
		"send the webhook deliveries from this instance (WEBHOOK_DISPATCH)")
	fs.DurationVar(&c.timeout, "webhook-timeout", duration(env("WEBHOOK_TIMEOUT", ""), 10*time.Second),
		"longest a webhook delivery may take (WEBHOOK_TIMEOUT)")
}

// startPartners feeds the subscriptions (from PostgreSQL notifications, or this
// process's writes on SQLite) and sends the webhook deliveries until ctx ends or the
// returned function is called; that function waits for both to finish.
func startPartners(ctx context.Context, svc *partners.Service, db *store.DB, c webhookConfig) (stop func()) {
	svc.AllowLoopbackWebhooks(c.allowLoopback)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := svc.ListenChanges(ctx, db.URL); err != nil {
			slog.Error("subscriptions: no change notifications", "err", err)
		}
	}()
	if c.dispatch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc.DispatchWebhooks(ctx, partners.DispatchOptions{Timeout: c.timeout})
		}()
	}
	return func() { cancel(); wg.Wait() }
}

// webhooks runs "webhooks add --key PREFIX --url URL --events E1,E2", "webhooks list
// [--key PREFIX]" and "webhooks remove ID".
func webhooks(ctx context.Context, db *store.DB, cfg config, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("webhooks: want add, list or remove")
	}
	svc := partners.New(service.New(db.Client), db.Client)
	svc.AllowLoopbackWebhooks(cfg.webhooks.allowLoopback)
	switch args[0] {
	case "add":
		fs := flag.NewFlagSet("webhooks add", flag.ContinueOnError)
		key := fs.String("key", "", "prefix of the API key the webhook belongs to: its territory scopes the events")
		url := fs.String("url", "", "https:// URL the deliveries are POSTed to")
		events := fs.String("events", "", "comma-separated events, e.g. COMMITMENT_SUBMITTED,COMMITMENT_ADOPTED")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		var evs []outbox.EventType
		for _, e := range strings.Split(*events, ",") {
			if e = strings.ToUpper(strings.TrimSpace(e)); e != "" {
				evs = append(evs, outbox.EventType(e))
			}
		}
		w, err := svc.AddWebhook(ctx, *key, *url, evs)
		if err != nil {
			return fmt.Errorf("webhooks add: %w", err)
		}
		fmt.Fprintf(out, "created webhook %d for key %s (%s)\nsigning secret: %s\nKeep it: it cannot be shown again.\n",
			w.ID, w.Key, w.Organisation, *w.Secret)
	case "list":
		fs := flag.NewFlagSet("webhooks list", flag.ContinueOnError)
		key := fs.String("key", "", "only the webhooks of this key")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		ws, err := svc.ListWebhooks(ctx, *key)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKEY\tORGANISATION\tURL\tEVENTS\tCREATED")
		for _, w := range ws {
			evs := make([]string, len(w.Events))
			for i, e := range w.Events {
				evs[i] = string(e)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", w.ID, w.Key, w.Organisation, w.URL, strings.Join(evs, ","),
				w.CreatedAt.Format(time.RFC3339))
		}
		return tw.Flush()
	case "remove":
		if len(args) != 2 {
			return fmt.Errorf("webhooks remove: want the webhook's id")
		}
		id, err := strconv.Atoi(args[1])
		if err != nil {
			return fmt.Errorf("webhooks remove: %q is not an id", args[1])
		}
		if err := svc.RemoveWebhook(ctx, id); err != nil {
			return fmt.Errorf("webhooks remove: %w", err)
		}
		fmt.Fprintf(out, "removed webhook %d and its deliveries\n", id)
	default:
		return fmt.Errorf("webhooks: unknown command %q; want add, list or remove", args[0])
	}
	return nil
}
