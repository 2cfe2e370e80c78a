package httpapi

import (
	"testing"
	"time"
)

func TestRateLimiter(t *testing.T) {
	now := time.Unix(0, 0)
	l := newRateLimiter(2, 3) // 2 a second, 3 at once
	l.now = func() time.Time { return now }
	for i := range 3 {
		if ok, _ := l.allow("a"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.allow("a")
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("over the burst: %v, wait %s", ok, wait)
	}
	if ok, _ := l.allow("b"); !ok {
		t.Fatal("another client shares the bucket")
	}
	now = now.Add(500 * time.Millisecond)
	if ok, _ := l.allow("a"); !ok {
		t.Fatal("a token should be back after 500 ms")
	}
	if ok, _ := l.allow("a"); ok {
		t.Fatal("only one token came back")
	}
	now = now.Add(time.Hour)
	for range 3 {
		if ok, _ := l.allow("a"); !ok {
			t.Fatal("the bucket refills up to the burst")
		}
	}
	if ok, _ := l.allow("a"); ok {
		t.Fatal("the bucket holds no more than the burst")
	}
}

// TestRateLimiterCharge: work charged takes tokens below zero, the client waits for its
// debt to be paid, and its bucket is not forgotten while it owes.
func TestRateLimiterCharge(t *testing.T) {
	now := time.Unix(0, 0)
	l := newRateLimiter(2, 3)
	l.now = func() time.Time { return now }
	l.charge("a", 7) // 3 - 7 = -4
	ok, wait := l.allow("a")
	if ok || wait != 2500*time.Millisecond {
		t.Fatalf("after a charge of 7 from 3: %v, wait %s; want 2.5 s", ok, wait)
	}
	now = now.Add(2 * time.Second) // -4 + 4 = 0
	if ok, _ := l.allow("a"); ok {
		t.Fatal("the debt is not paid yet")
	}
	now = now.Add(500 * time.Millisecond)
	if ok, _ := l.allow("a"); !ok {
		t.Fatal("the debt is paid: one token is back")
	}
	if b := l.buckets["a"]; b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
		t.Fatal("a bucket in debt looks full")
	}
}
