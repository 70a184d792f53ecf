//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package upstream

import "net"

// idleCheck is a no-op where a socket cannot be peeked at without blocking: a
// connection the server closed while idle then fails its next request, which is sent
// again when that is safe (see Transport.RoundTrip).
type idleCheck struct{}

func (idleCheck) init(net.Conn) {}

func (idleCheck) closed() bool { return false }
