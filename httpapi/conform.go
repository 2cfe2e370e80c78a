package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// conform adjusts gqlgen's answers to refused requests to the GraphQL over HTTP spec, as
// the graphql-http audit checks it: with "application/json" a request that parses as
// JSON but whose document fails to parse, validate or coerce its variables answers 200;
// with "application/graphql-response+json" a refused request has no "data" entry.
func conform(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &conformWriter{ResponseWriter: w, graphQLResponse: strings.Contains(r.Header.Get("Accept"), "application/graphql-response+json")}
		next.ServeHTTP(cw, r)
		cw.finish()
	})
}

// conformWriter passes successful answers through and holds refusals back to fix them.
type conformWriter struct {
	http.ResponseWriter
	graphQLResponse bool
	status          int
	held            *bytes.Buffer
}

func (w *conformWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	if code < 400 {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.held = &bytes.Buffer{}
}

func (w *conformWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.held != nil {
		return w.held.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *conformWriter) finish() {
	if w.held == nil {
		return
	}
	status, body := w.status, w.held.Bytes()
	var res map[string]json.RawMessage
	if json.Unmarshal(body, &res) == nil {
		switch {
		case w.graphQLResponse:
			if _, ok := res["data"]; ok {
				delete(res, "data")
				body, _ = json.Marshal(res)
			}
		case status == http.StatusUnprocessableEntity && !missingQuery(res):
			// A well-formed request whose document was refused: the errors are in the body.
			status = http.StatusOK
		case status == http.StatusUnprocessableEntity:
			status = http.StatusBadRequest // no query at all: a malformed request
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.ResponseWriter.WriteHeader(status)
	w.ResponseWriter.Write(body)
}

// missingQuery reports whether gqlgen refused the request for having no query.
func missingQuery(res map[string]json.RawMessage) bool {
	var errs []struct {
		Message string `json:"message"`
	}
	json.Unmarshal(res["errors"], &errs)
	return len(errs) == 1 && errs[0].Message == "no operation provided"
}
