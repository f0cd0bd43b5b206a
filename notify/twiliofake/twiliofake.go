// Package twiliofake is Onward's one fake of Twilio's Messages API
// (POST /2010-04-01/Accounts/{AccountSid}/Messages.json to send, GET on
// the same path to list what was sent, filtered by To, From and DateSent
// and paged as Twilio pages, GET .../Messages/{Sid}.json to fetch one
// message, and DELETE on that path to delete it: 204, or 404 (20404)
// for a SID it does not hold), speaking
// Twilio's wire format so the real twilio-go client can be pointed at it
// with ONWARD_TWILIO_API_URL. It speaks SMS and WhatsApp: addresses
// written "whatsapp:+44…", approved templates sent as ContentSid and
// ContentVariables (checked as Twilio checks them: 21654, 21655, 21656),
// and free-form WhatsApp messages outside the client's 24-hour window
// accepted, then reported failed with 63016, as Twilio does. Two users share it: the dev phone simulator
// (intake), which is linked into the onward binary, and the tests, through
// notify/notifytest, which start it on an httptest server.
//
// Because it ships in the binary it imports nothing but the standard
// library: what differs between its users comes in as small functions
// (which numbers exist, who opted out, what to do with an accepted
// message, where status callbacks go), and tests script failures with
// SetScript.
package twiliofake

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Message is one message the fake accepted, as Twilio received it.
type Message struct {
	SID                 string
	Path                string
	User, Password      string // basic auth
	To                  string
	From                string
	MessagingServiceSID string
	Body                string
	StatusCallback      string
	At                  time.Time
	// ContentSID and ContentVariables are an approved template and its
	// variables (a JSON object), as sent to WhatsApp outside the window.
	ContentSID       string
	ContentVariables string
	// Rendered is what the recipient sees: Body, or the template filled
	// in by Options.Content.
	Rendered string
	// OutsideWindow: a free-form WhatsApp message to a client whose
	// 24-hour window is closed; accepted, then reported failed (63016).
	OutsideWindow bool
}

// Reply tells the fake how to answer one request. The zero Reply accepts it.
type Reply struct {
	Status     int           // HTTP status to fail with (e.g. 500, 429)
	RetryAfter int           // seconds, sent as Retry-After with Status
	Code       string        // provider error code ("21211" for Twilio, "channel_not_found" for Slack)
	Hang       time.Duration // hold the request this long, then drop it unanswered and unrecorded
	Delay      time.Duration // accept and record the request, but answer only after this long
}

// Script decides the reply to the n-th request (counting from 1).
type Script func(n int) Reply

// Options are the account the fake serves and the functions that make it
// the simulator's or a test's. Only AccountSID and AuthToken are required.
type Options struct {
	AccountSID string
	AuthToken  string

	// ValidTo reports whether a To number can be texted; a false answer
	// is Twilio's error 21211. nil accepts any E.164 number.
	ValidTo func(to string) bool
	// OptedOut reports whether a number texted STOP; true is Twilio's
	// error 21610. nil: nobody has.
	OptedOut func(ctx context.Context, to string) (bool, error)
	// OnAccept is called with every message that passed the checks,
	// before Twilio's answer is sent; an error answers 500 (Twilio's
	// 20500) and the message counts as not sent.
	OnAccept func(ctx context.Context, m Message) error
	// StatusCallback, when set, receives Twilio's "sent" then "delivered"
	// status callback forms for each accepted message that named a
	// StatusCallback URL, CallbackDelay after it was accepted; an error
	// stops that message's callbacks. nil sends none.
	StatusCallback func(ctx context.Context, callbackURL string, form url.Values) error
	// CallbackDelay is the wait before the status callbacks (1 s if zero),
	// long enough for the sender to record the SID first.
	CallbackDelay time.Duration
	// Segments counts a body's SMS segments for num_segments (1 if nil).
	Segments func(body string) int
	// Now stamps accepted messages and Twilio's dates (time.Now if nil).
	Now func() time.Time
	// NewSID makes message SIDs ("SM" and 32 hex digits from crypto/rand
	// if nil).
	NewSID func() (string, error)
	// Unexpected is told of any request the Messages API does not
	// serve (answered 404); tests fail on it.
	Unexpected func(method, path string)

	// WhatsAppWindowOpen reports whether a WhatsApp number wrote to us in
	// the last 24 hours; a free-form message to one that did not is
	// accepted and then reported failed with 63016, as Twilio does. nil:
	// every window is open.
	WhatsAppWindowOpen func(ctx context.Context, to string) (bool, error)
	// Content renders an approved template with its variables for
	// Message.Rendered and the answer's body; ok false is Twilio's 21655
	// (no such template). nil accepts any well-formed Content SID and
	// renders nothing.
	Content func(sid string, vars map[string]string) (text string, ok bool)
}

