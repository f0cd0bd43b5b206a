package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/onward-network/onward/core"
)

// Standard Webhooks (https://www.standardwebhooks.com) headers.
const (
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

// SignWebhook computes the Standard Webhooks signature of a message: the
// base64 HMAC-SHA256, keyed with the base64 part of a "whsec_" secret, of
// "id.timestamp.body", as "v1,<signature>".
func SignWebhook(secret, id string, timestamp int64, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return "", fmt.Errorf("webhook secret is not whsec_ and base64: %w", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(strconv.FormatInt(timestamp, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// VerifyWebhook checks a delivery the way a receiver does: one of the
// space-separated signatures matches, and the timestamp is within
// tolerance of now. Partners' receivers (and Onward's tests) use it.
func VerifyWebhook(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	id, ts := h.Get(HeaderWebhookID), h.Get(HeaderWebhookTimestamp)
	t, err := strconv.ParseInt(ts, 10, 64)
	if id == "" || err != nil {
		return errors.New("webhook-id or webhook-timestamp missing")
	}
	if d := now.Sub(time.Unix(t, 0)); d > tolerance || d < -tolerance {
		return errors.New("webhook timestamp outside tolerance")
	}
	want, err := SignWebhook(secret, id, t, body)
	if err != nil {
		return err
	}
	for _, sig := range strings.Fields(h.Get(HeaderWebhookSignature)) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return errors.New("no webhook signature matches")
}

// WebhookBody is what a partner receives: the event, and the referral's
// ids and status only. The partner reads details with its own credentials.
type WebhookBody struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      struct {
		Reference string `json:"reference"`
		Status    string `json:"status"`
		Version   int    `json:"version"`
		URL       string `json:"url"` // the JSON API resource
		FHIRTask  string `json:"fhir_task"`
	} `json:"data"`
}

// webhook delivers one referral event to one partner subscription. A
// paused subscription's events wait (deferred, not dropped); a failed
// delivery counts towards pausing it, and is retried on
// core.WebhookRetrySchedule.
func (w *Worker) webhook(ctx context.Context, r core.OutboxClaim) (outcome, error) {
	p := r.Payload.Webhook
	if p == nil {
		return outcome{}, permanent("webhook row without a subscription", nil)
	}
	t, err := w.engine.WebhookTarget(ctx, p.Subscription)
	if errors.Is(err, core.ErrNotFound) || err == nil && t.Gone {
		return skipped("subscription ended"), nil
	}
	if err != nil {
		return outcome{}, err
	}
	now := w.now()
	if t.Subscription.PausedAt != nil {
		return rescheduled(now.Add(time.Hour), "webhook subscription paused"), nil
	}
	// A referral's events reach a receiver in the order they happened.
	if until, wait, err := w.engine.EarlierWebhookDue(ctx, r, now); err != nil {
		return outcome{}, err
	} else if wait {
		return deferred(until, "waiting for an earlier event of this referral"), nil
	}
	var body WebhookBody
	body.Type, body.Timestamp = p.Event, r.CreatedAt.UTC()
	body.Data.Reference, body.Data.Status, body.Data.Version = p.Reference, string(p.Status), r.Payload.Version
	base := strings.TrimRight(w.cfg.PublicURL, "/")
	body.Data.URL = base + "/api/v1/referrals/" + p.Reference
	body.Data.FHIRTask = base + "/fhir/Task/" + p.Reference
	raw, err := json.Marshal(body)
	if err != nil {
		return outcome{}, permanent("encode webhook", err)
	}
	// The id stays the same across retries, so receivers can drop repeats.
	id := fmt.Sprintf("msg_onw%d", r.ID)
	// Signed under each secret in use: after a rotation, the new one and,
	// for a day, the one it replaced (Standard Webhooks' space-separated
	// signatures), so a receiver holding either accepts it.
	var sigs []string
	for _, secret := range t.Secrets() {
		sig, err := SignWebhook(secret, id, now.Unix(), raw)
		if err != nil {
			return outcome{}, permanent("sign webhook", err)
		}
		sigs = append(sigs, sig)
	}
	sig := strings.Join(sigs, " ")
	// Subscriptions made before addresses were checked, or in dev mode,
	// may name one this worker must not send to: that is a failure the
	// partner sees and fixes, like a receiver that does not answer.
	var ve *core.ValidationError
	if err := core.CheckWebhookURL(t.Subscription.URL, w.receivers); errors.As(err, &ve) {
		return w.webhookFailed(ctx, p.Subscription, now, &Failure{Provider: "webhook", Reason: "address not allowed: " + ve.Field("url")})
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.Subscription.URL, bytes.NewReader(raw))
	if err != nil {
		return outcome{}, permanent("webhook URL", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Onward-Webhooks/1")
	req.Header.Set(HeaderWebhookID, id)
	req.Header.Set(HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderWebhookSignature, sig)
	resp, err := w.webhooks.Do(req)
	var f *Failure
	switch {
	case errors.Is(err, errAddressNotAllowed):
		f = &Failure{Provider: "webhook", Reason: errAddressNotAllowed.Error()}
	case err != nil:
		f = asFailure(err)
		f.Provider = "webhook"
	default:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			if err := w.engine.WebhookDelivered(ctx, p.Subscription); err != nil {
				w.log.Warn("record webhook delivered", "subscription", p.Subscription, "err", err)
			}
			return sent(id, core.DeliveryStatus(fmt.Sprintf("webhook %d", resp.StatusCode))), nil
		}
		if resp.StatusCode == http.StatusGone {
			return w.webhookGone(ctx, p.Subscription, now)
		}
		// The receiver's body is never kept: it is the partner's, and may
		// echo anything.
		// A redirect is not followed (refuseRedirect): it is a failure
		// like any other answer that is not 2xx.
		f = &Failure{Provider: "webhook", Status: resp.StatusCode, Reason: "receiver answered " + http.StatusText(resp.StatusCode)}
	}
	return w.webhookFailed(ctx, p.Subscription, now, f)
}

// webhookGone pauses at once a subscription whose receiver answered 410
// Gone, which Standard Webhooks reads as the receiver wanting no more
// deliveries: trying on for a day would only repeat the answer. Its
// events wait, as for any pause, until the partner resumes it
// (core.Engine.WebhookGone, which alerts coordinators).
func (w *Worker) webhookGone(ctx context.Context, id core.WebhookSubscriptionID, now time.Time) (outcome, error) {
	f := &Failure{Provider: "webhook", Status: http.StatusGone,
		Reason: "receiver answered Gone: it wants no more deliveries, so the subscription is paused at once"}
	paused, err := w.engine.WebhookGone(ctx, id, f.Error())
	if err != nil {
		return outcome{}, err
	}
	if paused {
		w.log.Warn("webhook subscription paused: the receiver answered 410 Gone", "subscription", id, "err", f.Error())
	}
	// Paused now, or already by another worker's delivery meanwhile.
	return rescheduled(now.Add(time.Hour), "webhook subscription paused: receiver answered 410 Gone"), nil
}

// webhookFailed counts a failed delivery against its subscription, which
// pauses it once deliveries have failed for core.WebhookRetrySpan; f is
// what the partner reads as the subscription's last_error.
func (w *Worker) webhookFailed(ctx context.Context, id core.WebhookSubscriptionID, now time.Time, f *Failure) (outcome, error) {
	paused, err := w.engine.WebhookFailed(ctx, id, f.Error())
	if err != nil {
		return outcome{}, err
	}
	if paused {
		w.log.Warn("webhook subscription paused", "subscription", id, "err", f.Error())
		return rescheduled(now.Add(time.Hour), "webhook subscription paused"), nil
	}
	return outcome{}, f
}

// errAddressNotAllowed is a webhook connection refused by
// refuseNotPermitted. It names no address: the partner's DNS may say one
// thing to Onward's network and another to the world.
var errAddressNotAllowed = errors.New("address not allowed: the receiver's host resolves to a private, local or reserved network address")

// refuseNotPermitted is the webhook dialer's Control for the rule allow:
// it runs after DNS, on each address about to be connected to, so a
// public name pointed at an internal address (or re-pointed after
// subscribing) is refused too.
func refuseNotPermitted(allow core.WebhookReceivers) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !allow.Permits(ap.Addr()) {
			return errAddressNotAllowed
		}
		return nil
	}
}

// refuseRedirect keeps webhook deliveries to the subscribed address: a
// 3xx answer is returned as it is (and counted as a failure), never
// followed to wherever it points.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// newWebhookClient is the client that delivers webhooks: a ten-second
// limit, no redirects, no proxy from the environment (a proxy would
// connect on our behalf, past the check), and connections only to the
// addresses allow permits.
func newWebhookClient(allow core.WebhookReceivers) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allow.Local {
		d.Control = refuseNotPermitted(allow)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = d.DialContext
	return &http.Client{Timeout: 10 * time.Second, Transport: tr, CheckRedirect: refuseRedirect}
}
