package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestSlowClientAndGracefulShutdown: a client that never finishes its headers is cut at
// the header timeout while others are served; on shutdown a request in flight finishes
// and new connections are refused.
func TestSlowClientAndGracefulShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	release := make(chan struct{})
	var started atomic.Bool
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			started.Store(true)
			<-release
		}
		io.WriteString(w, "ok")
	})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serveOn(ctx, ln, h, timeouts{readHeader: 200 * time.Millisecond, read: time.Second,
			write: time.Second, idle: time.Second, shutdown: 5 * time.Second})
	}()

	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	io.WriteString(slow, "GET / HTTP/1.1\r\nHost: x\r\n") // and never the end of the headers
	resp, err := http.Get("http://" + addr + "/")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("a normal client was not served beside the slow one: %v", err)
	}
	resp.Body.Close()
	start := time.Now()
	slow.SetReadDeadline(time.Now().Add(3 * time.Second))
	line, _ := bufio.NewReader(slow).ReadString('\n')
	if waited := time.Since(start); waited > 2*time.Second || (line != "" && !strings.Contains(line, "408")) {
		t.Errorf("the slow client was held %s (answer %q)", waited, line)
	}

	// A request in flight when the shutdown starts still gets its answer.
	answer := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			answer <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answer <- string(b)
	}()
	for !started.Load() {
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	time.Sleep(100 * time.Millisecond)
	if c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond); err == nil {
		c.Close()
		t.Error("a new connection was accepted during the shutdown")
	}
	close(release)
	if got := <-answer; got != "ok" {
		t.Errorf("the request in flight got %q", got)
	}
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}
