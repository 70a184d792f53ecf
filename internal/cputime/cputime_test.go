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

// TestClocksAdvanceWithWork: the thread's clock advances while it works, never faster
// than the wall clock, and the process's clock counts at least as much. The spin lasts
// until the thread has been charged 50ms, however long a busy machine takes to give it
// that (a fixed 50ms of wall time was charged 23ms when other tests ran on both cores).
func TestClocksAdvanceWithWork(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p0, t0, w0 := Process(), Thread(), time.Now()
	for Thread()-t0 < 50*time.Millisecond {
		if time.Since(w0) > 10*time.Second {
			t.Fatalf("the thread's clock advanced %v in 10s of spinning", Thread()-t0)
		}
	}
	p, th, wall := Process()-p0, Thread()-t0, time.Since(w0)
	if p < th || th > wall+time.Millisecond {
		t.Fatalf("after %v of spinning: thread %v, process %v; want thread ≤ wall time and process ≥ thread", wall, th, p)
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
