package cputime

import (
	"time"

	"golang.org/x/sys/unix"
)

// Thread is the CPU time of the calling OS thread so far: lock the goroutine to its thread
// (runtime.LockOSThread) around what is measured. Work the runtime does on other threads
// for it (background garbage collection) is not counted; allocation assists are.
// CLOCK_THREAD_CPUTIME_ID is exact to the nanosecond; getrusage(RUSAGE_THREAD) counts the
// running thread's time only up to the scheduler's last update of it (a tick or a
// switch), so a call of a few milliseconds could read half its time.
func Thread() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		panic("cputime: clock_gettime(CLOCK_THREAD_CPUTIME_ID): " + err.Error())
	}
	return time.Duration(ts.Nano())
}
