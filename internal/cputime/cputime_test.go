package cputime

import (
	"runtime"
	"testing"
	"time"
)

// spin burns about d of CPU on the calling thread.
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

func TestClocksAdvanceWithWork(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p0, t0 := Process(), Thread()
	spin(50 * time.Millisecond)
	p, th := Process()-p0, Thread()-t0
	// The scheduler may take the core away while spinning, so only a lower bound that
	// leaves room for a busy machine: half the spin must have been charged.
	if th < 25*time.Millisecond || p < th {
		t.Fatalf("after 50ms of spinning: thread %v, process %v; want thread ≥ 25ms and process ≥ thread", th, p)
	}
}

func TestThreadExcludesOtherThreads(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("per-thread CPU time is read on Linux only")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	t0 := Thread()
	done := make(chan struct{})
	go func() { spin(100 * time.Millisecond); close(done) }()
	<-done
	if th := Thread() - t0; th > 20*time.Millisecond {
		t.Fatalf("the waiting thread was charged %v for another thread's 100ms", th)
	}
}
