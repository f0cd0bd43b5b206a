//go:build unix

package notify

import (
	"errors"
	"syscall"
)

// spoke reports whether the server has sent anything on the connection
// that is not yet read, closed it, or reset it, asked without waiting and
// without reading. While it reads a message's data a server has nothing
// to say (it answers the final "." alone), so anything there means it gave
// up on the message: bytes (a 421, TLS's close_notify), or the end of the
// stream.
func (w *wire) spoke() bool {
	sc, ok := w.Conn.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	spoke := false
	var b [1]byte
	_ = raw.Read(func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// Bytes, the end of the stream (0 bytes, no error) or an error
		// (a reset): all but "nothing yet".
		spoke = !errors.Is(err, syscall.EAGAIN) && !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR)
		return true // never wait
	})
	return spoke
}
