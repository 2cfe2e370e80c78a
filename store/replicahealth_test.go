package store

import (
	"testing"
	"time"
)

// TestReplicaLag: the lag is the age of the oldest position of the primary the replica
// has not replayed; an idle primary (its position unmoved) leaves nothing behind.
func TestReplicaLag(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	for _, tc := range []struct {
		name     string
		noted    []walSample // the primary's positions, in order
		replayed uint64
		now      int
		want     time.Duration
	}{
		{"nothing noted", nil, 100, 10, 0},
		{"caught up", []walSample{{100, at(0)}, {200, at(1)}}, 200, 10, 0},
		{"past the last one", []walSample{{100, at(0)}}, 150, 10, 0},
		{"behind the second", []walSample{{100, at(0)}, {200, at(1)}, {300, at(2)}}, 150, 10, 9 * time.Second},
		{"behind all", []walSample{{100, at(0)}, {200, at(1)}}, 50, 10, 10 * time.Second},
		{"an idle primary", []walSample{{100, at(0)}, {100, at(5)}, {100, at(9)}}, 100, 10, 0},
		{"an idle primary, a replica behind", []walSample{{100, at(0)}, {100, at(5)}}, 90, 10, 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &replicaHealth{}
			for _, s := range tc.noted {
				h.note(s.lsn, s.at)
			}
			if got := h.lag(tc.replayed, at(tc.now)); got != tc.want {
				t.Errorf("lag %s, want %s", got, tc.want)
			}
		})
	}
	// Bounded while the replica replays nothing, the oldest position kept.
	h := &replicaHealth{}
	for i := range 3 * maxPending {
		h.note(uint64(i+1), at(i))
	}
	if len(h.pending) > maxPending || h.lag(0, at(3*maxPending)) != time.Duration(3*maxPending)*time.Second {
		t.Errorf("%d positions kept, lag %s", len(h.pending), h.lag(0, at(3*maxPending)))
	}
	for _, tc := range []struct {
		in   string
		want uint64
	}{{"0/0", 0}, {"0/52F2CC0", 0x52F2CC0}, {"16/B374D848", 0x16<<32 | 0xB374D848}} {
		if got, err := parseLSN(tc.in); err != nil || got != tc.want {
			t.Errorf("parseLSN(%q) = %x, %v; want %x", tc.in, got, err, tc.want)
		}
	}
	if _, err := parseLSN("B374D848"); err == nil {
		t.Error("parseLSN accepted a position without its /")
	}
}
