package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
)

// WhatsApp status texts. A client whose phone last wrote to Onward by
// WhatsApp (core.MessagingOf) gets their status texts there too:
//
//   - inside the 24-hour customer-service window (core.WhatsAppWindow
//     after their last WhatsApp message), the same words as the SMS,
//     free-form;
//   - outside it, the approved template configured for the text's kind
//     (ONWARD_WHATSAPP_TEMPLATES), sent with Twilio's Content API:
//     ContentSid and ContentVariables on the Messages API;
//   - outside it with no template for the kind, the row is held (never
//     sent as free text, which WhatsApp refuses with 63016, and never
//     dead-lettered) and coordinators are alerted once. It goes out the
//     moment the client writes again, or when the worker looks again
//     (every heldRecheck) after a template has been configured.
//
// Opt-out is the phone's, whichever channel said STOP.

// WhatsAppSender sends one WhatsApp message to a client.
type WhatsAppSender interface {
	SendWhatsApp(ctx context.Context, to core.Phone, m WhatsAppMessage) (SMSReceipt, error)
}

// WhatsAppMessage is a free-form Body (inside the window) or an approved
// template (ContentSID) with its variables ({"1": "KAN-…"}).
type WhatsAppMessage struct {
	Body       string
	ContentSID string
	Variables  map[string]string
	Row        core.OutboxID // the outbox row it is for, named in its delivery callbacks (0 for none)
}

// heldRecheck is how long a held text waits before the worker looks again.
const heldRecheck = time.Hour

// SendWhatsApp sends m to the phone's WhatsApp from ONWARD_WHATSAPP_FROM,
// both written "whatsapp:+44…" as Twilio wants them.
func (s *TwilioSender) SendWhatsApp(ctx context.Context, to core.Phone, m WhatsAppMessage) (SMSReceipt, error) {
	if s.whatsAppFrom == "" {
		return SMSReceipt{}, permanent("WhatsApp is not configured (ONWARD_WHATSAPP_FROM)", nil)
	}
	p := &api.CreateMessageParams{}
	p.SetTo(whatsAppPrefix + string(to))
	p.SetFrom(whatsAppPrefix + s.whatsAppFrom)
	if m.ContentSID != "" {
		p.SetContentSid(m.ContentSID)
		if len(m.Variables) > 0 {
			raw, err := json.Marshal(m.Variables)
			if err != nil {
				return SMSReceipt{}, permanent("encode ContentVariables", err)
			}
			p.SetContentVariables(string(raw))
		}
	} else {
		p.SetBody(m.Body)
	}
	return s.create(ctx, m.Row, p)
}

// whatsAppPrefix marks a WhatsApp address in Twilio's Messages API.
const whatsAppPrefix = "whatsapp:"

// whatsAppTemplate is one kind's approved wording, from
// templates/whatsapp/status_<kind>.txt, and what fills its variables.
type whatsAppTemplate struct {
	Text   string   // with {{N:Field}} placeholders
	Fields []string // Fields[0] fills {{1}}
}

// placeholderRe is a variable in a WhatsApp template file: {{1:Reference}}.
var placeholderRe = regexp.MustCompile(`\{\{\s*(\d+)\s*:\s*([A-Za-z]+)\s*\}\}`)

// loadWhatsAppTemplates reads templates/whatsapp/status_*.txt, checking
// each placeholder names a status text field and that they are numbered
// 1, 2, 3… in order.
func loadWhatsAppTemplates(fsys fs.FS) (map[string]whatsAppTemplate, error) {
	names, err := fs.Glob(fsys, "whatsapp/status_*.txt")
	if err != nil {
		return nil, fmt.Errorf("whatsapp templates: %w", err)
	}
	out := map[string]whatsAppTemplate{}
	var errs []error
	data := reflect.TypeOf(smsData{})
	for _, name := range names {
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("whatsapp templates: %w", err)
		}
		kind := strings.TrimSuffix(strings.TrimPrefix(name, "whatsapp/status_"), ".txt")
		t := whatsAppTemplate{Text: strings.TrimSpace(string(raw))}
		for i, m := range placeholderRe.FindAllStringSubmatch(t.Text, -1) {
			if n, _ := strconv.Atoi(m[1]); n != i+1 {
				errs = append(errs, fmt.Errorf("%s: variable %s should be numbered %d (1, 2, 3… in order)", name, m[0], i+1))
			}
			if _, ok := data.FieldByName(m[2]); !ok {
				errs = append(errs, fmt.Errorf("%s: %s names no status text field", name, m[0]))
			}
			t.Fields = append(t.Fields, m[2])
		}
		if strings.Contains(placeholderRe.ReplaceAllString(t.Text, ""), "{{") {
			errs = append(errs, fmt.Errorf("%s: a variable is not written {{N:Field}}", name))
		}
		out[kind] = t
	}
	return out, errors.Join(errs...)
}

