package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Slack signs every request it sends with the app's signing secret:
// X-Slack-Signature = "v0=" + hex(HMAC-SHA256(secret, "v0:" + timestamp +
// ":" + raw body)), with X-Slack-Request-Timestamp in Unix seconds.
const (
	headerSignature = "X-Slack-Signature"
	headerTimestamp = "X-Slack-Request-Timestamp"
	headerRetryNum  = "X-Slack-Retry-Num"
	// signatureWindow is how far a timestamp may be from now; older
	// requests are replays.
	signatureWindow = 5 * time.Minute
)

var (
	errNoSignature  = errors.New("missing Slack signature headers")
	errBadSignature = errors.New("Slack signature does not match")
	errOldSignature = errors.New("Slack request timestamp is outside the five-minute window")
)

// SlackSignature is the X-Slack-Signature value Slack sends for body at
// timestamp (Unix seconds). Tests and the benchmark sign with it exactly
// as Slack does.
func SlackSignature(secret string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%d:", timestamp)
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// verifySlack checks a request's signature over its raw body.
func verifySlack(h http.Header, body []byte, secret string, now time.Time) error {
	if secret == "" {
		return errors.New("no Slack signing secret configured")
	}
	sig, tsText := h.Get(headerSignature), h.Get(headerTimestamp)
	if sig == "" || tsText == "" {
		return errNoSignature
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return errBadSignature
	}
	if d := now.Sub(time.Unix(ts, 0)); d > signatureWindow || d < -signatureWindow {
		return errOldSignature
	}
	hexSig, ok := strings.CutPrefix(sig, "v0=")
	if !ok {
		return errBadSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return errBadSignature
	}
	want, _ := hex.DecodeString(strings.TrimPrefix(SlackSignature(secret, ts, body), "v0="))
	if !hmac.Equal(got, want) {
		return errBadSignature
	}
	return nil
}
