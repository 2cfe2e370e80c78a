package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"github.com/cop-territoriales/cop-api/graph"
)

// SchemaMaxAge is how long a cache may keep /graphql/schema.graphql without asking
// again. The schema changes only with a deploy; after that, a client revalidates with
// the ETag and gets a 304 until the next one.
const SchemaMaxAge = 5 * time.Minute

// schemaSDL serves the schema the server executes as SDL (graph.SDL): the contract
// partners generate their types from and compare releases against
// (docs/partners.md#the-schema-as-a-contract). Its ETag is a hash of the text, so that
// a client or a CDN revalidates it for a 304. A deployment that turns introspection off
// does not publish the schema here either: both read the same schema, and hiding one
// while serving the other would hide nothing.
func schemaSDL(opts Options) http.Handler {
	body := []byte(graph.SDL())
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !opts.GraphQL.Introspection {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("ETag", etag)
		h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(SchemaMaxAge.Seconds())))
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body)) // ETag only: If-None-Match gets a 304
	})
}