// Fake serves Twilio's Messages API; it is an http.Handler for the API's
// root (mount it under a prefix with http.StripPrefix).
type Fake struct {
	o Options

	mu       sync.Mutex
	requests int
	script   Script
	now      func() time.Time // Options.Now, or SetClock's
	sent     []Message        // what it accepted, oldest first, for GET
	deleted  []Deletion       // the DELETEs it answered, oldest first
	received []string         // SIDs of inbound messages it holds (Received), oldest first

	pending sync.WaitGroup // status callbacks not yet made
}

// New returns a fake for one account.
func New(o Options) *Fake {
	if o.CallbackDelay <= 0 {
		o.CallbackDelay = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.NewSID == nil {
		o.NewSID = randomSID
	}
	if o.ValidTo == nil {
		o.ValidTo = e164.MatchString
	}
	return &Fake{o: o, now: o.Now}
}

// keepMessages bounds what the fake remembers for GET: the dev simulator
// runs for days.
const keepMessages = 10000

// SetClock makes the fake stamp messages (date_created, date_sent) with
// now from here on: tests on a stopped clock give it theirs.
func (f *Fake) SetClock(now func() time.Time) {
	f.mu.Lock()
	f.now = now
	f.mu.Unlock()
}

func (f *Fake) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now()
}

// SetScript decides how later requests are answered (nil accepts all) and
// restarts the request count the script sees.
func (f *Fake) SetScript(s Script) {
	f.mu.Lock()
	f.script, f.requests = s, 0
	f.mu.Unlock()
}

// Requests counts the authenticated requests since the last SetScript,
// accepted or not.
func (f *Fake) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// Close waits for the status callbacks still to be made.
func (f *Fake) Close() { f.pending.Wait() }

var (
	messagesPath = regexp.MustCompile(`^/2010-04-01/Accounts/([^/]+)/Messages\.json$`)
	messagePath  = regexp.MustCompile(`^/2010-04-01/Accounts/([^/]+)/Messages/([^/]+)\.json$`)
	e164         = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
)

// maxBody caps a request: a message body is at most 1,600 characters.
const maxBody = 64 << 10

// Twilio's error codes the fake answers with.
const (
	codeAuthenticate = 20003
	codeNotFound     = 20404
	codeTooMany      = 20429
	codeInternal     = 20500
	codeInvalidTo    = 21211
	codeBadRequest   = 21601
	codeNoBody       = 21602
	codeNoFrom       = 21603
	codeUnsubscribed = 21610
	// WhatsApp and templates.
	codeContentSIDRequired = 21654
	codeContentSID         = 21655
	codeContentVariables   = 21656
	codeNoChannel          = 63007
	codeOutsideWindow      = "63016" // reported in the status callback, not the answer
)

// whatsAppPrefix marks a WhatsApp address; contentSIDRe is the shape
// Twilio checks a Content SID against.
const whatsAppPrefix = "whatsapp:"

var contentSIDRe = regexp.MustCompile(`^HX[0-9a-fA-F]{32}$`)

