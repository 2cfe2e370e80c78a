package service

import (
	"slices"
	"testing"
	"time"
)

func TestChangeEvents(t *testing.T) {
	for _, c := range []struct {
		entity   string
		created  bool
		from, to string
		want     []EventType
	}{
		{"Action", true, "", "PLANNED", []EventType{ActionCreated}},
		{"Action", true, "", "ABANDONED", []EventType{ActionCreated, ActionWithdrawn}},
		{"Action", false, "PLANNED", "IN_PROGRESS", []EventType{ActionUpdated}},
		{"Action", false, "PLANNED", "ABANDONED", []EventType{ActionUpdated, ActionWithdrawn}},
		{"Action", false, "ABANDONED", "ABANDONED", []EventType{ActionUpdated}},
		{"Commitment", true, "", "DRAFT", []EventType{CommitmentCreated}},
		{"Commitment", true, "", "SUBMITTED", []EventType{CommitmentCreated, CommitmentSubmitted}},
		{"Commitment", false, "DRAFT", "DRAFT", []EventType{CommitmentUpdated}},
		{"Commitment", false, "DRAFT", "SUBMITTED", []EventType{CommitmentUpdated, CommitmentSubmitted}},
		{"Commitment", false, "SUBMITTED", "SUBMITTED", []EventType{CommitmentUpdated}},
		{"Commitment", false, "SUBMITTED", "ADOPTED", []EventType{CommitmentUpdated, CommitmentAdopted}},
		{"Commitment", false, "ADOPTED", "SUBMITTED", []EventType{CommitmentUpdated, CommitmentSubmitted}},
		{"Commitment", false, "SUBMITTED", "DRAFT", []EventType{CommitmentUpdated}},
		{"Commitment", false, "ADOPTED", "WITHDRAWN", []EventType{CommitmentUpdated, CommitmentWithdrawn}},
	} {
		if got := changeEvents(c.entity, c.created, c.from, c.to); !slices.Equal(got, c.want) {
			t.Errorf("%s created=%t %s -> %s: %v, want %v", c.entity, c.created, c.from, c.to, got, c.want)
		}
	}
}

// TestRetrySchedule: a failing delivery is tried again for WebhookGiveUpAfter (more than a
// day), at widening intervals that never exceed four hours.
func TestRetrySchedule(t *testing.T) {
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second}
	for i, w := range want {
		if got := retryDelay(i + 1); got != w {
			t.Errorf("after attempt %d: %s, want %s", i+1, got, w)
		}
	}
	var elapsed time.Duration
	attempts := 1
	for ; elapsed+retryDelay(attempts) <= WebhookGiveUpAfter; attempts++ {
		d := retryDelay(attempts)
		if d > 4*time.Hour || d < retryDelay(max(attempts-1, 1)) {
			t.Fatalf("delay after attempt %d: %s", attempts, d)
		}
		elapsed += d
	}
	if elapsed < 24*time.Hour || attempts > 40 {
		t.Errorf("%d attempts over %s", attempts, elapsed)
	}
	t.Logf("%d attempts over %s", attempts, elapsed)
}

func TestCheckWebhookURL(t *testing.T) {
	for _, c := range []struct {
		url      string
		loopback bool
		ok       bool
	}{
		{"https://partner.example/hooks/cop", false, true},
		{"https://203.0.113.7:8443/x", false, true},
		{"http://partner.example/hooks", false, false},
		{"http://partner.example/hooks", true, false},
		{"http://127.0.0.1:8080/hook", false, false},
		{"http://127.0.0.1:8080/hook", true, true},
		{"http://[::1]:8080/hook", true, true},
		{"http://localhost:8080/hook", true, true},
		{"http://10.0.0.1/hook", true, false},
		{"https:///nohost", false, false},
		{"https://user:pw@partner.example/", false, false},
		{"https://partner.example/#frag", false, false},
		{"/relative", false, false},
	} {
		if err := CheckWebhookURL(c.url, c.loopback); (err == nil) != c.ok {
			t.Errorf("%s (loopback %t): %v", c.url, c.loopback, err)
		}
	}
}
