package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
)

// SMSSender sends one text message to a client. It is the seam between the
// worker and Twilio. row is the outbox row the text is for (0 for none):
// its delivery callbacks name it, so one that arrives for a text whose id
// the worker could not record still finds its row.
type SMSSender interface {
	SendSMS(ctx context.Context, row core.OutboxID, to core.Phone, body string) (SMSReceipt, error)
}

// StatusRowParam is the query parameter of the StatusCallback URL that
// names the outbox row a text was sent for: its number only, nothing
// personal. Twilio signs the URL with it (X-Twilio-Signature), so a
// callback cannot name another row.
const StatusRowParam = "row"

// SMSReceipt is what the provider said when it took a message.
type SMSReceipt struct {
	SID    string // Twilio's message SID, the provider id of the outbox row
	Status string // "queued", "accepted", …
}

// TwilioSender sends texts through Twilio's Messages API with twilio-go.
type TwilioSender struct {
	rest           *api.ApiService // the Messages API only: the whole REST client would bring in every Twilio product
	from, service  string
	statusCallback string
	whatsAppFrom   string // ONWARD_WHATSAPP_FROM in E.164; "" when WhatsApp is off
	timeout        time.Duration
}

// DefaultProviderTimeout bounds one API call to Twilio or Slack.
const DefaultProviderTimeout = 10 * time.Second

// SenderOptions tune a provider client.
type SenderOptions struct {
	Timeout   time.Duration     // one API call; zero means DefaultProviderTimeout
	Transport http.RoundTripper // nil means http.DefaultTransport; tests pass a guard
}

func (o SenderOptions) timeout() time.Duration {
	if o.Timeout <= 0 {
		return DefaultProviderTimeout
	}
	return o.Timeout
}

func (o SenderOptions) transport() http.RoundTripper {
	if o.Transport == nil {
		return http.DefaultTransport
	}
	return o.Transport
}

// NewTwilioSender builds the sender from the config. When
// cfg.TwilioAPIURL is set (fakes, the dev simulator), every request goes
// there instead of api.twilio.com, keeping Twilio's path.
func NewTwilioSender(cfg config.Config, o SenderOptions) (*TwilioSender, error) {
	if !cfg.TwilioEnabled() {
		return nil, errors.New("twilio is not configured")
	}
	hc := &http.Client{
		Timeout:   o.timeout(),
		Transport: o.transport(),
		// Twilio never redirects the Messages API; a redirect means
		// something is wrong, and following it could leak credentials.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if cfg.TwilioAPIURL != "" {
		// config.Validate has checked it is an absolute http(s) URL.
		target, err := url.Parse(strings.TrimRight(cfg.TwilioAPIURL, "/"))
		if err != nil {
			return nil, fmt.Errorf("ONWARD_TWILIO_API_URL: %w", err)
		}
		hc.Transport = &rewriteTransport{target: target, base: o.transport()}
	}
	tc := &client.Client{Credentials: client.NewCredentials(cfg.TwilioAccountSID, cfg.TwilioAuthToken), HTTPClient: hc}
	tc.SetAccountSid(cfg.TwilioAccountSID)
	s := &TwilioSender{
		rest:         api.NewApiServiceWithClient(tc),
		from:         cfg.TwilioFrom,
		service:      cfg.TwilioMessagingServiceSID,
		whatsAppFrom: cfg.WhatsAppSender(),
		timeout:      o.timeout(),
	}
	if cfg.PublicURL != "" {
		s.statusCallback = strings.TrimRight(cfg.PublicURL, "/") + "/twilio/status"
	}
	return s, nil
}

// rewriteTransport sends every request to target's scheme and host (and
// path prefix), keeping the request's own path: twilio-go hard-codes
// api.twilio.com.
type rewriteTransport struct {
	target *url.URL
	base   http.RoundTripper
}

func (t *rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	out := r.Clone(r.Context())
	out.URL.Scheme = t.target.Scheme
	out.URL.Host = t.target.Host
	out.URL.Path = t.target.Path + r.URL.Path
	if r.URL.RawPath != "" {
		out.URL.RawPath = t.target.Path + r.URL.RawPath
	}
	out.Host = t.target.Host
	return t.base.RoundTrip(out)
}

