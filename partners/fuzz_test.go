package partners

import (
	"net"
	"net/url"
	"strings"
	"testing"
)

// FuzzCheckWebhookURL checks what an accepted webhook URL is: absolute, https (or http
// on loopback when loopback is allowed), with a host, no user and no fragment, short
// enough; its host never an address the dispatcher refuses (private, link-local,
// loopback unless allowed) nor a number some resolvers read as one; and the same URL
// always gets the same answer.
func FuzzCheckWebhookURL(f *testing.F) {
	for _, s := range []string{
		"https://partner.example/hooks/cop", "https://203.0.113.7:8443/x", "http://127.0.0.1:8080/hook",
		"https://10.0.0.1/hook", "https://[::ffff:10.0.0.1]/", "https://[fe80::1%25eth0]/", "https://127.1/",
		"https://0x7f000001/", "https://localhost./", "https://user@partner.example/", "https:///x",
		"https://169.254.169.254/", "https://[::]/", "https://partner.example:99999/", "https://%31%32%37.0.0.1/",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, loopback bool) {
		err := CheckWebhookURL(raw, loopback)
		if again := CheckWebhookURL(raw, loopback); (again == nil) != (err == nil) {
			t.Fatalf("%q: %v, then %v", raw, err, again)
		}
		if err != nil {
			return
		}
		if !loopback && CheckWebhookURL(raw, true) != nil {
			t.Fatalf("%q accepted without loopback, refused with it", raw)
		}
		u, perr := url.Parse(raw)
		if perr != nil || len(raw) > MaxWebhookURL || u.User != nil || u.Fragment != "" || u.Hostname() == "" {
			t.Fatalf("accepted %q (%v)", raw, perr)
		}
		host := u.Hostname()
		switch u.Scheme {
		case "https":
		case "http":
			if !loopback || !isLoopbackHost(host) {
				t.Fatalf("accepted http URL %q (loopback allowed: %t)", raw, loopback)
			}
		default:
			t.Fatalf("accepted scheme %q in %q", u.Scheme, raw)
		}
		if i := strings.IndexByte(host, '%'); i >= 0 {
			host = host[:i]
		}
		if ip := net.ParseIP(host); ip != nil && addressRefused(ip, loopback) {
			t.Fatalf("accepted %q: its host %s is an address webhooks may not reach", raw, ip)
		}
		if ip := net.ParseIP(host); ip == nil && numericLabel(host) {
			t.Fatalf("accepted %q: its host ends in a number", raw)
		}
		if !loopback && strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
			t.Fatalf("accepted %q without loopback", raw)
		}
	})
}
