// Package collectorproc runs the built distribution as a child process, as the
// end-to-end tests and the load generator do: start it on a configuration, wait until it
// listens, stop it gracefully (or kill it, as a crash would) and keep what it printed.
package collectorproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// StopGrace is how long Stop waits after SIGTERM before it kills the process.
const StopGrace = 15 * time.Second

// ErrExited is returned by WaitPorts when the process ends before it listens.
var ErrExited = errors.New("collector exited at start")

// Options say how to run the collector.
type Options struct {
	Binary string   // the distribution, e.g. bin/otelcol-llm
	Config string   // path of the configuration file
	Dir    string   // working directory; the current one when empty
	Env    []string // added to this process's environment, as KEY=value
	// Output receives the collector's stdout and stderr.
	Output io.Writer
}

// Process is a running collector.
type Process struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error // exit status, set before done is closed
}

// WriteConfig writes a configuration into dir as config.yaml and returns its path.
func WriteConfig(dir, config string) (string, error) {
	path := filepath.Join(dir, "config.yaml")
	return path, os.WriteFile(path, []byte(config), 0o600)
}

// Start runs the collector with o.Config.
func Start(o Options) (*Process, error) {
	cmd := exec.Command(o.Binary, "--config", o.Config)
	cmd.Dir = o.Dir
	if len(o.Env) > 0 {
		cmd.Env = append(os.Environ(), o.Env...)
	}
	cmd.Stdout, cmd.Stderr = o.Output, o.Output
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Pid is the process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Done is closed when the process has ended; Err then says how.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err is the exit status once Done is closed (nil for a clean exit).
func (p *Process) Err() error {
	select {
	case <-p.done:
		return p.err
	default:
		return nil
	}
}

// WaitPorts waits until something accepts connections on each 127.0.0.1 port, for at
// most timeout per port. It returns an error wrapping ErrExited if the process ends
// first, or ctx's error.
func (p *Process) WaitPorts(ctx context.Context, timeout time.Duration, ports ...int) error {
	for _, port := range ports {
		deadline := time.Now().Add(timeout)
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		for {
			select {
			case <-p.done:
				return fmt.Errorf("%w (%v)", ErrExited, p.err)
			case <-ctx.Done():
				return ctx.Err()
			default:
			}
			if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("nothing listens on %s after %s", addr, timeout)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}

// Stop ends the collector gracefully (SIGTERM), killing it after StopGrace, and waits
// for it to exit.
func (p *Process) Stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(StopGrace):
		p.Kill()
	}
}

// Kill ends the collector with SIGKILL, as a crash would, and waits for it to exit.
func (p *Process) Kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// FreePorts returns n distinct TCP ports on 127.0.0.1 that were free a moment ago.
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close() // held until all are chosen, so they differ
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
