package core

import (
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// WebhookReceivers says which receiver addresses a webhook may go to.
// Partners name the address, and Onward's server makes the request, so
// an address inside Onward's own network would let any partner reach
// (and, through its failure count, map) services that are not theirs.
// The zero value is production's rule: an https address whose host is a
// name or a public IP address. One rule serves a deployment: the partner
// API asks it when a receiver is subscribed (Engine.Subscribe) and the
// delivery worker when it connects, after DNS.
type WebhookReceivers struct {
	// Local also takes plain http and any address: a developer's setup
	// (ONWARD_ENV=dev) and tests, whose receivers listen on 127.0.0.1.
	Local bool
	// Private lists the networks inside Onward's own that may receive
	// webhooks all the same (ONWARD_WEBHOOK_PRIVATE_NETWORKS): an
	// agency's casework system on the council's network, say. Their
	// receivers still need https.
	Private []netip.Prefix
}

// PublicReceivers is production's rule, with no private network allowed.
var PublicReceivers = WebhookReceivers{}

// LocalReceivers is a developer's and the tests' rule.
var LocalReceivers = WebhookReceivers{Local: true}

// Permits reports whether a webhook may be delivered to the address a:
// any address for Local, else a public one (PublicAddress) or one inside
// a network listed in Private.
func (r WebhookReceivers) Permits(a netip.Addr) bool {
	if r.Local {
		return a.IsValid()
	}
	if PublicAddress(a) {
		return true
	}
	a = a.Unmap().WithZone("")
	for _, p := range r.Private {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// The refusals, in the words the partner reads against the field "url".
const (
	webhookURLMessage       = "give the full address of your receiver, starting https://"
	webhookLongMessage      = "the address is longer than 2000 characters"
	webhookPortMessage      = "the port must be a number from 1 to 65535"
	webhookHTTPSMessage     = "the address must start https://: events are not sent over plain http"
	webhookUserinfoMessage  = "leave the user name and password out of the address: deliveries are signed with the subscription's secret instead"
	webhookNotPublicMessage = "the address points to a private, local or reserved network address; give your receiver's public address"
	webhookNumericMessage   = "give your receiver's host name, or a public IP address written in full"
)

// webhookURLMax is the longest receiver address taken, in characters.
const webhookURLMax = 2000

// CheckWebhookURL refuses a receiver address the rule does not allow,
// with a *ValidationError on the field "url". It looks at the address as
// written and never resolves it: a public name that resolves to an
// internal address is refused when the delivery connects (see
// PublicAddress).
func CheckWebhookURL(rawURL string, allow WebhookReceivers) error {
	_, err := WebhookURL(rawURL, allow)
	return err
}

// WebhookURL checks a receiver address as CheckWebhookURL does and
// returns it in its normal form, the one Onward keeps (normalWebhookURL):
// scheme and host in lower case, since both are case-insensitive (RFC
// 3986 §3.1, §3.2.2), and the rest normalised as RFC 3986 §6.2.2–6.2.3
// has it. url.Parse lower-cases the scheme itself, so "HTTPS://…" passes
// the check; kept as written, it would not be the address that was
// checked.
func WebhookURL(rawURL string, allow WebhookReceivers) (string, error) {
	refuse := func(msg string) (string, error) {
		return "", &ValidationError{Fields: []FieldError{{Field: "url", Message: msg}}}
	}
	if utf8.RuneCountInString(rawURL) > webhookURLMax {
		return refuse(webhookLongMessage)
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
		return refuse(webhookURLMessage)
	}
	// url.Parse takes any digits as a port; only 1–65535 name one.
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return refuse(webhookPortMessage)
		}
	}
	if u.User != nil {
		return refuse(webhookUserinfoMessage)
	}
	normal, ok := normalWebhookURL(rawURL)
	if !ok {
		return refuse(webhookURLMessage)
	}
	if allow.Local {
		return normal, nil
	}
	if u.Scheme != "https" {
		return refuse(webhookHTTPSMessage)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		// Names that always mean this machine (RFC 6761).
		if !allow.Permits(netip.IPv6Loopback()) && !allow.Permits(netip.AddrFrom4([4]byte{127, 0, 0, 1})) {
			return refuse(webhookNotPublicMessage)
		}
		return normal, nil
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if !allow.Permits(a) {
			return refuse(webhookNotPublicMessage)
		}
		return normal, nil
	}
	// No public name ends in a number: "2130706433", "127.1" or "0x7f.1"
	// are other spellings of IP addresses that some resolvers accept.
	last := host[strings.LastIndex(host, ".")+1:]
	if last == "" || strings.HasPrefix(last, "0x") || strings.Trim(last, "0123456789") == "" {
		return refuse(webhookNumericMessage)
	}
	return normal, nil
}

// normalWebhookURL is an address url.Parse took with a host in its normal
// form (RFC 3986 §6.2.2, §6.2.3), so that two spellings of one receiver
// are one address and a second subscription to it is seen: the scheme
// and host in lower case (an IPv6 zone, which names an interface, as
// written), without the host's trailing dots or the scheme's default port;
// percent-encoded unreserved characters decoded and the hex of the rest
// in upper case; dot segments removed, and an empty path "/". The
// fragment is dropped rather than refused: HTTP never sends it, so it
// names the same receiver, and subscriptions kept with one before still
// deliver. An empty query is dropped too. Otherwise the path and query
// are kept as written, case and all, rather than re-encoded with
// url.URL.String.
func normalWebhookURL(rawURL string) (string, bool) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return "", false
	}
	scheme = strings.ToLower(scheme)
	rest, _, _ = strings.Cut(rest, "#")
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	authority, ok := normalAuthority(scheme, rest[:end])
	if !ok {
		return "", false
	}
	path, query, _ := strings.Cut(rest[end:], "?")
	path = removeDotSegments(normalPercents(path))
	if path == "" {
		path = "/"
	}
	normal := scheme + "://" + authority + path
	if query != "" {
		normal += "?" + normalPercents(query)
	}
	return normal, true
}