// ServeHTTP answers one request as Twilio's Messages API would.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := messagesPath.FindStringSubmatch(r.URL.Path)
	one := messagePath.FindStringSubmatch(r.URL.Path)
	switch {
	case r.Method == http.MethodPost && m != nil:
	case r.Method == http.MethodGet && m != nil:
		if f.authorized(w, r, m[1]) && !f.scriptedGet(w, r) {
			f.list(w, r)
		}
		return
	case r.Method == http.MethodGet && one != nil:
		if f.authorized(w, r, one[1]) && !f.scriptedGet(w, r) {
			f.fetch(w, one[2])
		}
		return
	case r.Method == http.MethodDelete && one != nil:
		if f.authorized(w, r, one[1]) && !f.scriptedGet(w, r) {
			f.remove(w, r, one[2])
		}
		return
	default:
		if f.o.Unexpected != nil {
			f.o.Unexpected(r.Method, r.URL.Path)
		}
		http.NotFound(w, r)
		return
	}
	if !f.authorized(w, r, m[1]) {
		return
	}
	user, pass, _ := r.BasicAuth()
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		twilioError(w, http.StatusBadRequest, codeBadRequest, "Could not parse the request")
		return
	}
	form := r.PostForm
	msg := Message{Path: r.URL.Path, User: user, Password: pass, To: form.Get("To"), From: form.Get("From"),
		MessagingServiceSID: form.Get("MessagingServiceSid"), Body: form.Get("Body"), StatusCallback: form.Get("StatusCallback"),
		ContentSID: form.Get("ContentSid"), ContentVariables: form.Get("ContentVariables")}
	msg.Rendered = msg.Body
	to, whatsApp := strings.CutPrefix(msg.To, whatsAppPrefix)

	reply := f.nextReply()
	if reply.Hang > 0 {
		hold(r, reply.Hang)
		return
	}
	if reply.Status != 0 || reply.Code != "" {
		scripted(w, reply, msg.To)
		return
	}

	switch {
	case !f.o.ValidTo(to):
		// Twilio's own message quotes the number.
		twilioError(w, http.StatusBadRequest, codeInvalidTo, "The 'To' number "+msg.To+" is not a valid phone number.")
		return
	case msg.From == "" && msg.MessagingServiceSID == "":
		twilioError(w, http.StatusBadRequest, codeNoFrom, "A 'From' or 'MessagingServiceSid' parameter is required to send a message")
		return
	case whatsApp && msg.MessagingServiceSID == "" && !strings.HasPrefix(msg.From, whatsAppPrefix):
		twilioError(w, http.StatusBadRequest, codeNoChannel, "Twilio could not find a Channel with the specified From address")
		return
	case msg.ContentVariables != "" && msg.ContentSID == "":
		twilioError(w, http.StatusBadRequest, codeContentSIDRequired, "A ContentSid must be specified if ContentVariables are provided in the request.")
		return
	case msg.Body == "" && msg.ContentSID == "":
		twilioError(w, http.StatusBadRequest, codeNoBody, "Message body is required.")
		return
	}
	if msg.ContentSID != "" {
		if !f.content(w, &msg) {
			return
		}
	} else if whatsApp && f.o.WhatsAppWindowOpen != nil {
		open, err := f.o.WhatsAppWindowOpen(r.Context(), to)
		if err != nil {
			twilioError(w, http.StatusInternalServerError, codeInternal, "Internal Server Error")
			return
		}
		msg.OutsideWindow = !open
	}
	// Twilio's opt-out handling (21610) is for SMS; WhatsApp has none.
	if f.o.OptedOut != nil && !whatsApp {
		out, err := f.o.OptedOut(r.Context(), msg.To)
		if err != nil {
			twilioError(w, http.StatusInternalServerError, codeInternal, "Internal Server Error")
			return
		}
		if out {
			// What Twilio answers for a phone that texted STOP.
			twilioError(w, http.StatusBadRequest, codeUnsubscribed, "Attempt to send to unsubscribed recipient")
			return
		}
	}
	sid, err := f.o.NewSID()
	if err != nil {
		twilioError(w, http.StatusInternalServerError, codeInternal, "Internal Server Error")
		return
	}
	now := f.clock()
	msg.SID, msg.At = sid, now
	if f.o.OnAccept != nil {
		if err := f.o.OnAccept(r.Context(), msg); err != nil {
			twilioError(w, http.StatusInternalServerError, codeInternal, "Internal Server Error")
			return
		}
	}
	f.mu.Lock()
	f.sent = append(f.sent, msg)
	if len(f.sent) > keepMessages {
		f.sent = append([]Message(nil), f.sent[len(f.sent)-keepMessages:]...)
	}
	f.mu.Unlock()
	if reply.Delay > 0 {
		hold(r, reply.Delay)
	}
	f.created(w, msg, now)
	if msg.StatusCallback != "" && f.o.StatusCallback != nil {
		f.reportDelivery(msg)
	}
}

