package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// staticFiles returns the embedded files by path under static/.
func staticFiles(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := fs.WalkDir(embedded, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(embedded, p)
		files[strings.TrimPrefix(p, "static/")] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

var (
	anyURL = regexp.MustCompile(`(?i)https?://[^\s"'<>)]*`)
	// XML namespace names: identifiers that no browser fetches.
	namespace = regexp.MustCompile(`^http://www\.w3\.org/(2000/svg|1999/xhtml|1999/xlink|1998/Math/MathML|XML/1998/namespace)$`)
	// What makes a browser load a URL: CSS url() and @import, HTML and DOM src/href/action,
	// ES imports, fetch, workers. A vendored build may name other hosts in comments,
	// error messages and documentation links; it must not load from them.
	loads = []*regexp.Regexp{
		regexp.MustCompile(`(?i)url\(\s*['"]?\s*(https?:)?//`),
		regexp.MustCompile(`(?i)@import\s+(url\()?\s*['"]?(https?:)?//`),
		regexp.MustCompile(`(?i)\b(src|href|action|srcset|poster)\s*=\s*['"]?(https?:)?//`),
		regexp.MustCompile(`\b(import|from)\s*\(?\s*['"](https?:)?//`),
		regexp.MustCompile(`\b(fetch|importScripts|Worker|SharedWorker|EventSource|WebSocket)\(\s*['"](https?:|wss?:)?//`),
	}
)

// TestNoExternalHost scans every embedded file: the dashboard's own files name no host at
// all, and no file (vendored builds included) loads anything from another host.
func TestNoExternalHost(t *testing.T) {
	for name, body := range staticFiles(t) {
		if !strings.HasPrefix(name, "vendor/") {
			for _, u := range anyURL.FindAllString(body, -1) {
				if !namespace.MatchString(u) {
					t.Errorf("%s names an external URL: %s", name, u)
				}
			}
		}
		for _, re := range loads {
			if m := re.FindString(body); m != "" {
				t.Errorf("%s loads from another host: %q", name, m)
			}
		}
	}
}

func TestPagesAndDeepLinksServeTheShell(t *testing.T) {
	h := Handler()
	for _, target := range []string{"/", "/?indicateur=couverture", "/t/EPCI/243500139", "/t/REGION/44", "/t/COMMUNE/2A004", "/t/CRTE/crte-illustratif-01"} {
		rec := get(t, h, target)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", target, rec.Code)
		}
		body := rec.Body.String()
		if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", target, ct)
		}
		if !strings.Contains(body, `<main id="main"`) || !strings.Contains(body, "/js/main.js") {
			t.Errorf("GET %s: not the dashboard shell", target)
		}
		if strings.Contains(body, "{{assets}}") || anyURL.MatchString(body) {
			t.Errorf("GET %s: unfilled asset prefix or external URL", target)
		}
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "http") || strings.Contains(csp, "unsafe") {
			t.Errorf("GET %s: weak Content-Security-Policy %q", target, csp)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache (the shell names the current assets)", target, cc)
		}
	}
	rec := get(t, h, "/graphiql")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "graphiql.min.js") {
		t.Errorf("GET /graphiql: %d, not the GraphiQL page", rec.Code)
	}
	etag := get(t, h, "/").Header().Get("ETag")
	if rec := get(t, h, "/t/REGION/44", "If-None-Match", etag); rec.Code != http.StatusNotModified {
		t.Errorf("revalidated shell: %d, want 304", rec.Code)
	}
}

var (
	shellRef  = regexp.MustCompile(`\{\{assets\}\}/([^"]+)`)
	moduleRef = regexp.MustCompile(`(?m)^\s*(?:(?:import|export)\b[^'"]*from\s+|import\s+)'([^']+)'`)
)

// TestEveryReferenceResolves follows the shells' asset references and the modules'
// imports: each is served, with a type the browser accepts.
func TestEveryReferenceResolves(t *testing.T) {
	h := Handler()
	s := h.(*site)
	files := staticFiles(t)
	want := map[string]string{}
	for _, shell := range []string{"index.html", "graphiql.html"} {
		for _, m := range shellRef.FindAllStringSubmatch(files[shell], -1) {
			want[m[1]] = shell
		}
	}
	for name, body := range files {
		if strings.HasSuffix(name, ".js") && !strings.HasPrefix(name, "vendor/") {
			for _, m := range moduleRef.FindAllStringSubmatch(body, -1) {
				want[path.Join(path.Dir(name), m[1])] = name
			}
		}
	}
	if len(want) < 10 {
		t.Fatalf("found only %d references", len(want))
	}
	for file, from := range want {
		rec := get(t, h, "/assets/"+s.version+"/"+file)
		if rec.Code != http.StatusOK {
			t.Errorf("%s references %s: %d", from, file, rec.Code)
			continue
		}
		ct := rec.Header().Get("Content-Type")
		if (strings.HasSuffix(file, ".js") && ct != "text/javascript; charset=utf-8") || (strings.HasSuffix(file, ".css") && ct != "text/css; charset=utf-8") {
			t.Errorf("%s: Content-Type %q", file, ct)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", file, cc)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", file)
		}
	}
	// A page from another build (a rolling deploy) still gets the file, but not for keeps.
	if rec := get(t, h, "/assets/0123456789ab/js/main.js"); rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("asset under another version: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
}

func TestUnknownPathsAre404(t *testing.T) {
	h := Handler()
	v := h.(*site).version
	for _, target := range []string{
		"/assets/" + v + "/js/nope.js", "/assets/" + v + "/js/", "/assets/" + v + "/", "/assets/" + v,
		"/assets/", "/assets/js/main.js", "/assets/" + v + "/index.html", "/assets/" + v + "/../web.go",
		"/favicon.ico", "/t/EPCI", "/t/EPCI/", "/t/FOO/1", "/t/epci/243500139", "/t/EPCI/243500139/x", "/graphiql/x", "/graphql2", "/index.html",
	} {
		if rec := get(t, h, target); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", target, rec.Code)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d, want 405", rec.Code)
	}
}
