package sim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/sms"
	"github.com/onward-network/onward/templates"
)

// The simulator as a WhatsApp client: a phone on the page can write by
// WhatsApp instead of SMS. Its messages reach the same webhook in the
// form Twilio posts for WhatsApp (From "whatsapp:+44…", the profile name
// and WhatsApp id), and what notify sends back arrives in the phone's
// WhatsApp thread: free text inside the 24-hour window, the approved
// template filled in outside it. The fake refuses free text outside the
// window as WhatsApp does (63016, in the status callback).

// simChannel is which app of the simulated phone is in use.
type simChannel string

const (
	simSMS      simChannel = "sms"
	simWhatsApp simChannel = "whatsapp"
)

// simChannelOf reads the "c" parameter; anything but "whatsapp" is SMS.
func simChannelOf(v string) simChannel {
	if v == string(simWhatsApp) {
		return simWhatsApp
	}
	return simSMS
}

// threadID names a phone's thread on one channel.
func threadID(ch simChannel, suffix string) string {
	if ch == simWhatsApp {
		return "wa:" + suffix
	}
	return suffix
}

// DevWhatsAppTemplates is ONWARD_WHATSAPP_TEMPLATES for `onward dev`: a
// made-up Content SID for every kind of status text with a wording file
// in templates/whatsapp, which the simulator's fake fills in.
func DevWhatsAppTemplates() (string, error) {
	names, err := fs.Glob(templates.FS, "whatsapp/status_*.txt")
	if err != nil {
		return "", err
	}
	var pairs []string
	for _, n := range names {
		kind := strings.TrimSuffix(strings.TrimPrefix(n, "whatsapp/status_"), ".txt")
		pairs = append(pairs, kind+"="+devContentSID(kind))
	}
	sort.Strings(pairs)
	return strings.Join(pairs, ","), nil
}

// devContentSID is the dev Content SID of a kind: HX and 32 hex digits
// of its hash, stable across runs.
func devContentSID(kind string) string {
	sum := sha256.Sum256([]byte("onward dev whatsapp template " + kind))
	return "HX" + hex.EncodeToString(sum[:16])
}

// simPlaceholderRe is a variable in a templates/whatsapp file,
// {{1:Reference}}; notify reads the same files to fill them.
var simPlaceholderRe = regexp.MustCompile(`\{\{\s*(\d+)\s*:\s*[A-Za-z]+\s*\}\}`)

// content renders an approved template as the client's WhatsApp shows
// it; false for a Content SID the simulator has no template for.
func (s *Simulator) content(sid string, vars map[string]string) (string, bool) {
	kind, ok := s.templateKinds[sid]
	if !ok {
		return "", false
	}
	raw, err := fs.ReadFile(templates.FS, "whatsapp/status_"+kind+".txt")
	if err != nil {
		return "", false
	}
	return simPlaceholderRe.ReplaceAllStringFunc(strings.TrimSpace(string(raw)), func(m string) string {
		return vars[simPlaceholderRe.FindStringSubmatch(m)[1]]
	}), true
}

// windowOpen is the fake's view of the client's 24-hour window: the one
// Onward recorded from the messages it received.
func (s *Simulator) windowOpen(ctx context.Context, to string) (bool, error) {
	m, err := s.cfg.Engine.MessagingOf(ctx, core.Phone(to))
	if err != nil {
		return false, err
	}
	return m.WindowOpen(s.cfg.Engine.Clock().Now()), nil
}

// WhatsApp sends a WhatsApp message from phone as Twilio would post it to
// /twilio/sms, signed, through the real handler, and returns the reply.
func (s *Simulator) WhatsApp(ctx context.Context, phone core.Phone, body string) ([]string, error) {
	if s.cfg.WhatsAppNumber == "" {
		return nil, fmt.Errorf("the simulator has no WhatsApp number")
	}
	return s.send1(ctx, simWhatsApp, phone, body, nil)
}

// whatsAppForm is the form Twilio posts for an inbound WhatsApp message.
func (s *Simulator) whatsAppForm(sid string, phone core.Phone, body string) map[string]string {
	return map[string]string{
		"SmsMessageSid": sid, "NumMedia": "0", "ProfileName": "Simulator " + simDisplay(strings.TrimPrefix(string(phone), simDramaPrefix)),
		"MessageType": "text", "SmsSid": sid, "WaId": strings.TrimPrefix(string(phone), "+"), "SmsStatus": "received",
		"Body": body, "To": sms.WhatsAppPrefix + s.cfg.WhatsAppNumber, "NumSegments": "1", "ReferralNumMedia": "0",
		"MessageSid": sid, "AccountSid": s.cfg.AccountSID, "From": sms.WhatsAppPrefix + string(phone), "ApiVersion": "2010-04-01",
	}
}
