package sim

// The dev phone simulator: with no Twilio account, `onward dev` serves
// /dev/phone, where a developer texts Onward as a client, and a fake of
// Twilio's Messages API that keeps notify's outbound texts for that page.
// Texts typed on the page take the same path as real ones: the simulator
// builds the form Twilio would post, signs it with the (public, dev-only)
// auth token and hands it to the real webhook handler.
//
// Phones are limited to the Ofcom drama range 07700 900000–900999, so the
// numbers on the page, in URLs and in Redis are never anyone's real phone.
// The demo network's clients have 900500–900999 (demo.ClientPhoneFirst
// on); the page offers, and calls free, the numbers below them.

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/demo"
	"github.com/onward-network/onward/intake/sms"
	"github.com/onward-network/onward/notify/twiliofake"
	"github.com/onward-network/onward/templates"
)

// Config is what the phone simulator needs. The Twilio settings are the
// dev command's simulator credentials, checked by config.Validate.
type Config struct {
	SMS    *sms.SMS // the webhook texts go through
	Engine *core.Engine
	Redis  redis.UniversalClient
	Log    *slog.Logger

	KeyPrefix  string
	PublicURL  string
	AccountSID string
	AuthToken  string
	Number     string // the network's number: To of texts typed, From of texts sent
	// WhatsAppNumber is the network's WhatsApp sender (ONWARD_WHATSAPP_FROM);
	// empty leaves WhatsApp off the page.
	WhatsAppNumber string
	// WhatsAppTemplates are the Content SIDs by kind of status text
	// (config's WhatsAppTemplateSIDs), which the fake fills in from
	// templates/whatsapp.
	WhatsAppTemplates map[string]string

	// CallbackDelay is how long after accepting a message the fake
	// reports it delivered to its StatusCallback (1 s if zero): long
	// enough for notify to record the SID first.
	CallbackDelay time.Duration
	// Random makes message SIDs; crypto/rand when nil.
	Random io.Reader
}

// Simulator serves /dev/phone and the fake Twilio Messages API under
// /dev/twilio.
type Simulator struct {
	cfg   Config
	sms   *sms.SMS
	rdb   redis.UniversalClient
	log   *slog.Logger
	pages *template.Template
	css   []byte
	cop   *http.CrossOriginProtection

	randMu sync.Mutex
	random io.Reader

	twilio *twiliofake.Fake // the fake Messages API under /dev/twilio

	templateKinds map[string]string // WhatsApp Content SID → kind of status text
}

// SimPhones are the numbers offered on the page (any 07700 900xxx works):
// free ones, below the demo clients' block, so each starts as a stranger.
var SimPhones = []string{"123", "234", "456"}

// simFreeFirst is the first free number: 000 and 001 are Onward's own
// SMS and WhatsApp numbers in `onward dev`.
const simFreeFirst = 2

// simDramaPrefix and a three-digit suffix make a phone of the simulator.
const simDramaPrefix = "+447700900"

var simSuffixRe = regexp.MustCompile(`^[0-9]{3}$`)

