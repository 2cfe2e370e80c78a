package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/cop-territoriales/cop-api/graph"
)

// conform adjusts gqlgen's answers to refused requests to the GraphQL over HTTP spec, as
// the graphql-http audit checks it: with "application/json" a request that parses as
// JSON but whose document fails to parse, validate or coerce its variables answers 200;
// with "application/graphql-response+json" a refused request has no "data" entry; a
// mutation sent with GET answers 405. Every refusal carries a code and a short message.
func conform(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &conformWriter{ResponseWriter: w, get: r.Method == http.MethodGet,
			graphQLResponse: strings.Contains(r.Header.Get("Accept"), "application/graphql-response+json")}
		next.ServeHTTP(cw, r)
		cw.finish()
	})
}

// conformWriter passes successful answers through and holds refusals back to fix them.
type conformWriter struct {
	http.ResponseWriter
	graphQLResponse bool
	get             bool
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
		if w.get && status == http.StatusNotAcceptable && firstMessage(res) == "GET requests only allow query operations" {
			// GraphQL over HTTP: a mutation sent with GET is 405 Method Not Allowed.
			status = http.StatusMethodNotAllowed
			w.Header().Set("Allow", "POST")
			res["errors"] = errorList("a mutation must be sent with POST", CodeMethodNotAllowed)
		}
		res["errors"] = withCodes(res["errors"])
		body, _ = json.Marshal(res)
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

// CodeMethodNotAllowed refuses a mutation sent with GET.
const CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"

type wireError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path,omitempty"`
	Locations  []any          `json:"locations,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

func firstMessage(res map[string]json.RawMessage) string {
	var errs []wireError
	json.Unmarshal(res["errors"], &errs)
	if len(errs) == 0 {
		return ""
	}
	return errs[0].Message
}

func errorList(msg, code string) json.RawMessage {
	b, _ := json.Marshal([]wireError{{Message: msg, Extensions: map[string]any{"code": code}}})
	return b
}

// withCodes gives the refusals gqlgen writes itself, outside the error presenter (a query
// string that does not decode), the code BAD_REQUEST and a short message.
func withCodes(raw json.RawMessage) json.RawMessage {
	var errs []wireError
	if json.Unmarshal(raw, &errs) != nil {
		return raw
	}
	for i, e := range errs {
		if e.Extensions == nil || e.Extensions["code"] == nil {
			if strings.HasPrefix(e.Message, "invalid URL escape") || strings.HasPrefix(e.Message, "invalid semicolon") {
				e.Message = "the query string is not a valid URL query"
			}
			if e.Extensions == nil {
				e.Extensions = map[string]any{}
			}
			e.Extensions["code"] = graph.CodeBadRequest
			errs[i] = e
		}
	}
	b, err := json.Marshal(errs)
	if err != nil {
		return raw
	}
	return b
}

// missingQuery reports whether gqlgen refused the request for having no query.
func missingQuery(res map[string]json.RawMessage) bool {
	var errs []struct {
		Message string `json:"message"`
	}
	json.Unmarshal(res["errors"], &errs)
	return len(errs) == 1 && errs[0].Message == "no operation provided"
}
