package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// post is gqlgen's POST transport (transport.POST, whose requests it takes), answering
// as it does except that a response holding only data, already JSON as the executor wrote
// it, is written as it is. gqlgen hands every response to encoding/json, which reads the
// data again to check and compact them: 8% of the server's CPU on a page of 54
// objectives.
type post struct{ transport.POST }

// Media types of the answers (GraphQL over HTTP).
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

func (h post) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx, note := withUnavailableNote(r.Context())
	w = &unavailableWriter{ResponseWriter: w, note: note}
	media := answerMedia(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", media)
	start := graphql.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("could not read request body: %+v", err)}))
		return
	}
	var req struct {
		graphql.RawParams
		// DocumentID names a trusted document (GraphQL over HTTP's persisted
		// documents), which RawParams has no field for: trusted.go reads it.
		DocumentID string `json:"documentId"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("json request body could not be decoded: %+v body:%s", err, body)}))
		return
	}
	params := req.RawParams
	ctx = withDocumentID(ctx, req.DocumentID)
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	oc, errs := exec.CreateOperationContext(ctx, &params)
	if errs != nil {
		if errcode.GetErrorKind(errs) == errcode.KindProtocol {
			if media == mediaGraphQLResponse {
				w.WriteHeader(http.StatusBadRequest)
			} else {
				w.WriteHeader(http.StatusUnprocessableEntity)
			}
		}
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	writeResponse(w, responses(ctx))
}

// answerMedia is the media type of the answer to a request accepting accept, as gqlgen's
// POST transport chooses it: application/json unless the client prefers
// application/graphql-response+json or accepts neither.
func answerMedia(accept string) string {
	if accept == "" {
		return mediaJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		media, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch media {
		case "*/*", "application/*", mediaJSON:
			return mediaJSON
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		}
	}
	return mediaGraphQLResponse
}

// writeResponse writes a response as gqlgen does (encoding/json), except one holding
// only data: those are written as they are.
func writeResponse(w io.Writer, resp *graphql.Response) {
	if resp != nil && resp.Data != nil && len(resp.Errors) == 0 && len(resp.Extensions) == 0 &&
		resp.Label == "" && resp.Path == nil && resp.HasNext == nil {
		b := make([]byte, 0, len(resp.Data)+10)
		b = append(b, `{"data":`...)
		b = append(b, resp.Data...)
		w.Write(append(b, '}'))
		return
	}
	b, err := json.Marshal(resp)
	if err != nil {
		b, _ = json.Marshal(&graphql.Response{Errors: gqlerror.List{{Message: "the response could not be written"}}})
	}
	w.Write(b)
}

// get is gqlgen's GET transport, answering 503 as post does when the database could not
// take the query, and reading documentId from the query string (trusted.go).
type get struct{ transport.GET }

func (h get) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx, note := withUnavailableNote(r.Context())
	ctx = withDocumentID(ctx, r.URL.Query().Get("documentId"))
	h.GET.Do(&unavailableWriter{ResponseWriter: w, note: note}, r.WithContext(ctx), exec)
}

// unavailableNote holds the longest RetryAfter of the UNAVAILABLE errors of one request:
// the presenter writes it, the transport reads it before the answer's status. It also
// holds the status of a request refused before it was parsed (a trusted document
// required or unknown, trusted.go), which gqlgen would otherwise answer 200.
type unavailableNote struct {
	retryAfter atomic.Int64
	refused    atomic.Int64
}

type unavailableNoteKey struct{}

func withUnavailableNote(ctx context.Context) (context.Context, *unavailableNote) {
	n := &unavailableNote{}
	return context.WithValue(ctx, unavailableNoteKey{}, n), n
}

// noteUnavailable records that the request answers UNAVAILABLE, to be sent again after
// seconds.
func noteUnavailable(ctx context.Context, seconds int) {
	n, ok := ctx.Value(unavailableNoteKey{}).(*unavailableNote)
	if !ok {
		return
	}
	for {
		old := n.retryAfter.Load()
		if int64(seconds) <= old || n.retryAfter.CompareAndSwap(old, int64(seconds)) {
			return
		}
	}
}

// noteStatus records that the request was refused with status.
func noteStatus(ctx context.Context, status int) {
	if n, ok := ctx.Value(unavailableNoteKey{}).(*unavailableNote); ok {
		n.refused.Store(int64(status))
	}
}

// unavailableWriter answers 503 Service Unavailable, with a Retry-After header, in place
// of 200 when the response carries an UNAVAILABLE error: proxies, load balancers and HTTP
// clients know that status and that header (retry later, elsewhere), whatever they make
// of the body. Every media type alike: with application/graphql-response+json the
// conformance layer (httpapi/conform.go) then drops the data entry, as the GraphQL over
// HTTP spec asks of a status that is not 2xx.
type unavailableWriter struct {
	http.ResponseWriter
	note  *unavailableNote
	wrote bool
}

func (w *unavailableWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.wrote = true
	if s := w.note.refused.Load(); s > 0 && (code == http.StatusOK || code == http.StatusBadRequest || code == http.StatusUnprocessableEntity) {
		code = int(s)
	}
	if s := w.note.retryAfter.Load(); s > 0 && code == http.StatusOK {
		w.Header().Set("Retry-After", strconv.FormatInt(s, 10))
		code = http.StatusServiceUnavailable
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *unavailableWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *unavailableWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
