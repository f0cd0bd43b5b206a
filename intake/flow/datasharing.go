package flow

import (
	"net/url"
	"slices"
	"strings"
)

// langParam is the query parameter Onward's public pages read a
// language from (?lang=pl).
const langParam = "lang"

// DataSharingURLIn is the network's data sharing address (raw) as given
// to a client in language code: when it is Onward's own /data-sharing
// page, with ?lang=code, so the client reads what they agree to in their
// language whatever their phone's browser asks for; any other address
// (a protocol the network publishes elsewhere, one that does not parse)
// as it is. The page is Onward's own when raw names no host, or one of
// own (the public address's host; on the web also the host the client
// reached), compared without regard to case.
//
// The one rule for both channels: the SMS gives it to a client who texts
// in a language other than English, the web to every page in such a
// language (and to an English page in a browser that asks for another).
func DataSharingURLIn(raw, code string, own ...string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Path != "/data-sharing" || u.User != nil || code == "" {
		return raw
	}
	if u.Host != "" && !slices.ContainsFunc(own, func(h string) bool { return h != "" && strings.EqualFold(h, u.Host) }) {
		return raw
	}
	q := u.Query()
	q.Set(langParam, code)
	u.RawQuery = q.Encode()
	return u.String()
}
