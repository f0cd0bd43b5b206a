package core_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestWebhookSubscribeRefusesInternalAddresses: a partner names the
// address and Onward's server posts to it, so an address inside Onward's
// network, plain http or a password in the address is refused with the
// field named, and nothing is kept. The host is judged as written: no DNS.
func TestWebhookSubscribeRefusesInternalAddresses(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Casework", AgencyID: env.Net.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead}}, env.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	const (
		notPublic = "private, local or reserved"
		https     = "must start https://"
		password  = "user name and password"
		numeric   = "host name, or a public IP address"
		address   = "full address"
	)
	for _, c := range []struct{ url, says string }{
		{"https://169.254.169.254/latest/meta-data/", notPublic}, // cloud metadata
		{"https://10.0.0.1/x", notPublic},
		{"https://172.16.5.4/x", notPublic},
		{"https://192.168.1.1/x", notPublic},
		{"https://127.0.0.1/x", notPublic},
		{"https://127.8.9.10:8443/x", notPublic},
		{"https://0.0.0.0/x", notPublic},
		{"https://100.64.0.1/x", notPublic}, // carrier-grade NAT
		{"https://224.0.0.1/x", notPublic},
		{"https://255.255.255.255/x", notPublic},
		{"https://192.0.2.10/x", notPublic},
		{"https://[::1]/x", notPublic},
		{"https://[::]/x", notPublic},
		{"https://[fe80::1]/x", notPublic},
		{"https://[fe80::1%25eth0]/x", notPublic},
		{"https://[fd00:ec2::254]/latest", notPublic}, // AWS's IPv6 metadata address
		{"https://[fc00::5]/x", notPublic},
		{"https://[ff02::1]/x", notPublic},
		{"https://[::ffff:10.0.0.1]/", notPublic},
		{"https://[::ffff:127.0.0.1]/", notPublic},
		{"https://[::ffff:169.254.169.254]/", notPublic},
		{"https://[64:ff9b::a00:1]/", notPublic}, // 10.0.0.1 through NAT64
		{"https://[2002:a00:1::]/", notPublic},   // 10.0.0.1 through 6to4
		{"https://localhost/x", notPublic},
		{"https://LOCALHOST./x", notPublic},
		{"https://api.localhost:8443/x", notPublic},
		{"https://2130706433/x", numeric}, // 127.0.0.1 as one number
		{"https://127.1/x", numeric},
		{"https://0x7f.0.0.1/x", numeric},
		{"http://127.0.0.1:8080/x", https},
		{"http://localhost/x", https},
		{"http://casework.example/hooks", https},
		{"https://user:pass@casework.example/hooks", password},
		{"https://token@casework.example/hooks", password},
		{"ftp://casework.example/hooks", address},
		{"https:///hooks", address},
		{"casework.example/hooks", address},
	} {
		t.Run(c.url, func(t *testing.T) {
			_, _, err := env.Engine.Subscribe(ctx, creds.Partner.ID, c.url)
			var ve *core.ValidationError
			if !errors.As(err, &ve) || !strings.Contains(ve.Field("url"), c.says) {
				t.Fatalf("Subscribe(%q) = %v, want a refusal of the field url saying %q", c.url, err, c.says)
			}
		})
	}
	subs, err := env.Engine.Subscriptions(ctx, creds.Partner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 0 {
		t.Fatalf("refused addresses were kept: %+v", subs)
	}

	// A public receiver, by name or by a public address, is taken.
	for _, u := range []string{"https://casework.example/onward-hooks", "https://hooks.casework.example:8443/a?b=c",
		"https://8.8.8.8/hooks", "https://[2606:4700:4700::1111]/hooks"} {
		if _, _, err := env.Engine.Subscribe(ctx, creds.Partner.ID, u); err != nil {
			t.Fatalf("Subscribe(%q): %v, want it taken", u, err)
		}
	}
	// A network the operator lists (ONWARD_WEBHOOK_PRIVATE_NETWORKS) is
	// taken, over https only; other private addresses still are not.
	env.Engine.UseWebhookReceivers(core.WebhookReceivers{Private: []netip.Prefix{
		netip.MustParsePrefix("10.20.0.0/16"), netip.MustParsePrefix("127.0.0.1/32")}})
	for _, c := range []struct {
		url   string
		taken bool
	}{
		{"https://10.20.3.4/hooks", true},
		{"https://[::ffff:10.20.3.4]/hooks", true},
		{"https://localhost:8443/hooks", true}, // 127.0.0.1 is listed
		{"http://10.20.3.4/hooks", false},
		{"https://10.21.0.1/hooks", false},
		{"https://169.254.169.254/latest/meta-data/", false},
	} {
		_, _, err := env.Engine.Subscribe(ctx, creds.Partner.ID, c.url)
		if c.taken != (err == nil) {
			t.Errorf("with 10.20.0.0/16 and 127.0.0.1 listed, Subscribe(%q) = %v, want taken %v", c.url, err, c.taken)
		}
	}
	// A developer's setup and tests take their own machine's receivers.
	env.Engine.UseWebhookReceivers(core.LocalReceivers)
	if _, _, err := env.Engine.Subscribe(ctx, creds.Partner.ID, "http://127.0.0.1:8080/hooks"); err != nil {
		t.Fatalf("a developer's setup refused a local receiver: %v", err)
	}
	if _, _, err := env.Engine.Subscribe(ctx, creds.Partner.ID, "http://user:pass@127.0.0.1:8080/hooks"); err == nil {
		t.Fatal("a developer's setup took a password in the address")
	}
}

