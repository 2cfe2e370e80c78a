package partners

import (
	"testing"
	"time"
)

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
		{"https://10.0.0.1/hook", false, false},
		{"https://[::1]/hook", false, false},
		{"https://[::1]/hook", true, true},
		{"https://127.0.0.1/hook", false, false},
		{"https://[::ffff:192.168.1.1]/hook", true, false},
		{"https://[fe80::1%25eth0]/hook", true, false},
		{"https://169.254.169.254/latest/meta-data", false, false},
		{"https://100.64.0.1/hook", false, false},
		{"https://0.0.0.0/hook", false, false},
		{"https://localhost/hook", false, false},
		{"https://LOCALHOST./hook", false, false},
		{"https://127.1/hook", false, false},
		{"https://2130706433/hook", false, false},
		{"https://0x7f000001/hook", false, false},
		{"https://partner.0x7f/hook", false, false},
		{"https://2130706433.example/hook", false, true},
		{"https://:443/hook", false, false},
	} {
		if err := CheckWebhookURL(c.url, c.loopback); (err == nil) != c.ok {
			t.Errorf("%s (loopback %t): %v", c.url, c.loopback, err)
		}
	}
}