// New checks its wiring and its number (a drama-range one) and parses the
// page templates.
func New(cfg Config) (*Simulator, error) {
	var errs []error
	if cfg.SMS == nil || cfg.Engine == nil || cfg.Redis == nil {
		errs = append(errs, errors.New("simulator: the SMS handler, engine and Redis are required"))
	}
	// The simulator's own rule, not a setting's: its texts never come
	// from or go to anyone's real phone.
	if !strings.HasPrefix(cfg.Number, simDramaPrefix) {
		errs = append(errs, fmt.Errorf("simulator: its number must be in the drama range 07700 900xxx, got %q", cfg.Number))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.CallbackDelay <= 0 {
		cfg.CallbackDelay = time.Second
	}
	if cfg.Random == nil {
		cfg.Random = rand.Reader
	}
	pages, err := template.New("sim").Funcs(template.FuncMap{"display": simDisplay}).
		ParseFS(templates.FS, "html/sim/*.html")
	if err != nil {
		return nil, fmt.Errorf("simulator pages: %w", err)
	}
	css, err := fs.ReadFile(templates.FS, "html/sim/sim.css")
	if err != nil {
		return nil, fmt.Errorf("simulator stylesheet: %w", err)
	}
	s := &Simulator{cfg: cfg, sms: cfg.SMS, rdb: cfg.Redis, log: cfg.Log, pages: pages, css: css,
		cop: http.NewCrossOriginProtection(), random: cfg.Random, templateKinds: map[string]string{}}
	for kind, sid := range cfg.WhatsAppTemplates {
		s.templateKinds[sid] = kind
	}
	s.twilio = s.newTwilio()
	return s, nil
}

// Routes adds the simulator's page and the fake Twilio API to mux.
func (s *Simulator) Routes(mux *http.ServeMux) {
	mux.Handle("GET /dev/phone", s.headers(http.HandlerFunc(s.page)))
	mux.Handle("POST /dev/phone", s.headers(s.cop.Handler(http.HandlerFunc(s.send))))
	mux.Handle("GET /dev/phone/thread", s.headers(http.HandlerFunc(s.thread)))
	mux.Handle("GET /dev/phone/sim.css", s.headers(http.HandlerFunc(s.stylesheet)))
	mux.Handle("POST /dev/twilio/2010-04-01/Accounts/{account}/Messages.json", http.StripPrefix("/dev/twilio", s.twilio))
	// The worker lists and fetches messages to check a text whose send
	// was interrupted.
	mux.Handle("GET /dev/twilio/2010-04-01/Accounts/{account}/Messages.json", http.StripPrefix("/dev/twilio", s.twilio))
	mux.Handle("GET /dev/twilio/2010-04-01/Accounts/{account}/Messages/{sid}", http.StripPrefix("/dev/twilio", s.twilio))
}

// simCSP allows the page's stylesheet, its own form, and framing by itself
// (the thread reloads in a frame so typing is not lost). No script.
const simCSP = "default-src 'none'; style-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'"

func (s *Simulator) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", simCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// simPhone reads the phone's three-digit suffix from a form or query.
func simPhone(v string) (suffix string, phone core.Phone, ok bool) {
	v = strings.TrimSpace(v)
	if !simSuffixRe.MatchString(v) || v == "000" {
		return "", "", false
	}
	return v, core.Phone(simDramaPrefix + v), true
}

// simDisplay shows a simulator phone the way people write it.
func simDisplay(suffix string) string { return "07700 900" + suffix }

type simPageData struct {
	Phone    string    // three-digit suffix
	Phones   []string  // offered suffixes
	Free     [2]string // the first and last free suffix
	Demo     [2]string // the first and last suffix of the demo clients' phones
	Known    bool      // Phone is a demo client's
	Network  string
	Number   string
	Error    string
	Channel  simChannel // the app in use: sms or whatsapp
	WhatsApp bool       // WhatsApp is offered
}

func (s *Simulator) page(w http.ResponseWriter, r *http.Request) {
	suffix, _, ok := simPhone(r.URL.Query().Get("n"))
	data := simPageData{Phone: suffix, Phones: SimPhones, Number: "07700 900" + strings.TrimPrefix(s.cfg.Number, simDramaPrefix),
		Channel: simChannelOf(r.URL.Query().Get("c")), WhatsApp: s.cfg.WhatsAppNumber != ""}
	if !data.WhatsApp {
		data.Channel = simSMS
	}
	if data.Channel == simWhatsApp {
		data.Number = "WhatsApp 07700 900" + strings.TrimPrefix(s.cfg.WhatsAppNumber, simDramaPrefix)
	}
	if !ok {
		data.Phone = SimPhones[0]
		if r.URL.Query().Has("n") {
			data.Error = "Pick a number from 001 to 999: the simulator only uses the 07700 900xxx range kept for drama."
		}
	}
	suffix3 := func(n int) string { return fmt.Sprintf("%03d", n) }
	data.Free = [2]string{suffix3(simFreeFirst), suffix3(demo.ClientPhoneFirst - 1)}
	data.Demo = [2]string{suffix3(demo.ClientPhoneFirst), suffix3(demo.ClientPhoneLast)}
	data.Known = demo.IsClientPhone(core.Phone(simDramaPrefix + data.Phone))
	if n, err := s.cfg.Engine.Network(r.Context()); err == nil {
		data.Network = n.Name
	}
	s.render(w, "phone.html", data)
}

func (s *Simulator) stylesheet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	_, _ = w.Write(s.css)
}

