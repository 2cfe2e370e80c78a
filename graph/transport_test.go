package graph

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

func TestAnswerMedia(t *testing.T) {
	for accept, want := range map[string]string{
		"":                                       mediaJSON,
		"*/*":                                    mediaJSON,
		"application/json":                       mediaJSON,
		"application/graphql-response+json":      mediaGraphQLResponse,
		"application/graphql-response+json, */*": mediaGraphQLResponse,
		"text/html, application/json;q=0.9":      mediaJSON,
		"text/html":                              mediaGraphQLResponse,
	} {
		if got := answerMedia(accept); got != want {
			t.Errorf("Accept %q: %s, want %s", accept, got, want)
		}
	}
}

// TestWriteResponse checks that a response is written as encoding/json writes it, data
// alone without reading them again.
func TestWriteResponse(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		name string
		resp *graphql.Response
		want string
	}{
		{"data", &graphql.Response{Data: json.RawMessage(`{"territory":{"name":"Bretagne <53>"}}`)}, `{"data":{"territory":{"name":"Bretagne <53>"}}}`},
		{"no data", &graphql.Response{}, `{"data":null}`},
		{"errors", &graphql.Response{Errors: gqlerror.List{{Message: "no"}}, Data: json.RawMessage(`{"a":null}`)}, ""},
		{"extensions", &graphql.Response{Data: json.RawMessage(`{"a":1}`), Extensions: map[string]any{"consistencyToken": "0/1"}}, ""},
		{"incremental", &graphql.Response{Data: json.RawMessage(`{"a":1}`), HasNext: &yes}, ""},
	} {
		var b bytes.Buffer
		writeResponse(&b, tc.resp)
		want := tc.want
		if want == "" {
			w, err := json.Marshal(tc.resp)
			if err != nil {
				t.Fatal(err)
			}
			want = string(w)
		}
		if b.String() != want {
			t.Errorf("%s: %s, want %s", tc.name, b.String(), want)
		}
		var v map[string]any
		if err := json.Unmarshal(b.Bytes(), &v); err != nil {
			t.Errorf("%s: not JSON: %v", tc.name, err)
		}
	}
}
