package core

import (
	"net"
	"net/netip"
	"strings"
)

// clientIP is the address a request came from: the connection's
// (remoteAddr, "host:port"), or, when the connection is from one of the
// trusted proxies, the nearest address in X-Forwarded-For that is not
// itself a trusted proxy. forwardedFor is the header's values, one per
// line it came on (an HTTP edge passes r.Header.Values("X-Forwarded-For")).
// Addresses a client wrote into the header before the first trusted proxy
// are never believed over one a trusted proxy added. It takes plain values
// so that the engine knows nothing of HTTP.
func clientIP(remoteAddr string, forwardedFor []string, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !inPrefixes(addr.Unmap(), trusted) {
		return host
	}
	hops := strings.Split(strings.Join(forwardedFor, ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a garbled hop: trust nothing before it
		}
		if !inPrefixes(hop.Unmap(), trusted) {
			return hop.Unmap().String()
		}
	}
	return host
}

func inPrefixes(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientNetwork is clientIP as rate limits count clients: an IPv4
// address as it is, an IPv6 one as its /64, the block one household or
// host is given, so a client cannot step round a limit by taking another
// of its own addresses. A host that does not parse is returned as it is.
func ClientNetwork(remoteAddr string, forwardedFor []string, trusted []netip.Prefix) string {
	ip := clientIP(remoteAddr, forwardedFor, trusted)
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap().WithZone("")
	if !a.Is6() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}
