package sms

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
)

// SignatureHeader carries Twilio's signature of a webhook request.
const SignatureHeader = "X-Twilio-Signature"

// signedURL is the URL Twilio signed: the public URL it was configured
// with plus the request's path and query. r.Host is never used: behind a
// proxy it names the proxy's upstream, and a client can set it.
func (s *SMS) signedURL(r *http.Request) string {
	return s.base + r.URL.RequestURI()
}

// verified reports whether the request carries Twilio's signature of
// its URL and form, checked by twilio-go's RequestValidator.
func (s *SMS) verified(r *http.Request, params map[string]string) bool {
	sig := r.Header.Get(SignatureHeader)
	if sig == "" {
		return false
	}
	return s.validator.Validate(s.signedURL(r), params, sig)
}

// TwilioSignature signs a webhook request the way Twilio does: HMAC-SHA1,
// keyed with the auth token, of the full URL followed by every POST
// parameter's name and value sorted by name, in base64. The phone
// simulator and the benchmark use it to call the webhook as Twilio would.
func TwilioSignature(authToken, url string, params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(url)
	for _, k := range keys {
		b.WriteString(k)
		b.WriteString(params[k])
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
