package graph

import (
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
)

// KeepAlive is how often an idle subscription stream sends a keep-alive, so that proxies
// and clients tell a quiet stream from a dead one.
const KeepAlive = 15 * time.Second

// addSubscriptionTransports serves subscriptions over Server-Sent Events (the graphql-sse
// protocol's distinct connections mode: a POST with Accept: text/event-stream) and over
// WebSocket (graphql-transport-ws, and the older graphql-ws).
func addSubscriptionTransports(srv *handler.Server) {
	srv.AddTransport(transport.SSE{KeepAlivePingInterval: KeepAlive})
	srv.AddTransport(transport.Websocket{
		KeepAlivePingInterval: KeepAlive,
		InitTimeout:           10 * time.Second,
		// Any origin: the API sets no cookie and reads no ambient credential, so a page of
		// another site gains nothing a direct client would not have (the same reason CORS
		// allows every origin by default).
		Implementation: transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{OriginPatterns: []string{"*"}}},
	})
}
