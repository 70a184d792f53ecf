// Package cputime reads the CPU time used so far, for benchmarks that must measure cost
// rather than elapsed time: on a shared machine the wall clock also measures the
// neighbours, and CPU time much less so.
package cputime

import (
	"syscall"
	"time"
)

// Process is the user and system CPU time of the whole process so far, every thread and
// the garbage collector included.
func Process() time.Duration {
	return rusage(syscall.RUSAGE_SELF)
}

func rusage(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		panic("cputime: getrusage: " + err.Error())
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
