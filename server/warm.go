package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/cop-territoriales/cop-api/graph"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// warmUpOperations are reads every client sends first: a territory by its code with its
// ancestors, a level's list, its children with their objectives. They touch the tables,
// indexes and code paths of most screens, and need no code beyond France's.
var warmUpOperations = []string{
	`{ territory(level: COUNTRY, code: "FR") { name population ancestors { level code } children(first: 20) { edges { node { code name population ancestors { level code } objectives(first: 50) { edges { node { targetValue unit lever { code } } } } } } } } }`,
	`{ territories(where: {level: EPCI}, first: 20) { totalCount edges { node { code name population ancestors { level code } rollup { actionCount budget } } } } }`,
	`{ territories(where: {level: DEPARTMENT}, first: 20) { edges { node { code name children(first: 20) { edges { node { code name population } } } } } } }`,
}

// warmUpWorkers is how many of those reads run at once: enough to open the connections
// a burst of requests needs, in each pool.
const warmUpWorkers = 8

// warmUp runs warmUpOperations in process, warmUpWorkers at a time, before the server
// listens, so that it is not ready before it is warm. A process just started meets its
// first requests with empty pools and cold code: each new PostgreSQL connection loads
// its catalog caches and plans its statements, and on a 2-core machine the twenty
// requests of a deploy's first 100 ms queued behind that for 0.1 to 0.45 s, where a
// warm server answers them in 5 ms (the fault suite's start without Redis: p99 0.7 s).
// A dozen reads first were enough for the next seconds to run as fast as later ones.
// With a read replica, the reads run on the primary too: it takes them all when the
// replica goes away, and its pools, opened for the writes alone, would meet that cold.
// A read that fails is logged and ignored: the server still starts, as it would cold.
func warmUp(ctx context.Context, svc *service.Service, replica bool, within time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	start := time.Now()
	targets := []context.Context{ctx}
	if replica {
		targets = append(targets, store.UsePrimary(ctx))
	}
	for _, ctx := range targets {
		var wg sync.WaitGroup
		for w := range warmUpWorkers {
			wg.Go(func() {
				for i := range warmUpOperations {
					q := warmUpOperations[(w+i)%len(warmUpOperations)]
					if resp := graph.Execute(ctx, svc, q, nil); len(resp.Errors) > 0 {
						slog.Debug("warm-up read failed", "error", resp.Errors.Error())
					}
				}
			})
		}
		wg.Wait()
	}
	slog.Debug("warmed up", "took", time.Since(start).Round(time.Millisecond).String())
}
