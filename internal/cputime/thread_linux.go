package cputime

import "time"

// rusageThread is Linux's RUSAGE_THREAD.
const rusageThread = 1

// Thread is the CPU time of the calling OS thread so far: lock the goroutine to its thread
// (runtime.LockOSThread) around what is measured. Work the runtime does on other threads
// for it (background garbage collection) is not counted; allocation assists are.
func Thread() time.Duration {
	return rusage(rusageThread)
}