func (s *Simulator) render(w http.ResponseWriter, name string, data any) {
	var b strings.Builder
	if err := s.pages.ExecuteTemplate(&b, name, data); err != nil {
		s.log.Error("render simulator page", "page", name, "err", err)
		http.Error(w, "the simulator page failed to render", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, b.String())
}

// send texts Onward from a simulator phone, through the signed webhook,
// and keeps the text and the TwiML reply for the thread.
func (s *Simulator) send(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, sms.MaxBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	suffix, phone, ok := simPhone(r.PostForm.Get("n"))
	if !ok {
		http.Redirect(w, r, "/dev/phone?n=bad", http.StatusSeeOther)
		return
	}
	body := strings.ReplaceAll(r.PostForm.Get("body"), "\r\n", "\n")
	var media []string
	if r.PostForm.Get("picture") != "" {
		media = []string{"https://example.org/simulator/picture.jpg"}
	}
	ch := simChannelOf(r.PostForm.Get("c"))
	if ch == simWhatsApp && s.cfg.WhatsAppNumber == "" {
		ch = simSMS
	}
	if ch == simWhatsApp {
		media = nil
	}
	if _, err := s.send1(r.Context(), ch, phone, body, media); err != nil {
		s.log.Error("simulator text", "err", err)
		http.Error(w, "the simulator could not send that text: "+err.Error(), http.StatusInternalServerError)
		return
	}
	next := "/dev/phone?n=" + url.QueryEscape(suffix)
	if ch == simWhatsApp {
		next += "&c=whatsapp"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// Text sends a text from phone as Twilio would post it to /twilio/sms,
// signed, through the real handler, and returns the reply's messages.
// The text and the replies are kept for the phone's thread.
func (s *Simulator) Text(ctx context.Context, phone core.Phone, body string, media ...string) ([]string, error) {
	return s.send1(ctx, simSMS, phone, body, media)
}

// send1 sends one message on a channel through the real webhook and keeps
// it and the replies for the phone's thread on that channel.
func (s *Simulator) send1(ctx context.Context, ch simChannel, phone core.Phone, body string, media []string) ([]string, error) {
	suffix := threadID(ch, strings.TrimPrefix(string(phone), simDramaPrefix))
	sid, err := s.newSID()
	if err != nil {
		return nil, err
	}
	if err := s.record(ctx, suffix, simEntry{Dir: simIn, Body: body, Pictures: len(media), SID: sid}); err != nil {
		return nil, err
	}
	form := s.inboundForm(sid, phone, body, media)
	if ch == simWhatsApp {
		form = url.Values{}
		for k, v := range s.whatsAppForm(sid, phone, body) {
			form.Set(k, v)
		}
	}
	rec := &simRecorder{header: http.Header{}}
	if err := s.deliver(ctx, "/twilio/sms", form, rec, s.sms.Inbound); err != nil {
		return nil, err
	}
	if rec.status != http.StatusOK {
		note := fmt.Sprintf("the webhook answered %d %s", rec.status, http.StatusText(rec.status))
		return nil, s.record(ctx, suffix, simEntry{Dir: simNote, Body: note})
	}
	msgs, err := sms.ParseTwiML(rec.body.String())
	if err != nil {
		return nil, fmt.Errorf("webhook reply: %w", err)
	}
	if len(msgs) == 0 {
		if err := s.record(ctx, suffix, simEntry{Dir: simNote, Body: "no reply (empty TwiML)"}); err != nil {
			return nil, err
		}
	}
	for _, m := range msgs {
		if err := s.record(ctx, suffix, simEntry{Dir: simReply, Body: m}); err != nil {
			return nil, err
		}
	}
	return msgs, nil
}

// inboundForm is the form Twilio posts for an inbound text, field for field.
func (s *Simulator) inboundForm(sid string, phone core.Phone, body string, media []string) url.Values {
	v := url.Values{}
	for k, val := range map[string]string{
		"ToCountry": "GB", "ToState": "", "SmsMessageSid": sid, "NumMedia": fmt.Sprint(len(media)), "ToCity": "",
		"FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "", "Body": body,
		"FromCountry": "GB", "To": s.cfg.Number, "ToZip": "", "NumSegments": "1", "MessageSid": sid,
		"AccountSid": s.cfg.AccountSID, "From": string(phone), "ApiVersion": "2010-04-01",
	} {
		v.Set(k, val)
	}
	for i, m := range media {
		v.Set(fmt.Sprintf("MediaContentType%d", i), "image/jpeg")
		v.Set(fmt.Sprintf("MediaUrl%d", i), m)
	}
	return v
}

// deliver posts a signed form to one of the webhook handlers in-process,
// as Twilio would post it to PublicURL + path.
func (s *Simulator) deliver(ctx context.Context, path string, form url.Values, w http.ResponseWriter, h http.HandlerFunc) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, path, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("simulator request: %w", err)
	}
	params := map[string]string{}
	for k := range form {
		params[k] = form.Get(k)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(sms.SignatureHeader, sms.TwilioSignature(s.cfg.AuthToken, strings.TrimRight(s.cfg.PublicURL, "/")+path, params))
	req.RemoteAddr = "127.0.0.1:0"
	h(w, req)
	return nil
}

func (s *Simulator) newSID() (string, error) {
	b := make([]byte, 16)
	s.randMu.Lock()
	_, err := io.ReadFull(s.random, b)
	s.randMu.Unlock()
	if err != nil {
		return "", fmt.Errorf("message sid: %w", err)
	}
	return fmt.Sprintf("SM%x", b), nil
}

// simRecorder is the in-process ResponseWriter for the webhook's answer.
type simRecorder struct {
	header http.Header
	status int
	body   strings.Builder
}

func (r *simRecorder) Header() http.Header { return r.header }

func (r *simRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *simRecorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}
