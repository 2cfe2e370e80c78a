package graph

import (
	"sync"

	"github.com/cop-territoriales/cop-api/service"
)

// rankings keeps the rankings an operation computed, by their arguments: the
// territories of a list asking for their rank in the same ranking share one computation.
// The zero value is ready to use.
type rankings struct {
	mu sync.Mutex
	m  map[string]*pendingRanking
}

type pendingRanking struct {
	once sync.Once
	r    *service.Ranking
	err  error
}

// get returns the ranking of key, computed by compute the first time it is asked.
func (rs *rankings) get(key string, compute func() (*service.Ranking, error)) (*service.Ranking, error) {
	rs.mu.Lock()
	if rs.m == nil {
		rs.m = map[string]*pendingRanking{}
	}
	p := rs.m[key]
	if p == nil {
		p = &pendingRanking{}
		rs.m[key] = p
	}
	rs.mu.Unlock()
	p.once.Do(func() { p.r, p.err = compute() })
	return p.r, p.err
}
