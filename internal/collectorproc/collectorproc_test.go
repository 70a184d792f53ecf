package collectorproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for a collector: with COLLECTORPROC_LISTEN
// set it listens on that port after a moment, and on SIGTERM prints "stopping" and
// exits 0; with COLLECTORPROC_EXIT set it fails at start like a bad configuration.
func TestMain(m *testing.M) {
	if os.Getenv("COLLECTORPROC_EXIT") != "" {
		fmt.Fprintln(os.Stderr, "invalid configuration:", os.Args[1:])
		os.Exit(1)
	}
	if port := os.Getenv("COLLECTORPROC_LISTEN"); port != "" {
		term := make(chan os.Signal, 1)
		signal.Notify(term, syscall.SIGTERM)
		time.Sleep(300 * time.Millisecond)
		l, err := net.Listen("tcp", "127.0.0.1:"+port)
		if err != nil {
			os.Exit(2)
		}
		fmt.Println("listening", os.Args[1:])
		<-term
		l.Close()
		fmt.Println("stopping")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func start(t *testing.T, env ...string) (*Process, *buffer, int) {
	t.Helper()
	ports, err := FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	if ports[0] == ports[1] {
		t.Fatalf("FreePorts returned %v", ports)
	}
	path, err := WriteConfig(t.TempDir(), "receivers: {}\n")
	if err != nil {
		t.Fatal(err)
	}
	out := &buffer{}
	p, err := Start(Options{Binary: os.Args[0], Config: path, Env: append(env, fmt.Sprintf("COLLECTORPROC_LISTEN=%d", ports[0])), Output: out})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p, out, ports[0]
}

func TestStartWaitStop(t *testing.T) {
	p, out, port := start(t)
	if err := p.WaitPorts(context.Background(), 10*time.Second, port); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "listening [--config") {
		t.Errorf("output %q: the configuration was not passed", out.String())
	}
	p.Stop()
	if err := p.Err(); err != nil {
		t.Errorf("graceful stop: exit %v", err)
	}
	if !strings.Contains(out.String(), "stopping") {
		t.Errorf("output %q: no graceful shutdown", out.String())
	}
}

func TestKill(t *testing.T) {
	p, out, port := start(t)
	if err := p.WaitPorts(context.Background(), 10*time.Second, port); err != nil {
		t.Fatal(err)
	}
	p.Kill()
	if err := p.Err(); err == nil || strings.Contains(out.String(), "stopping") {
		t.Errorf("kill: exit %v, output %q", err, out.String())
	}
}

func TestWaitPortsReportsEarlyExit(t *testing.T) {
	p, _, port := start(t, "COLLECTORPROC_EXIT=1")
	err := p.WaitPorts(context.Background(), 10*time.Second, port)
	if !errors.Is(err, ErrExited) {
		t.Fatalf("WaitPorts = %v, want ErrExited", err)
	}
}

func TestWaitPortsTimesOut(t *testing.T) {
	p, _, port := start(t)
	free, err := FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WaitPorts(context.Background(), 10*time.Second, port); err != nil {
		t.Fatal(err)
	}
	err = p.WaitPorts(context.Background(), 300*time.Millisecond, free[0])
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("nothing listens on 127.0.0.1:%d after 300ms", free[0])) {
		t.Errorf("WaitPorts on a free port = %v", err)
	}
}
