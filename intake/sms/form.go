package sms

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
)

// MaxBody caps a webhook request body. Twilio's inbound form is a few
// kilobytes even for a 1,600-character text with media URLs.
const MaxBody = 64 << 10

// inboundSMS is one text as Twilio delivers it to the webhook.
type inboundSMS struct {
	SID  string // MessageSid (SmsMessageSid or SmsSid on older accounts)
	From string // the client's phone, as Twilio sent it, without "whatsapp:"
	To   string // our number, without "whatsapp:"
	// Channel is the channel the message came on: WhatsApp when Twilio
	// wrote From as "whatsapp:+44…", else SMS.
	Channel  core.MessagingChannel
	Body     string // valid UTF-8, at most flow.MaxBodyRunes runes
	NumMedia int    // pictures or files attached (MMS)
	// OptOutType is set by Twilio's Advanced Opt-Out when it read the text
	// as an opt-out keyword ("STOP", "START", "HELP"), including keywords
	// in other languages or ones configured in Twilio's console.
	OptOutType string
}

// keyword is what the text asks for: Twilio's reading when it made one,
// so our opt-out records agree with the ones Twilio enforces, else the
// flow's, which knows the keywords of every shipped language.
func (m inboundSMS) keyword(f *flow.Flow) flow.Keyword {
	switch m.OptOutType {
	case "STOP":
		return flow.KeywordStop
	case "START":
		return flow.KeywordStart
	case "HELP":
		return flow.KeywordHelp
	}
	return f.Keyword(m.Body)
}

// twilioFormType is the body type Twilio's webhooks post.
const twilioFormType = "application/x-www-form-urlencoded"

// refuseOtherTypes answers 415 and reports false unless r's body is the
// form Twilio posts. The server's edge checks form bodies for bytes no
// column can store, so a body of another type must not be read as one.
func refuseOtherTypes(w http.ResponseWriter, r *http.Request) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == twilioFormType {
		return true
	}
	http.Error(w, "unsupported media type: Twilio posts its webhooks as "+twilioFormType, http.StatusUnsupportedMediaType)
	return false
}

// smsSIDRe is what a Twilio message SID looks like ("SM" or "MM" and 32 hex
// digits); anything in that shape is accepted, as Twilio adds prefixes.
// It is used as a Redis key, so it must not carry anything else.
var smsSIDRe = regexp.MustCompile(`^[A-Z]{2}[0-9a-fA-F]{32}$`)

var errNoSID = errors.New("no message SID")

// twilioForm is a webhook's form body. Twilio sends every field once;
// a repeated field keeps its first value for the handler, and all its
// values for the signature check, which covers every value as Twilio
// signs them (signed).
type twilioForm struct {
	fields map[string]string // each field's first value: what the handler reads
	// repeats holds every value, in order, of each field sent more than
	// once; nil when there is none, as in every form Twilio sends.
	repeats map[string][]string
}

// readTwilioForm reads a webhook's form body. It reads what
// url.ParseQuery reads (FuzzTwilioFormAgreesWithParseQuery holds it to
// that) and refuses what it refuses: a semicolon, a "%" without two hex
// digits, more fields than its limit. It builds no url.Values and decodes
// only the fields that are escaped, as it runs on every text.
func readTwilioForm(body io.Reader) (twilioForm, error) {
	raw, err := io.ReadAll(body)
	if err != nil {
		return twilioForm{}, fmt.Errorf("read form: %w", err)
	}
	return parseTwilioForm(string(raw))
}

// maxFormFields is url.ParseQuery's default limit on a form's fields.
const maxFormFields = 10000

func parseTwilioForm(raw string) (twilioForm, error) {
	if strings.Count(raw, "&") >= maxFormFields {
		return twilioForm{}, errors.New("parse form: more fields than a webhook sends")
	}
	form := twilioForm{fields: make(map[string]string, 24)} // Twilio's inbound form has about 20 fields
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if strings.Contains(pair, ";") {
			return twilioForm{}, errors.New("parse form: a semicolon separates fields")
		}
		if pair == "" {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		key, err := unescapeField(key)
		if err != nil {
			return twilioForm{}, err
		}
		if value, err = unescapeField(value); err != nil {
			return twilioForm{}, err
		}
		first, seen := form.fields[key]
		switch {
		case !seen:
			form.fields[key] = value
		case form.repeats[key] == nil:
			if form.repeats == nil {
				form.repeats = map[string][]string{}
			}
			form.repeats[key] = []string{first, value}
		default:
			form.repeats[key] = append(form.repeats[key], value)
		}
	}
	return form, nil
}

// unescapeField decodes one key or value of the form, without copying
// one that has nothing to decode.
func unescapeField(s string) (string, error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	v, err := url.QueryUnescape(s)
	if err != nil {
		return "", fmt.Errorf("parse form: %w", err)
	}
	return v, nil
}

// parseInboundSMS picks the fields the webhook uses out of a signed form,
// accepting the legacy names for the SID. A body PostgreSQL cannot store
// is repaired: bytes that are not UTF-8 (Twilio never sends them) and NULs
// (which some carriers deliver for GSM's "@", its 0x00) become U+FFFD. A
// body longer than the longest concatenated SMS is cut. Nothing
// downstream sees either.
func parseInboundSMS(params map[string]string) (inboundSMS, error) {
	m := inboundSMS{From: strings.TrimSpace(params["From"]), To: strings.TrimSpace(params["To"]),
		OptOutType: strings.ToUpper(strings.TrimSpace(params["OptOutType"]))}
	m.Channel, m.From = splitAddress(m.From)
	_, m.To = splitAddress(m.To)
	for _, k := range []string{"MessageSid", "SmsMessageSid", "SmsSid"} {
		if v := strings.TrimSpace(params[k]); v != "" {
			m.SID = v
			break
		}
	}
	if !smsSIDRe.MatchString(m.SID) {
		return m, errNoSID
	}
	body := strings.ReplaceAll(strings.ToValidUTF8(params["Body"], "\uFFFD"), "\x00", "\uFFFD")
	if utf8.RuneCountInString(body) > flow.MaxBodyRunes {
		body = string([]rune(body)[:flow.MaxBodyRunes])
	}
	m.Body = body
	if n, err := strconv.Atoi(strings.TrimSpace(params["NumMedia"])); err == nil && n > 0 {
		m.NumMedia = n
	}
	return m, nil
}