// content checks a template message's ContentSid and ContentVariables as
// Twilio does (21655, 21656) and renders it; false when it answered an
// error.
func (f *Fake) content(w http.ResponseWriter, m *Message) bool {
	if !contentSIDRe.MatchString(m.ContentSID) {
		twilioError(w, http.StatusBadRequest, codeContentSID, "The ContentSid is Invalid")
		return false
	}
	vars := map[string]string{}
	if m.ContentVariables != "" {
		var raw map[string]any
		if err := json.Unmarshal([]byte(m.ContentVariables), &raw); err != nil {
			twilioError(w, http.StatusBadRequest, codeContentVariables, "The ContentVariables Parameter is invalid")
			return false
		}
		for k, v := range raw {
			s, ok := v.(string)
			if !ok || s == "" || k == "" {
				// Twilio refuses null, empty and non-string values.
				twilioError(w, http.StatusBadRequest, codeContentVariables, "The ContentVariables Parameter is invalid")
				return false
			}
			vars[k] = s
		}
	}
	if f.o.Content != nil {
		text, ok := f.o.Content(m.ContentSID, vars)
		if !ok {
			twilioError(w, http.StatusBadRequest, codeContentSID, "The ContentSid is Invalid")
			return false
		}
		m.Rendered = text
	}
	return true
}

// created answers 201 with the message resource Twilio returns.
func (f *Fake) created(w http.ResponseWriter, m Message, now time.Time) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(f.resource(m, "queued", now))
}

// resource is a message as Twilio's API shows it, in status status:
// dates in RFC 2822 form, date_sent null until it has left.
func (f *Fake) resource(m Message, status string, now time.Time) map[string]any {
	segments := 1
	if f.o.Segments != nil && !strings.HasPrefix(m.To, whatsAppPrefix) {
		segments = f.o.Segments(m.Body)
	}
	created := m.At.UTC().Format(time.RFC1123Z)
	var sent any
	if status != "queued" {
		sent = created
	}
	return map[string]any{
		"account_sid": f.o.AccountSID, "api_version": "2010-04-01", "body": m.Rendered,
		"date_created": created, "date_updated": now.UTC().Format(time.RFC1123Z), "date_sent": sent, "direction": "outbound-api",
		"error_code": nil, "error_message": nil, "from": nilIfEmpty(m.From), "messaging_service_sid": nilIfEmpty(m.MessagingServiceSID),
		"num_media": "0", "num_segments": strconv.Itoa(segments), "price": nil, "price_unit": "GBP",
		"sid": m.SID, "status": status, "to": m.To,
		"subresource_uris": map[string]string{"media": fmt.Sprintf("/2010-04-01/Accounts/%s/Messages/%s/Media.json", f.o.AccountSID, m.SID)},
		"uri":              fmt.Sprintf("/2010-04-01/Accounts/%s/Messages/%s.json", f.o.AccountSID, m.SID),
	}
}

// authorized checks a request's basic auth and account as Twilio does,
// answering 401 (20003) when they are wrong.
func (f *Fake) authorized(w http.ResponseWriter, r *http.Request, account string) bool {
	user, pass, ok := r.BasicAuth()
	if !ok || !equal(user, f.o.AccountSID) || !equal(pass, f.o.AuthToken) || account != f.o.AccountSID {
		twilioError(w, http.StatusUnauthorized, codeAuthenticate, "Authenticate")
		return false
	}
	return true
}

// nextReply counts a request and returns what the script says to answer
// it (the zero Reply when there is no script).
func (f *Fake) nextReply() Reply {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if f.script == nil {
		return Reply{}
	}
	return f.script(f.requests)
}

// scriptedGet counts a GET as a request and answers it as the script
// says; false when the script lets it through.
func (f *Fake) scriptedGet(w http.ResponseWriter, r *http.Request) bool {
	reply := f.nextReply()
	switch {
	case reply.Hang > 0:
		hold(r, reply.Hang)
		return true
	case reply.Status != 0 || reply.Code != "":
		scripted(w, reply, r.URL.Query().Get("To"))
		return true
	case reply.Delay > 0:
		hold(r, reply.Delay)
	}
	return false
}

// sentStatus is what the fake says of a message it accepted: "sent"
// once accepted (it keeps no delivery state of its own), "failed" for a
// free-form WhatsApp message outside the window.
func sentStatus(m Message) string {
	if m.OutsideWindow {
		return "failed"
	}
	return "sent"
}

