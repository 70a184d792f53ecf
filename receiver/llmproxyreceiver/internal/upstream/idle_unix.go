//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package upstream

import (
	"net"
	"syscall"
)

// idleCheck looks at an idle connection's socket without reading from it: a pending
// end of file (or any byte) means the server is done with it. One non-blocking recv
// with MSG_PEEK, in place of the read loop goroutine http.Transport keeps on every
// connection to notice the same.
type idleCheck struct {
	raw   syscall.RawConn
	buf   [1]byte
	stale bool
	peek  func(fd uintptr) bool
}

func (ic *idleCheck) init(raw net.Conn) {
	sc, ok := raw.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	ic.raw = rc
	ic.peek = func(fd uintptr) bool {
		for {
			n, _, err := syscall.Recvfrom(int(fd), ic.buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			switch err {
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				ic.stale = false
			default:
				// n == 0: the server closed; n > 0: it sent what no request asked for;
				// an error: the connection is broken.
				ic.stale = err != nil || n >= 0
			}
			return true // done; RawConn.Read must not wait for readability
		}
	}
}

func (ic *idleCheck) closed() bool {
	if ic.raw == nil {
		return false
	}
	if err := ic.raw.Read(ic.peek); err != nil {
		return true
	}
	return ic.stale
}
