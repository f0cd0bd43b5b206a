package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/slack-go/slack"
)

// Slack signs every request it sends with the app's signing secret:
// X-Slack-Signature = "v0=" + hex(HMAC-SHA256(secret, "v0:" + timestamp +
// ":" + raw body)), with X-Slack-Request-Timestamp in Unix seconds.
// slack-go's SecretsVerifier checks it.
const (
	headerSignature = "X-Slack-Signature"
	headerTimestamp = "X-Slack-Request-Timestamp"
	headerRetryNum  = "X-Slack-Retry-Num"
)

var (
	errNoSignature  = errors.New("missing Slack signature headers")
	errBadSignature = errors.New("Slack signature does not match")
	errOldSignature = errors.New("Slack request timestamp is outside the five-minute window")
)

// verifySlack checks a request's signature over its raw body with
// slack-go's SecretsVerifier, which also refuses a timestamp more than
// five minutes from now (a replay). slack-go reads the wall clock for
// that window itself (time.Since; it takes no clock), so this check
// cannot follow an injected clock: tests pin time with testing/synctest.
func verifySlack(h http.Header, body []byte, secret string) error {
	if secret == "" {
		return errors.New("no Slack signing secret configured")
	}
	sig := h.Get(headerSignature)
	if sig == "" || h.Get(headerTimestamp) == "" {
		return errNoSignature
	}
	// Slack sends lower-case hex and compares signatures as strings;
	// hex decoding would also take upper case, so one signature would
	// have many spellings. Only Slack's own is accepted.
	if !wellFormedSignature(sig) {
		return errBadSignature
	}
	sv, err := slack.NewSecretsVerifier(h, secret)
	switch {
	case errors.Is(err, slack.ErrExpiredTimestamp):
		return errOldSignature
	case err != nil:
		return errBadSignature
	}
	if _, err := sv.Write(body); err != nil {
		return fmt.Errorf("hash Slack request body: %w", err)
	}
	if sv.Ensure() != nil {
		return errBadSignature
	}
	return nil
}

// wellFormedSignature is "v0=" and 64 lower-case hex digits.
func wellFormedSignature(sig string) bool {
	hexSig, ok := strings.CutPrefix(sig, "v0=")
	if !ok || len(hexSig) != 2*sha256.Size {
		return false
	}
	return !strings.ContainsFunc(hexSig, func(r rune) bool { return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') })
}

// SlackSignature is the X-Slack-Signature value Slack sends for body at
// timestamp (Unix seconds), for a client that plays Slack's part (the
// slack-ack benchmark). Nothing here verifies with it: requests are
// verified by slack-go, and a test pins this to Slack's published example.
func SlackSignature(secret string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%d:", timestamp)
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}
