// Package web serves the reference dashboard of the COP territoriales API and a
// self-hosted GraphiQL, from files embedded in the binary.
//
// The dashboard is a single-page application in plain ES modules (no build step) that
// reads only the public GraphQL API at /graphql, as an outside front end would, with
// automatic persisted queries. Every file it needs is embedded: no CDN, no external font.
//
// Paths served by Handler:
//
//	/                      the France page (map of the departments)
//	/t/{LEVEL}/{code}      a territory's page (deep link: the same shell, routed in the browser)
//	/graphiql              GraphiQL, pointed at /graphql
//	/assets/{version}/...  the static files, fingerprinted by a hash of all of them
//
// Anything else is a 404, so Handler can be mounted as the catch-all "GET /" of a mux
// whose more specific patterns (/graphql, /export/, /healthz...) take precedence.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/cop-territoriales/cop-api/hierarchy"
)

//go:embed static
var embedded embed.FS

// The Content-Security-Policy allows nothing but this server: scripts and styles from
// files (no inline code, no eval), API calls to the same origin. GraphiQL's vendored
// stylesheet carries its fonts as data: URLs, so its page also allows those.
const (
	cspApp      = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	cspGraphiQL = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

// contentTypes are set explicitly: module scripts need a JavaScript type, and the
// system's MIME table must not change what is served.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
	".json": "application/json",
	".txt":  "text/plain; charset=utf-8",
	"":      "text/plain; charset=utf-8", // LICENSE files
}

type asset struct {
	body        []byte
	contentType string
	etag        string
}

type site struct {
	version string           // hash of every embedded file, the assets' fingerprint
	assets  map[string]asset // by path under static/
	pages   map[string]asset // the HTML shells, with their asset prefix filled in
}

// Handler returns the handler of the dashboard, GraphiQL and their assets.
func Handler() http.Handler {
	s, err := load(embedded)
	if err != nil {
		panic("web: embedded files: " + err.Error()) // the files are compiled in: a failure is a build error
	}
	return s
}

func load(files fs.FS) (*site, error) {
	s := &site{assets: map[string]asset{}, pages: map[string]asset{}}
	var paths []string
	err := fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	all := sha256.New()
	for _, p := range paths {
		b, err := fs.ReadFile(files, p)
		if err != nil {
			return nil, err
		}
		rel := strings.TrimPrefix(p, "static/")
		ct, ok := contentTypes[path.Ext(rel)]
		if !ok {
			ct = "application/octet-stream"
		}
		sum := sha256.Sum256(b)
		s.assets[rel] = asset{body: b, contentType: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		all.Write([]byte(rel))
		all.Write(sum[:])
	}
	s.version = hex.EncodeToString(all.Sum(nil))[:12]
	prefix := []byte("/assets/" + s.version)
	for name, file := range map[string]string{"app": "index.html", "graphiql": "graphiql.html"} {
		a, ok := s.assets[file]
		if !ok {
			return nil, fs.ErrNotExist
		}
		body := bytes.ReplaceAll(a.body, []byte("{{assets}}"), prefix)
		sum := sha256.Sum256(body)
		s.pages[name] = asset{body: body, contentType: a.contentType, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	return s, nil
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	p := r.URL.Path
	switch {
	case p == "/" || isTerritoryPath(p):
		s.page(w, r, "app", cspApp)
	case p == "/graphiql" || p == "/graphiql/":
		s.page(w, r, "graphiql", cspGraphiQL)
	case strings.HasPrefix(p, "/assets/"):
		s.asset(w, r, strings.TrimPrefix(p, "/assets/"))
	default:
		h.Set("Content-Security-Policy", cspApp)
		http.NotFound(w, r)
	}
}

// isTerritoryPath tells whether p is a deep link /t/{LEVEL}/{code}, LEVEL one of the API's
// TerritoryLevel values: the browser routes it (and says when no territory has that code,
// since only the API knows).
func isTerritoryPath(p string) bool {
	rest, ok := strings.CutPrefix(p, "/t/")
	if !ok {
		return false
	}
	level, code, ok := strings.Cut(rest, "/")
	return ok && hierarchy.Level(level).Valid() && code != "" && !strings.Contains(code, "/")
}

// page serves an HTML shell: revalidated on every load (it names the current assets).
func (s *site) page(w http.ResponseWriter, r *http.Request, name, csp string) {
	a := s.pages[name]
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("Cache-Control", "no-cache")
	s.serve(w, r, a)
}

// asset serves /assets/{version}/{path}. Under the current version a file never changes,
// so it is cached for a year. Under another version (a page from an older or newer
// instance during a rolling deploy) the current file is served but not cached.
func (s *site) asset(w http.ResponseWriter, r *http.Request, rest string) {
	version, file, ok := strings.Cut(rest, "/")
	a, found := s.assets[file]
	if !ok || !found || file == "index.html" || file == "graphiql.html" {
		w.Header().Set("Content-Security-Policy", cspApp)
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", cspApp)
	if version == s.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	s.serve(w, r, a)
}

func (s *site) serve(w http.ResponseWriter, r *http.Request, a asset) {
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("ETag", a.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body)) // ETag only: If-None-Match gets a 304
}