// normalAuthority is the host and port of an address with no user
// information in their normal form: the host in lower case, an IPv6
// zone as written, no trailing dots, and the port left out when it is the
// scheme's default (or empty).
func normalAuthority(scheme, authority string) (string, bool) {
	host, port := authority, ""
	if i := strings.LastIndex(authority, ":"); i > strings.LastIndex(authority, "]") {
		host, port = authority[:i], authority[i+1:]
	}
	zone := ""
	if i := strings.Index(host, "%25"); i >= 0 && strings.HasPrefix(host, "[") {
		host, zone = host[:i], host[i:]
	}
	host = strings.TrimRight(strings.ToLower(host), ".")
	if host == "" {
		return "", false
	}
	host += zone
	if port == "" {
		return host, true
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return "", false
	}
	if scheme == "https" && n == 443 || scheme == "http" && n == 80 {
		return host, true
	}
	return host + ":" + strconv.Itoa(n), true
}

// normalPercents decodes the percent-encoded octets that are unreserved
// characters (RFC 3986 §2.3: letters, digits, "-", ".", "_", "~") and
// writes the hex of every other in upper case (§6.2.2.1, §6.2.2.2).
func normalPercents(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			b.WriteByte(s[i])
			continue
		}
		c := unhex(s[i+1])<<4 | unhex(s[i+2])
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(s[i+1:i+3]))
		}
		i += 2
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// removeDotSegments is RFC 3986 §5.2.4's: "/a/./b/../c" is "/a/c".
func removeDotSegments(in string) string {
	var out []string // each segment with the "/" before it
	for in != "" {
		switch {
		case strings.HasPrefix(in, "../"):
			in = in[3:]
		case strings.HasPrefix(in, "./"):
			in = in[2:]
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case in == "/.":
			in = "/"
		case strings.HasPrefix(in, "/../"), in == "/..":
			in = "/" + in[min(4, len(in)):]
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "." || in == "..":
			in = ""
		default:
			n := len(in)
			if i := strings.IndexByte(in[1:], '/'); i >= 0 {
				n = i + 1
			}
			out = append(out, in[:n])
			in = in[n:]
		}
	}
	return strings.Join(out, "")
}

// nonPublic are the special-purpose ranges (IANA's IPv4 and IPv6
// special-purpose registries) that netip's methods do not already name,
// and the IPv6 ranges that carry an IPv4 address inside them (so could
// reach a private one through a translator or tunnel).
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated)
	netip.MustParsePrefix("::ffff:0:0:0/96"), // IPv4-translated
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local NAT64
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments, Teredo
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4
	netip.MustParsePrefix("3fff::/20"),       // documentation
	netip.MustParsePrefix("5f00::/16"),       // segment routing
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
}

// PublicAddress reports whether a webhook may be delivered to a: not
// loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 with the
// cloud metadata address, fe80::/10), unspecified, multicast, carrier-grade
// NAT or another special-purpose range. An IPv4-mapped IPv6 address is
// judged as the IPv4 address it carries. The delivery client asks it of
// every address it is about to connect to, after DNS.
func PublicAddress(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsUnspecified() || a.IsLoopback() || a.IsPrivate() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() || a.IsMulticast() {
		return false
	}
	a = a.WithZone("")
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