// TestWebhookPublicAddress is the rule the delivery client applies to
// each address after DNS, on addresses as a resolver returns them.
func TestWebhookPublicAddress(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		addr   string
		public bool
	}{
		{"127.0.0.1", false},
		{"127.255.255.254", false},
		{"10.1.2.3", false},
		{"172.31.255.255", false},
		{"192.168.0.1", false},
		{"169.254.169.254", false},
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"100.64.0.1", false},
		{"100.127.255.254", false},
		{"192.0.0.170", false},
		{"198.18.0.1", false},
		{"224.0.0.251", false},
		{"239.255.255.250", false},
		{"240.0.0.1", false},
		{"255.255.255.255", false},
		{"::", false},
		{"::1", false},
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"fc00::1", false},
		{"fd12:3456:789a::1", false},
		{"ff02::1", false},
		{"ff05::2", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.0.0.1", false},
		{"::ffff:169.254.169.254", false},
		{"::a00:1", false},
		{"64:ff9b::7f00:1", false},
		{"2001:db8::1", false},
		{"2001::1", false},
		{"2002:7f00:1::", false},
		{"fec0::1", false},
		{"8.8.8.8", true},
		{"1.1.1.1", true},
		{"100.63.255.255", true},
		{"100.128.0.1", true},
		{"172.32.0.1", true},
		{"::ffff:8.8.8.8", true},
		{"2606:4700:4700::1111", true},
		{"2a00:1450:4009:81f::200e", true},
	} {
		if got := core.PublicAddress(netip.MustParseAddr(c.addr)); got != c.public {
			t.Errorf("PublicAddress(%s) = %v, want %v", c.addr, got, c.public)
		}
	}
	if core.PublicAddress(netip.Addr{}) {
		t.Error("the zero address is public")
	}
}

// TestWebhookSubscribeStoresTheNormalAddress: a URL's scheme and host are
// case-insensitive (RFC 3986 §3.1, §3.2.2), so an address written in
// capitals is the same receiver and is kept as its normal, lower-case
// form (the database takes only that form); its path is kept as written.
// A port outside 1–65535 names no receiver, and an address over 2000
// characters is refused saying so.
func TestWebhookSubscribeStoresTheNormalAddress(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Casework", AgencyID: env.Net.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead}}, env.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		local     bool
		url, want string
	}{
		{false, "HTTPS://CASEWORK.EXAMPLE/h", "https://casework.example/h"},
		{false, "Https://Hooks.Casework.Example:8443/Onward/Hooks?Kind=A", "https://hooks.casework.example:8443/Onward/Hooks?Kind=A"},
		{false, "https://[2606:4700:4700::1111]/Hooks", "https://[2606:4700:4700::1111]/Hooks"},
		{true, "Http://127.0.0.1:9101/x", "http://127.0.0.1:9101/x"},
		{true, "HTTP://LOCALHOST:9101/X", "http://localhost:9101/X"},
		{true, "HTTP://[FE80::1%25Eth0]:9101/X", "http://[fe80::1%25Eth0]:9101/X"},
		// RFC 3986 §6.2.2–6.2.3: the default port, the host's trailing
		// dot, the fragment (never sent) and an empty query go; percent-
		// encoded unreserved characters are decoded, other hex upper-cased.
		{false, "https://casework.example:443/p1", "https://casework.example/p1"},
		{false, "https://casework.example:0443/p2", "https://casework.example/p2"},
		{false, "https://casework.example:/p3", "https://casework.example/p3"},
		{false, "https://Casework.Example./p4", "https://casework.example/p4"},
		{false, "https://casework.example/p5#part", "https://casework.example/p5"},
		{false, "https://casework.example/p6?#part", "https://casework.example/p6"},
		{false, "https://casework.example/%70%37/%7e%2f%2a?k=%7E%3d", "https://casework.example/p7/~%2F%2A?k=~%3D"},
		{false, "https://casework.example/a/./b/../p8", "https://casework.example/a/p8"},
		{false, "https://casework.example", "https://casework.example/"},
		{false, "https://casework.example:8443", "https://casework.example:8443/"},
		{true, "http://127.0.0.1:80/p9", "http://127.0.0.1/p9"},
		{true, "http://127.0.0.1:443/p10", "http://127.0.0.1:443/p10"},
		{true, "HTTP://[FE80::1%25Eth0]:80/p11", "http://[fe80::1%25Eth0]/p11"},
	} {
		allow := core.PublicReceivers
		if c.local {
			allow = core.LocalReceivers
		}
		env.Engine.UseWebhookReceivers(allow)
		s, _, err := env.Engine.Subscribe(ctx, creds.Partner.ID, c.url)
		if err != nil || s.URL != c.want {
			t.Errorf("Subscribe(%q) = %q, %v; want %q kept", c.url, s.URL, err, c.want)
		}
	}

	long := "https://casework.example/" + strings.Repeat("a", 2000)
	for _, allow := range []core.WebhookReceivers{core.PublicReceivers, core.LocalReceivers} {
		env.Engine.UseWebhookReceivers(allow)
		for _, c := range []struct{ url, says string }{
			{"https://casework.example:99999/h", "port"},
			{"https://casework.example:0/h", "port"},
			{"http://127.0.0.1:65536/h", "port"},
			{long, "the address is longer than 2000 characters"},
		} {
			_, _, err := env.Engine.Subscribe(ctx, creds.Partner.ID, c.url)
			var ve *core.ValidationError
			if !errors.As(err, &ve) || !strings.Contains(ve.Field("url"), c.says) {
				t.Errorf("local %v: Subscribe(%.60q) = %v, want a refusal of url saying %q", allow.Local, c.url, err, c.says)
			}
		}
	}
	if _, _, err := env.Engine.Subscribe(ctx, creds.Partner.ID, "https://casework.example:65535/h"); err != nil {
		t.Errorf("port 65535 refused: %v", err)
	}
}

