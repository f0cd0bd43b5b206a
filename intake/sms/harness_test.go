package sms

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// The SMS harness, after courier's: every incoming case is the exact form
// Twilio posts for an inbound text, signed with Twilio's algorithm against
// the public URL, sent through the real handler with real Postgres (a fresh
// database per test) and real Redis (a key prefix per test).

const (
	smsTestPublicURL = "https://onward.example.org"
	smsTestToken     = "test-twilio-auth-token-0123456789"
	smsTestAccount   = "AC0123456789abcdef0123456789abcdef"
	smsTestOurNumber = "+447700900000"
	smsTestPhone     = "+447700900123"
)

type smsHarness struct {
	t      testing.TB
	env    *coretest.Env
	rdb    *redis.Client
	prefix string
	sms    *SMS
	mux    *http.ServeMux
	logs   *coretest.LogBuffer

	mu  sync.Mutex
	seq int // message SIDs
}

func newSMSHarness(t testing.TB, opts ...func(*Config)) *smsHarness {
	t.Helper()
	env := coretest.NewEnv(t)
	rdb, prefix := coretest.NewRedis(t)
	return newSMSHarnessOn(t, env, rdb, prefix, opts...)
}

func newSMSHarnessOn(t testing.TB, env *coretest.Env, rdb redis.UniversalClient, prefix string, opts ...func(*Config)) *smsHarness {
	t.Helper()
	logs := &coretest.LogBuffer{}
	cfg := Config{
		Engine: env.Engine, Redis: rdb, Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		KeyPrefix: prefix, PublicURL: smsTestPublicURL, AuthToken: smsTestToken,
		SMSRatePerHour: 1000, IPRatePerMinute: 1000, Random: &coretest.CountingReader{},
	}
	for _, o := range opts {
		o(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Routes(mux)
	h := &smsHarness{t: t, env: env, sms: s, mux: mux, logs: logs, prefix: prefix}
	if c, ok := rdb.(*redis.Client); ok {
		h.rdb = c
	}
	t.Cleanup(func() {
		for _, secret := range []string{smsTestPhone, "7700900123", "Ailsa Fictional", smsTestToken} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("the log carries personal data or a secret (%q):\n%s", secret, logs.String())
			}
		}
	})
	return h
}

// nextSID returns a new message SID in Twilio's shape.
func (h *smsHarness) nextSID() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	return fmt.Sprintf("SM%032x", h.seq)
}

// twilioField is one field of Twilio's form, in the order Twilio sends them.
type twilioField struct{ k, v string }

// inboundForm is the form Twilio posts for an inbound SMS (an MMS when
// media is given), field for field.
func inboundForm(sid, from, body string, media ...string) []twilioField {
	f := []twilioField{
		{"ToCountry", "GB"}, {"ToState", ""}, {"SmsMessageSid", sid}, {"NumMedia", fmt.Sprint(len(media))},
		{"ToCity", ""}, {"FromZip", ""}, {"SmsSid", sid}, {"FromState", ""}, {"SmsStatus", "received"},
		{"FromCity", ""}, {"Body", body}, {"FromCountry", "GB"}, {"To", smsTestOurNumber}, {"ToZip", ""},
		{"NumSegments", "1"}, {"ReferralNumMedia", "0"}, {"MessageSid", sid}, {"AccountSid", smsTestAccount},
		{"From", from}, {"ApiVersion", "2010-04-01"},
	}
	for i, m := range media {
		f = append(f, twilioField{fmt.Sprintf("MediaContentType%d", i), "image/jpeg"},
			twilioField{fmt.Sprintf("MediaUrl%d", i), m})
	}
	return f
}

// encode writes the fields as Twilio does (application/x-www-form-urlencoded,
// in its own order) and returns the params the signature covers.
func encodeForm(fields []twilioField) (string, map[string]string) {
	parts := make([]string, len(fields))
	params := map[string]string{}
	for i, f := range fields {
		parts[i] = url.QueryEscape(f.k) + "=" + url.QueryEscape(f.v)
		params[f.k] = f.v
	}
	return strings.Join(parts, "&"), params
}

// post sends a form to path on the handler, signed with sign (Twilio's
// signature by default) against signURL (the public URL by default).
type postOpt struct {
	path, signURL, signature, token, remote string
	unsigned                                bool
	// contentType replaces the form type Twilio sends, when set.
	contentType string
}

