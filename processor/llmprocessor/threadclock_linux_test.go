package llmprocessor

import (
	"syscall"
	"time"
	"unsafe"
)

// threadCPU is the CPU time of the calling OS thread, to the nanosecond: Linux's
// CLOCK_THREAD_CPUTIME_ID. getrusage (cputime.Thread) counts the running thread's time
// only up to the scheduler's last update of it (a tick or a switch), so a call of a few
// milliseconds can read half its time: sums over many calls even out, a pair does not.
func threadCPU() time.Duration {
	const clockThreadCPUTimeID = 3
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		panic("clock_gettime(CLOCK_THREAD_CPUTIME_ID): " + errno.Error())
	}
	return time.Duration(ts.Nano())
}
