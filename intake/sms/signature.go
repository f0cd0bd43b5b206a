package sms

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"hash"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
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
// its URL and form. Twilio signs the URL exactly as it was configured,
// so that is checked first, with one HMAC; a signature that does not
// match it goes to twilio-go's RequestValidator, which also tries the
// URL with and without its scheme's default port, as Twilio's own
// libraries do. (Whatever the first check accepts, the validator would
// accept too: it is the validator's "as given" case.)
func (s *SMS) verified(r *http.Request, form twilioForm) bool {
	sig := r.Header.Get(SignatureHeader)
	if sig == "" {
		return false
	}
	u, params := s.signedURL(r), form.signed()
	return s.signer.matches(u, params, sig) || s.validator.Validate(u, params, sig)
}

// signed is the form as Twilio signs it, in the one-value-per-name map
// both the signer and twilio-go's validator take. Twilio signs a name
// sent more than once once for each of its distinct values, in sorted
// order ("Digits1234Digits5678": twilio-node's toFormUrlEncodedParam,
// twilio-python's compute_signature); twilio-go's map holds one value, so
// those values are joined with the name between them, which the names'
// sorted concatenation then spells exactly as Twilio does. A form with no
// repeated name is signed as it is.
func (f twilioForm) signed() map[string]string {
	if len(f.repeats) == 0 {
		return f.fields
	}
	params := maps.Clone(f.fields)
	for name, values := range f.repeats {
		params[name] = strings.Join(slices.Compact(slices.Sorted(slices.Values(values))), name)
	}
	return params
}

// twilioSigner computes Twilio's webhook signature: HMAC-SHA1, keyed
// with the auth token, of the full URL followed by every POST
// parameter's name and value sorted by name. Its keyed hashes are reused
// from a pool, as a busy webhook signs every text.
type twilioSigner struct {
	macs sync.Pool // of *signerState
}

// signerState is one keyed hash with the buffers a signature needs.
type signerState struct {
	mac  hash.Hash
	keys []string
	buf  []byte
	sum  []byte
}

func newTwilioSigner(authToken string) *twilioSigner {
	key := []byte(authToken)
	return &twilioSigner{macs: sync.Pool{New: func() any {
		return &signerState{mac: hmac.New(sha1.New, key)}
	}}}
}

// sign returns the signature of url and params, in base64.
func (t *twilioSigner) sign(url string, params map[string]string) string {
	st := t.macs.Get().(*signerState)
	defer t.macs.Put(st)
	return base64.StdEncoding.EncodeToString(st.digest(url, params))
}

// matches reports whether sig, in base64, is the signature of url and
// params, comparing in constant time.
func (t *twilioSigner) matches(url string, params map[string]string, sig string) bool {
	want, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || len(want) != sha1.Size {
		return false
	}
	st := t.macs.Get().(*signerState)
	defer t.macs.Put(st)
	return hmac.Equal(st.digest(url, params), want)
}

// digest hashes url and the sorted parameters; the result is valid
// until st is used again.
func (st *signerState) digest(url string, params map[string]string) []byte {
	st.keys = st.keys[:0]
	for k := range params {
		st.keys = append(st.keys, k)
	}
	slices.Sort(st.keys)
	st.buf = append(st.buf[:0], url...)
	for _, k := range st.keys {
		st.buf = append(st.buf, k...)
		st.buf = append(st.buf, params[k]...)
	}
	st.mac.Reset()
	st.mac.Write(st.buf)
	st.sum = st.mac.Sum(st.sum[:0])
	return st.sum
}

// TwilioSignature signs a webhook request the way Twilio does (see
// twilioSigner). The phone simulator and the benchmark use it to call
// the webhook as Twilio would.
func TwilioSignature(authToken, url string, params map[string]string) string {
	return newTwilioSigner(authToken).sign(url, params)
}
