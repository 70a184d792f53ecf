//go:build !linux

package cputime

import (
	"syscall"
	"time"
)

// Thread is the CPU time of the whole process where a thread's own is not available.
func Thread() time.Duration {
	return rusage(syscall.RUSAGE_SELF)
}
