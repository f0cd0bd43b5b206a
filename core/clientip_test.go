package core

import (
	"net/netip"
	"testing"
)

func TestClientIP(t *testing.T) {
	t.Parallel()
	// What config.Config.Proxies makes of ONWARD_TRUSTED_PROXIES="10.0.0.0/8, 192.0.2.7".
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}
	for _, c := range []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"no proxy", "203.0.113.9:5555", nil, "203.0.113.9"},
		{"an untrusted sender's header is ignored", "203.0.113.9:5555", []string{"198.51.100.1"}, "203.0.113.9"},
		{"one trusted proxy", "10.1.2.3:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a spoofed hop before the proxy's is ignored", "10.1.2.3:443", []string{"1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"two trusted proxies", "192.0.2.7:443", []string{"198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"headers split across lines", "10.1.2.3:443", []string{"1.1.1.1", "198.51.100.1"}, "198.51.100.1"},
		{"only proxies in the header", "10.1.2.3:443", []string{"10.4.4.4"}, "10.1.2.3"},
		{"a garbled hop", "10.1.2.3:443", []string{"198.51.100.1, not-an-ip"}, "10.1.2.3"},
		{"no header from a proxy", "10.1.2.3:443", nil, "10.1.2.3"},
		{"IPv6 client", "10.1.2.3:443", []string{"2001:db8::1"}, "2001:db8::1"},
	} {
		if got := clientIP(c.remote, c.xff, trusted); got != c.want {
			t.Errorf("%s: clientIP = %q, want %q", c.name, got, c.want)
		}
	}
}

// A security review: rate limits keyed by the whole IPv6 address gave a
// host with an ordinary /64 a fresh limit at every address. They count
// an IPv6 client by its /64; an IPv4 client (IPv4-mapped too) by its
// address.
func TestClientNetwork(t *testing.T) {
	t.Parallel()
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	for _, c := range []struct {
		remote string
		xff    []string
		want   string
	}{
		{"203.0.113.9:5555", nil, "203.0.113.9"},
		{"[::ffff:203.0.113.9]:5555", nil, "203.0.113.9"},
		{"[2001:db8:1:2:aaaa::1]:5555", nil, "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff:ffff:ffff:fffe]:5555", nil, "2001:db8:1:2::/64"},
		{"[fe80::1%eth0]:5555", nil, "fe80::/64"},
		{"10.1.2.3:443", []string{"2001:db8:9:9::42"}, "2001:db8:9:9::/64"},
		{"not an address", nil, "not an address"},
	} {
		if got := ClientNetwork(c.remote, c.xff, trusted); got != c.want {
			t.Errorf("ClientNetwork(%q, %q) = %q, want %q", c.remote, c.xff, got, c.want)
		}
	}
}
