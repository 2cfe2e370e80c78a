//go:build faults

package faults

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// serverBin is the server binary TestMain builds once.
var serverBin string

// Server is one serving process of the binary, with its JSON log lines.
type Server struct {
	URL string // http://127.0.0.1:PORT
	cmd *exec.Cmd
	env []string

	mu   sync.Mutex
	logs []map[string]any
	raw  []string
	done chan struct{}
}

// baseEnv is the environment every process of the binary gets: no rate limit (the load
// comes from one address), a short operation timeout, JSON logs at info.
func baseEnv(extra ...string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(), "RATE_LIMIT=0", "LOG_LEVEL=info"}
	return append(env, extra...)
}

// StartServer starts "server serve" on a free port with env and waits for /readyz.
func StartServer(t testing.TB, env []string) *Server {
	t.Helper()
	s, err := startServer(env, 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Kill() })
	return s
}

func startServer(env []string, wait time.Duration) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), env: env, done: make(chan struct{})}
	s.cmd = exec.Command(serverBin, "-addr", fmt.Sprintf("127.0.0.1:%d", port), "serve")
	s.cmd.Env = env
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go s.readLogs(stderr)
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return nil, fmt.Errorf("server exited before it was ready: %s", s.tail())
		default:
		}
		if st, _ := s.Get("/readyz"); st == http.StatusOK {
			return s, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.Kill()
	return nil, fmt.Errorf("server not ready after %s: %s", wait, s.tail())
}

func (s *Server) readLogs(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		var m map[string]any
		json.Unmarshal([]byte(line), &m) // a line that is not JSON is kept raw only
		s.mu.Lock()
		s.raw = append(s.raw, line)
		if m != nil {
			s.logs = append(s.logs, m)
		}
		s.mu.Unlock()
	}
	s.cmd.Wait()
	close(s.done)
}

// LogCount counts the log lines at WARN or ERROR logged after mark (a LogMark).
func (s *Server) LogCount(mark int) (warnOrError int, lines []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, m := range s.logs {
		if i < mark {
			continue
		}
		if l, _ := m["level"].(string); l == "WARN" || l == "ERROR" {
			// The request log's lines of refused requests are one per request by design;
			// what is counted is what the server says of the outage itself.
			if _, isRequest := m["status"]; isRequest {
				continue
			}
			warnOrError++
			b, _ := json.Marshal(m)
			lines = append(lines, string(b))
		}
	}
	return warnOrError, lines
}

// LogMark is the number of JSON log lines so far.
func (s *Server) LogMark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.logs)
}

func (s *Server) tail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.raw)
	if n > 10 {
		return strings.Join(s.raw[n-10:], "\n")
	}
	return strings.Join(s.raw, "\n")
}

// Get sends GET path and returns the status (0 when no answer came within 2 s).
func (s *Server) Get(path string) (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Signal sends sig (SIGTERM for a graceful stop) and waits up to wait for the exit.
func (s *Server) Signal(sig syscall.Signal, wait time.Duration) (exited bool) {
	s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
		return true
	case <-time.After(wait):
		return false
	}
}

// Kill ends the process at once.
func (s *Server) Kill() {
	if s.cmd.Process != nil {
		s.cmd.Process.Kill()
		<-s.done
	}
}

// Exited says whether the process has ended, and how.
func (s *Server) Exited() (bool, string) {
	select {
	case <-s.done:
		return true, s.cmd.ProcessState.String()
	default:
		return false, ""
	}
}

// Proc reads the process's resident memory (kB), threads and open files from /proc.
func (s *Server) Proc() (rssKB, threads, fds int) {
	pid := s.cmd.Process.Pid
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "VmRSS:":
			rssKB, _ = strconv.Atoi(f[1])
		case "Threads:":
			threads, _ = strconv.Atoi(f[1])
		}
	}
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return rssKB, threads, len(ents)
}

// Command runs the binary with a command (check, keys create, import...) and env; it
// returns its standard output and its error with the output.
func Command(env []string, args ...string) (string, error) {
	cmd := exec.Command(serverBin, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	go func() { <-ctx.Done(); cmd.Process.Kill() }()
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("server %s: %w\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String(), nil
}

// CreateKey runs "keys create" for a contributor of Bretagne (REGION:53) and returns the
// key and its prefix. On a new database it loads the hierarchy first.
func CreateKey(env []string, org string) (key, prefix string, err error) {
	out, err := Command(env, "keys", "create", "--org", org, "--territory", "REGION:53", "--role", "contributor")
	if err != nil {
		return "", "", err
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 {
		return "", "", fmt.Errorf("keys create: unexpected output %q", out)
	}
	f := strings.Fields(lines[0]) // created key PREFIX for ORG (...)
	if len(f) < 3 {
		return "", "", fmt.Errorf("keys create: unexpected output %q", out)
	}
	return strings.TrimSpace(lines[1]), f[2], nil
}