// list answers GET .../Messages.json: the messages sent to To, from
// From, on or after the date of DateSent> (before the end of the date of
// DateSent<; on the date of DateSent), most recently sent first, in pages
// of PageSize (50 if unset, at most 1000) numbered by Page from 0.
func (f *Fake) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var after, before time.Time
	var err error
	if v := q.Get("DateSent>"); v != "" {
		if after, err = twilioDate(v); err != nil {
			twilioError(w, http.StatusBadRequest, codeBadRequest, "Invalid DateSent> value")
			return
		}
	}
	if v := q.Get("DateSent<"); v != "" {
		if before, err = twilioDate(v); err != nil {
			twilioError(w, http.StatusBadRequest, codeBadRequest, "Invalid DateSent< value")
			return
		}
		before = before.AddDate(0, 0, 1)
	}
	if v := q.Get("DateSent"); v != "" {
		if after, err = twilioDate(v); err != nil {
			twilioError(w, http.StatusBadRequest, codeBadRequest, "Invalid DateSent value")
			return
		}
		before = after.AddDate(0, 0, 1)
	}
	size, page := 50, 0
	if v := q.Get("PageSize"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > 1000 {
			twilioError(w, http.StatusBadRequest, codeBadRequest, "PageSize must be between 1 and 1000")
			return
		}
	}
	if v := q.Get("Page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 0 {
			twilioError(w, http.StatusBadRequest, codeBadRequest, "Invalid Page value")
			return
		}
	}
	f.mu.Lock()
	var match []Message
	for i := len(f.sent) - 1; i >= 0; i-- { // most recent first
		m := f.sent[i]
		switch {
		case q.Has("To") && m.To != q.Get("To"),
			q.Has("From") && m.From != q.Get("From"),
			!after.IsZero() && m.At.Before(after),
			!before.IsZero() && !m.At.Before(before):
			continue
		}
		match = append(match, m)
	}
	now := f.now()
	f.mu.Unlock()
	from := min(page*size, len(match))
	to := min(from+size, len(match))
	messages := make([]map[string]any, 0, to-from)
	for _, m := range match[from:to] {
		messages = append(messages, f.resource(m, sentStatus(m), now))
	}
	pageURI := func(n int) string {
		v := url.Values{}
		for _, k := range []string{"To", "From", "DateSent", "DateSent<", "DateSent>"} {
			if q.Has(k) {
				v.Set(k, q.Get(k))
			}
		}
		v.Set("PageSize", strconv.Itoa(size))
		v.Set("Page", strconv.Itoa(n))
		if n > 0 {
			v.Set("PageToken", fmt.Sprintf("PA%s%d", f.o.AccountSID[2:], n))
		}
		return fmt.Sprintf("/2010-04-01/Accounts/%s/Messages.json?%s", f.o.AccountSID, v.Encode())
	}
	var next, prev any
	if to < len(match) {
		next = pageURI(page + 1)
	}
	if page > 0 {
		prev = pageURI(page - 1)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"messages": messages, "page": page, "page_size": size, "start": from, "end": max(to-1, from),
		"uri": pageURI(page), "first_page_uri": pageURI(0), "next_page_uri": next, "previous_page_uri": prev,
	})
}