// variables fills the template's variables from the text's data. An
// empty value (WhatsApp refuses one, error 21656) is a permanent failure
// naming the field.
func (t whatsAppTemplate) variables(d smsData) (map[string]string, error) {
	v := reflect.ValueOf(d)
	out := make(map[string]string, len(t.Fields))
	for i, f := range t.Fields {
		val := strings.TrimSpace(fmt.Sprint(v.FieldByName(f).Interface()))
		if val == "" {
			return nil, permanent("the WhatsApp template's "+f+" is empty", nil)
		}
		out[strconv.Itoa(i+1)] = val
	}
	return out, nil
}

// whatsAppTemplateSIDs checks the configured templates against the kinds
// of status text there are wording files for.
func whatsAppTemplateSIDs(cfg config.Config, known map[string]whatsAppTemplate) (map[string]string, error) {
	sids, err := cfg.WhatsAppTemplateSIDs()
	if err != nil {
		return nil, err
	}
	for kind := range sids {
		if _, ok := known[kind]; !ok {
			return nil, fmt.Errorf("ONWARD_WHATSAPP_TEMPLATES: %q is not a kind of status text (there is no templates/whatsapp/status_%s.txt)", kind, kind)
		}
	}
	return sids, nil
}

// whatsAppText sends a client's status text by WhatsApp: free-form inside
// the window, the kind's template outside it, or holds it.
func (w *Worker) whatsAppText(ctx context.Context, r core.OutboxClaim, ref core.Referral, phone core.Phone,
	m core.Messaging, body string, d smsData) (outcome, error) {
	tmpl := r.Payload.Template
	now := w.now()
	var msg WhatsAppMessage
	if m.WindowOpen(now) {
		msg.Body = body
	} else {
		sid := w.waSIDs[tmpl]
		if sid == "" {
			return w.holdWhatsApp(ctx, tmpl, ref)
		}
		vars, err := w.waTemplates[tmpl].variables(d)
		if err != nil {
			return outcome{}, err
		}
		msg = WhatsAppMessage{ContentSID: sid, Variables: vars}
	}
	msg.Row = r.ID
	// A lost lease (core.ErrLeaseLost) means nothing must be sent.
	if err := w.outbox.MarkSending(ctx, r); err != nil {
		return outcome{}, err
	}
	receipt, err := w.whatsapp.SendWhatsApp(ctx, phone, msg)
	var f *Failure
	if err != nil && errors.As(err, &f) && f.OutsideWindow && msg.ContentSID == "" {
		// Our window and WhatsApp's disagree: WhatsApp's wins.
		if err := w.engine.CloseWhatsAppWindow(ctx, phone); err != nil {
			return outcome{}, err
		}
		return w.whatsAppText(ctx, r, ref, phone, core.Messaging{Channel: core.MessagingWhatsApp}, body, d)
	}
	if err != nil {
		if f != nil && f.OptedOut {
			return w.optedOutAtCarrier(ctx, phone)
		}
		if f := asFailure(err); mayHaveTaken(f) {
			// Twilio may have the message: kept "sending", never sent
			// again blind (a WhatsApp row found sending is dead-lettered
			// as interrupted: its template's words cannot be matched).
			return outcome{}, interrupted("the call to send it "+f.Error(), false)
		}
		return outcome{}, err
	}
	return sent(receipt.SID, core.DeliveryStatus("whatsapp "+receipt.Status)), nil
}

// holdWhatsApp holds a text with no template to go out as, and alerts
// coordinators once (core.Outbox.Hold).
func (w *Worker) holdWhatsApp(ctx context.Context, tmpl string, ref core.Referral) (outcome, error) {
	text, err := w.render("whatsapp_held.txt", map[string]any{"Template": tmpl, "Reference": ref.Reference})
	if err != nil {
		return outcome{}, err
	}
	return outcome{state: stateHeld, until: w.now().Add(heldRecheck),
		why: "no approved WhatsApp template for " + tmpl, alert: text}, nil
}