// SendSMS sends body to the phone for outbox row row (0 for none).
// twilio-go takes no context: the HTTP client's timeout bounds the call
// instead.
func (s *TwilioSender) SendSMS(ctx context.Context, row core.OutboxID, to core.Phone, body string) (SMSReceipt, error) {
	if err := ctx.Err(); err != nil {
		return SMSReceipt{}, err
	}
	if !core.Textable(to) {
		return SMSReceipt{}, &Failure{Permanent: true, Reason: "the number is not in a country the network texts"}
	}
	p := &api.CreateMessageParams{}
	p.SetTo(string(to))
	if s.service != "" {
		p.SetMessagingServiceSid(s.service)
	} else {
		p.SetFrom(s.from)
	}
	p.SetBody(body)
	return s.create(ctx, row, p)
}

// create sends one message (SMS or WhatsApp), asking for delivery
// receipts at the status callback, naming the outbox row when there is one.
func (s *TwilioSender) create(ctx context.Context, row core.OutboxID, p *api.CreateMessageParams) (SMSReceipt, error) {
	if err := ctx.Err(); err != nil {
		return SMSReceipt{}, err
	}
	if s.statusCallback != "" {
		cb := s.statusCallback
		if row > 0 {
			cb += "?" + StatusRowParam + "=" + strconv.FormatInt(int64(row), 10)
		}
		p.SetStatusCallback(cb)
	}
	m, err := s.rest.CreateMessage(p)
	if err != nil {
		return SMSReceipt{}, twilioFailure(err)
	}
	var r SMSReceipt
	if m.Sid != nil {
		r.SID = *m.Sid
	}
	if m.Status != nil {
		r.Status = *m.Status
	}
	if r.SID == "" {
		return r, &Failure{Provider: "twilio", Reason: "answer carried no message SID"}
	}
	return r, nil
}

// twilioAuthFailed is Twilio's "Authenticate" error: the account SID and
// auth token (or API key) were refused (Failure.Credentials).
const twilioAuthFailed = 20003

// twilioQueueFull is Twilio's 21611, a 400 that a retry does mend: the
// From number has as many messages queued as Twilio holds for it.
const twilioQueueFull = 21611

// Twilio error codes that no retry can fix.
var twilioPermanent = map[int]string{
	21211: "invalid 'To' number",
	21408: "sending to this region is not enabled",
	21606: "the 'From' number cannot send this message",
	21610: "the phone has unsubscribed (STOP)",
	21612: "cannot route to this number",
	21614: "'To' is not a mobile number",
	21617: "message body too long",
	21222: "account SID has characters Twilio does not allow",
	21655: "the WhatsApp template's Content SID is not valid",
	21656: "the WhatsApp template's ContentVariables are not valid",
	63007: "the WhatsApp sender is not set up on this account",
	63016: "outside the WhatsApp 24-hour window: an approved template is needed",
	21224: "auth token has characters Twilio does not allow",
}

// twilioFailure classifies a twilio-go error without keeping Twilio's
// message text, which can quote the phone number.
func twilioFailure(err error) error {
	var tre *client.TwilioRestError
	if errors.As(err, &tre) {
		f := &Failure{Provider: "twilio", Status: tre.Status, Code: strconv.Itoa(tre.Code)}
		if tre.Code == twilioAuthFailed {
			// Every call fails alike until the credentials are fixed.
			f.Credentials, f.RetryAfter = true, credentialsRecheck
			f.Reason = "Twilio refused the account's credentials: check ONWARD_TWILIO_ACCOUNT_SID and ONWARD_TWILIO_AUTH_TOKEN"
			return f
		}
		if reason, ok := twilioPermanent[tre.Code]; ok {
			f.Permanent, f.Reason = true, reason
			f.OptedOut = tre.Code == 21610
			f.OutsideWindow = tre.Code == 63016
			return f
		}
		switch {
		case tre.Status == http.StatusTooManyRequests || tre.Code == 20429:
			f.Reason = "rate limited"
		case tre.Code == twilioQueueFull:
			f.Reason = "the sender's queue at Twilio is full"
		case tre.Status >= 500 || tre.Status == 0:
			f.Reason = "server error"
		case tre.Status >= 400 && tre.Status < 500 && tre.Status != http.StatusRequestTimeout:
			// A code not listed above: Twilio refused the request itself
			// (its 400 is "failed validation"), and would refuse it again,
			// as for an answer that is not Twilio's JSON (below).
			f.Permanent, f.Reason = true, "request refused"
		default:
			f.Reason = "request failed"
		}
		return f
	}
	var v1 *client.RestErrorV1
	if errors.As(err, &v1) {
		return &Failure{Provider: "twilio", Status: v1.HttpStatusCode, Code: strconv.Itoa(v1.Code), Reason: "request failed",
			Permanent: v1.HttpStatusCode >= 400 && v1.HttpStatusCode < 500 && v1.HttpStatusCode != http.StatusTooManyRequests}
	}
	f := asFailure(err)
	f.Provider = "twilio"
	if status, ok := unreadableStatus(err); ok {
		// The answer was not Twilio's JSON (a proxy's page, a wrong
		// ONWARD_TWILIO_API_URL): the status is all there is to go on.
		// Twilio's docs: 429 and 5xx are worth retrying; any other 4xx is
		// a request that will be refused again.
		f.Status = status
		switch {
		case status == http.StatusTooManyRequests:
			f.Reason = "rate limited, with an answer that is not Twilio's"
		case status >= 500:
			f.Reason = "server error, with an answer that is not Twilio's"
		case status >= 400 && status != http.StatusRequestTimeout:
			f.Permanent, f.Reason = true, "request refused, with an answer that is not Twilio's (is ONWARD_TWILIO_API_URL right?)"
		default:
			f.Reason = "request failed, with an answer that is not Twilio's"
		}
	}
	return f
}