// TestWebhookSubscribeSameAddressWrittenDifferently: a system has one
// subscription per address, and an address is one however it is written
// (RFC 3986 §6.2.2–6.2.3): these were each taken as a second subscription
// to https://casework.example/Hooks, which then got every event twice.
// The path's case is the receiver's to decide, so /hooks is another
// address.
func TestWebhookSubscribeSameAddressWrittenDifferently(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Casework", AgencyID: env.Net.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead}}, env.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	first, _, err := env.Engine.Subscribe(ctx, creds.Partner.ID, "https://casework.example/Hooks")
	if err != nil {
		t.Fatal(err)
	}
	held := fmt.Sprintf("subscription %d", first.ID)
	for _, u := range []string{
		"https://casework.example/Hooks",
		"HTTPS://CASEWORK.EXAMPLE/Hooks",
		"https://casework.example:443/Hooks",
		"https://casework.example/Hooks#x",
		"https://casework.example./Hooks",
		"https://casework.example/%48ooks",
		"https://casework.example/%48%6f%6Fks",
		"https://casework.example/Hooks?",
		"https://casework.example/x/../Hooks",
	} {
		_, _, err := env.Engine.Subscribe(ctx, creds.Partner.ID, u)
		var ve *core.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Field("url"), held) {
			t.Errorf("Subscribe(%q) = %v, want a refusal of url naming %s", u, err, held)
		}
	}
	if _, _, err := env.Engine.Subscribe(ctx, creds.Partner.ID, "https://casework.example/hooks"); err != nil {
		t.Errorf("another path's case refused: %v", err)
	}
	// An address stored before addresses were normalised is the same
	// address as its normal form.
	if _, err := env.Pool.Exec(ctx, `UPDATE webhook_subscriptions SET url = 'https://Casework.Example:443/Older' WHERE id = $1`, first.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = env.Engine.Subscribe(ctx, creds.Partner.ID, "https://casework.example/Older")
	if ve := (*core.ValidationError)(nil); !errors.As(err, &ve) || !strings.Contains(ve.Field("url"), held) {
		t.Errorf("a subscription to the normal form of an address stored before normalising: %v, want a refusal naming %s", err, held)
	}
}

// FuzzWebhookURL: an address taken is kept in a normal form that is
// itself taken, unchanged, so the address checked at delivery is the one
// subscribed and a second spelling of it is found as the same.
func FuzzWebhookURL(f *testing.F) {
	for _, s := range []string{"https://casework.example/Hooks", "HTTPS://Casework.Example.:443/%48ooks?#x",
		"https://casework.example/a/./b/../c?k=%7e%3d", "http://[FE80::1%25Eth0]:80/x", "https://casework.example:/", "HTTPS://00000000.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, allow := range []core.WebhookReceivers{core.PublicReceivers, core.LocalReceivers} {
			normal, err := core.WebhookURL(raw, allow)
			if err != nil {
				continue
			}
			again, err := core.WebhookURL(normal, allow)
			if err != nil || again != normal {
				t.Fatalf("WebhookURL(%q) = %q, whose own normal form is %q, %v", raw, normal, again, err)
			}
		}
	})
}
