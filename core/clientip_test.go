package core

import (
	"strings"
	"testing"
)

func TestClientIP(t *testing.T) {
	trusted, err := Config{TrustedProxies: "10.0.0.0/8, 192.0.2.7"}.Proxies()
	if err != nil {
		t.Fatal(err)
	}
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
		if got := ClientIP(c.remote, c.xff, trusted); got != c.want {
			t.Errorf("%s: ClientIP = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestTrustedProxiesValidated(t *testing.T) {
	_, err := Config{TrustedProxies: "10.0.0.0/8, proxy.internal"}.Proxies()
	if err == nil || !strings.Contains(err.Error(), `"proxy.internal"`) {
		t.Fatalf("err = %v, want one naming the bad entry", err)
	}
	cfg, err := LoadConfig(func(k string) string {
		return map[string]string{"ONWARD_ENV": "dev", "ONWARD_TRUSTED_PROXIES": "10.0.0.0/33"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "ONWARD_TRUSTED_PROXIES") {
		t.Fatalf("Validate = %v; want an ONWARD_TRUSTED_PROXIES error", err)
	}
}