// unreadableStatus is the HTTP status of a Twilio answer twilio-go could
// not read as JSON: it says "error decoding the response for an HTTP
// error code: 404: …".
func unreadableStatus(err error) (int, bool) {
	const marker = "error decoding the response for an HTTP error code: "
	_, rest, ok := strings.Cut(err.Error(), marker)
	if !ok {
		return 0, false
	}
	digits := rest[:len(rest)-len(strings.TrimLeft(rest, "0123456789"))]
	status, err := strconv.Atoi(digits)
	if err != nil {
		return 0, false
	}
	return status, true
}

// TwilioMessage is one message Twilio holds, as its Messages API lists
// it: what the check of an interrupted send compares.
type TwilioMessage struct {
	SID     string
	Body    string
	Status  string
	Created time.Time // date_created
}

// MessageLog answers what Twilio holds: the seam the check of an
// interrupted send asks. TwilioSender is one.
type MessageLog interface {
	// SentTo lists the messages sent to the phone from our sender (the
	// From number or the messaging service) that Twilio created at or
	// after since.
	SentTo(ctx context.Context, to core.Phone, since time.Time) ([]TwilioMessage, error)
	// SendTimeout bounds one send: after a text's "sending" mark and this
	// long, its API call can no longer reach Twilio.
	SendTimeout() time.Duration
}

// SendTimeout is the timeout of one API call (SenderOptions.Timeout).
func (s *TwilioSender) SendTimeout() time.Duration { return s.timeout }

// sentToLimit caps the messages read for one number: more than this to
// one client since one text was marked sending means something else is
// wrong, and the check says it could not tell.
const sentToLimit = 200

// SentTo lists, through twilio-go, the messages Twilio holds to the
// phone from our sender, created at or after since. Twilio filters by
// DateSent at the granularity of a GMT day, so the filter asks for the
// whole day of since and the rest is filtered here by date_created;
// with a messaging service (no filter for it) messages of other senders
// are dropped here too.
func (s *TwilioSender) SentTo(ctx context.Context, to core.Phone, since time.Time) ([]TwilioMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := &api.ListMessageParams{}
	p.SetTo(string(to))
	if s.service == "" {
		p.SetFrom(s.from)
	}
	y, m, d := since.UTC().Date()
	p.SetDateSentAfter(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
	p.SetPageSize(100)
	p.SetLimit(sentToLimit + 1)
	ms, err := s.rest.ListMessage(p)
	if err != nil {
		return nil, twilioFailure(err)
	}
	if len(ms) > sentToLimit {
		return nil, &Failure{Provider: "twilio", Reason: fmt.Sprintf("more than %d messages to the number since then", sentToLimit)}
	}
	var out []TwilioMessage
	for _, m := range ms {
		if m.Direction == nil || *m.Direction != "outbound-api" || m.DateCreated == nil || m.Sid == nil {
			continue
		}
		if s.service != "" && (m.MessagingServiceSid == nil || *m.MessagingServiceSid != s.service) {
			continue
		}
		created, err := time.Parse(time.RFC1123Z, *m.DateCreated)
		if err != nil {
			return nil, &Failure{Provider: "twilio", Reason: "a message's date_created is not in RFC 2822 form"}
		}
		if created.Before(since) {
			continue
		}
		tm := TwilioMessage{SID: *m.Sid, Created: created}
		if m.Body != nil {
			tm.Body = *m.Body
		}
		if m.Status != nil {
			tm.Status = *m.Status
		}
		out = append(out, tm)
	}
	return out, nil
}