// fetch answers GET .../Messages/{Sid}.json.
func (f *Fake) fetch(w http.ResponseWriter, sid string) {
	f.mu.Lock()
	var found *Message
	for i := range f.sent {
		if f.sent[i].SID == sid {
			m := f.sent[i]
			found = &m
		}
	}
	now := f.now()
	f.mu.Unlock()
	if found == nil {
		twilioError(w, http.StatusNotFound, codeNotFound,
			fmt.Sprintf("The requested resource /2010-04-01/Accounts/%s/Messages/%s.json was not found", f.o.AccountSID, sid))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(f.resource(*found, sentStatus(*found), now))
}

// Deletion is one DELETE the fake answered 204 or 404, as Twilio
// received it.
type Deletion struct {
	SID            string
	User, Password string // basic auth
	Found          bool   // the fake held the message (204), else 404
}

// remove answers DELETE .../Messages/{Sid}.json as Twilio does: 204 with
// no body once the message is gone, 404 (20404) for one it does not hold
// (never sent through it, or deleted already). Tests script Twilio's
// refusal of a message still in progress (409, 20009) with SetScript.
func (f *Fake) remove(w http.ResponseWriter, r *http.Request, sid string) {
	user, pass, _ := r.BasicAuth()
	f.mu.Lock()
	found := false
	for i := range f.sent {
		if f.sent[i].SID == sid {
			f.sent = append(f.sent[:i:i], f.sent[i+1:]...)
			found = true
			break
		}
	}
	for i := 0; !found && i < len(f.received); i++ {
		if f.received[i] == sid {
			f.received = append(f.received[:i:i], f.received[i+1:]...)
			found = true
		}
	}
	f.deleted = append(f.deleted, Deletion{SID: sid, User: user, Password: pass, Found: found})
	if len(f.deleted) > keepMessages {
		f.deleted = append([]Deletion(nil), f.deleted[len(f.deleted)-keepMessages:]...)
	}
	f.mu.Unlock()
	if !found {
		twilioError(w, http.StatusNotFound, codeNotFound,
			fmt.Sprintf("The requested resource /2010-04-01/Accounts/%s/Messages/%s.json was not found", f.o.AccountSID, sid))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Received makes the fake hold an inbound message, as Twilio holds every
// text a client sends the account until it is deleted: its DELETE then
// answers 204, not 404. Only DELETE sees it (Twilio lists and fetches
// inbound messages too; Onward never asks for them).
func (f *Fake) Received(sid string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.received = append(f.received, sid)
	if len(f.received) > keepMessages {
		f.received = append([]string(nil), f.received[len(f.received)-keepMessages:]...)
	}
}

// Deleted returns the DELETEs the fake answered (not those a script
// refused), oldest first.
func (f *Fake) Deleted() []Deletion {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Deletion(nil), f.deleted...)
}

// twilioDate reads a DateSent filter as Twilio takes it: a GMT date
// (YYYY-MM-DD), or a full RFC 3339 time as twilio-go writes one, of which
// the date counts.
func twilioDate(v string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, err
	}
	y, mo, d := t.UTC().Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC), nil
}

// reportDelivery sends "sent" then "delivered" to the message's status
// callback after CallbackDelay, as Twilio would.
func (f *Fake) reportDelivery(m Message) {
	f.pending.Add(1)
	time.AfterFunc(f.o.CallbackDelay, func() {
		defer f.pending.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		statuses := []string{"sent", "delivered"}
		to, whatsApp := strings.CutPrefix(m.To, whatsAppPrefix)
		switch {
		case m.OutsideWindow:
			statuses = []string{"failed"}
		case whatsApp:
			statuses = append(statuses, "read")
		}
		for _, status := range statuses {
			form := url.Values{"SmsSid": {m.SID}, "SmsStatus": {status}, "MessageStatus": {status}, "To": {m.To},
				"MessageSid": {m.SID}, "AccountSid": {f.o.AccountSID}, "From": {m.From}, "ApiVersion": {"2010-04-01"}}
			if m.MessagingServiceSID != "" {
				form.Set("MessagingServiceSid", m.MessagingServiceSID)
			}
			if whatsApp {
				form.Set("ChannelPrefix", "whatsapp")
				form.Set("ChannelToAddress", to)
			}
			if m.OutsideWindow {
				form.Set("ErrorCode", codeOutsideWindow)
			}
			if err := f.o.StatusCallback(ctx, m.StatusCallback, form); err != nil {
				return
			}
		}
	})
}

// scripted answers with a test's failure. Its message quotes the To
// number, as Twilio's do for number errors, so tests can check that no
// provider message reaches Onward's errors or logs.
func scripted(w http.ResponseWriter, reply Reply, to string) {
	status := reply.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	if reply.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(reply.RetryAfter))
	}
	if status >= 500 && reply.Code == "" {
		// Twilio's edge answers a bare outage with an HTML page.
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		fmt.Fprint(w, "<html><body>Service Unavailable</body></html>")
		return
	}
	code, _ := strconv.Atoi(reply.Code)
	if code == 0 && status == http.StatusTooManyRequests {
		code = codeTooMany
	}
	twilioError(w, status, code, "The 'To' number "+to+" is not valid.")
}

// twilioError answers as Twilio's API does when it refuses a request.
func twilioError(w http.ResponseWriter, status, code int, message string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "message": message,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code), "status": status})
}

// hold keeps a request until the client gives up or d passes.
func hold(r *http.Request, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.Context().Done():
	case <-t.C:
	}
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func randomSID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("message sid: %w", err)
	}
	return "SM" + hex.EncodeToString(b), nil
}