func (h *smsHarness) post(fields []twilioField, o postOpt) *httptest.ResponseRecorder {
	h.t.Helper()
	if o.path == "" {
		o.path = "/twilio/sms"
	}
	if o.signURL == "" {
		o.signURL = smsTestPublicURL + o.path
	}
	if o.token == "" {
		o.token = smsTestToken
	}
	body, params := encodeForm(fields)
	req := httptest.NewRequest(http.MethodPost, o.path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if o.contentType != "" {
		req.Header.Set("Content-Type", o.contentType)
	}
	if o.remote != "" {
		req.RemoteAddr = o.remote
	}
	switch {
	case o.unsigned:
	case o.signature != "":
		req.Header.Set(SignatureHeader, o.signature)
	default:
		req.Header.Set(SignatureHeader, TwilioSignature(o.token, o.signURL, params))
	}
	rec := httptest.NewRecorder()
	h.mux.ServeHTTP(rec, req)
	return rec
}

// text sends one text from phone and returns the SMS of the TwiML reply.
func (h *smsHarness) text(phone, body string) []string {
	h.t.Helper()
	return h.textSID(h.nextSID(), phone, body)
}

func (h *smsHarness) textSID(sid, phone, body string, media ...string) []string {
	h.t.Helper()
	rec := h.post(inboundForm(sid, phone, body, media...), postOpt{})
	return h.twiml(rec)
}

// twiml checks the answer is 200 TwiML and returns its messages.
func (h *smsHarness) twiml(rec *httptest.ResponseRecorder) []string {
	h.t.Helper()
	if rec.Code != http.StatusOK {
		h.t.Fatalf("status %d, want 200: %s", rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") {
		h.t.Fatalf("Content-Type %q, want text/xml", ct)
	}
	msgs, err := ParseTwiML(rec.Body.String())
	if err != nil {
		h.t.Fatalf("%v:\n%s", err, rec.Body.String())
	}
	return msgs
}

// state reads the phone's stored conversation (nil if none).
func (h *smsHarness) state(phone string) *smsState {
	h.t.Helper()
	st, err := readSMSState(context.Background(), h.sms, core.Phone(phone))
	if err != nil {
		h.t.Fatal(err)
	}
	return st
}

func readSMSState(ctx context.Context, s *SMS, phone core.Phone) (*smsState, error) {
	keys := s.phoneKeys(hex.EncodeToString(s.engine.Crypter().PhoneHash(phone)))
	sealed, err := s.rdb.Get(ctx, keys.conv).Bytes()
	if err == redis.Nil {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	raw, err := s.openState(keys, sealed)
	if err != nil {
		return nil, err
	}
	var st smsState
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// count returns the number of rows in a table.
func (h *smsHarness) count(table string) int {
	h.t.Helper()
	return coretest.CountRows(h.t, h.env.Pool, table)
}

func (h *smsHarness) optedOut(phone string) bool {
	h.t.Helper()
	out, err := h.env.Engine.OptedOut(context.Background(), core.Phone(phone))
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}

// referByText walks phone through the English conversation to a
// referral (the debt service in KY1, Ailsa Fictional, by text in the
// morning) and returns it.
func (h *smsHarness) referByText(phone string) core.Referral {
	h.t.Helper()
	return h.referByTextNamed(phone, "Ailsa Fictional")
}

// referByTextNamed is referByText with name texted as the client's name.
func (h *smsHarness) referByTextNamed(phone, name string) core.Referral {
	h.t.Helper()
	var last []string
	for _, b := range []string{"Hi", "1", "1", "KY1 1AB", "no", "no", name, "1", "1", "yes"} {
		last = h.text(phone, b)
	}
	ref := referenceRe.FindString(strings.Join(last, " "))
	if ref == "" {
		h.t.Fatalf("no reference in the last reply: %q", last)
	}
	r, err := h.env.Engine.ReferralByReference(context.Background(), ref)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

// askedByText is acceptedByText with the referral then awaiting the
// client's reply to the question of kind (the contact check, the feedback
// score) for a week, as if the question had just been texted.
func (h *smsHarness) askedByText(phone, code string, kind core.AwaitKind) core.Referral {
	h.t.Helper()
	r := h.acceptedByText(phone, code)
	if err := h.env.Engine.AwaitReply(context.Background(), r.ID, kind, h.env.Clock.Now().Add(7*24*time.Hour)); err != nil {
		h.t.Fatalf("await the reply to %s: %v", kind, err)
	}
	return r
}

var referenceRe = regexp.MustCompile(`ONW-[0-9A-Z]+`)
