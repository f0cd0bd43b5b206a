package config

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// WhatsAppEnabled reports whether WhatsApp is set up: Twilio credentials
// and a WhatsApp sender.
func (c Config) WhatsAppEnabled() bool { return c.TwilioEnabled() && c.WhatsAppFrom != "" }

// contentSIDRe is a Twilio Content template SID, as Twilio checks it
// (error 21655 otherwise).
var contentSIDRe = regexp.MustCompile(`^HX[0-9a-fA-F]{32}$`)

// templateKindRe is the name of a kind of status text ("accepted").
var templateKindRe = regexp.MustCompile(`^[a-z][a-z_]{0,39}$`)

// WhatsAppTemplateSIDs parses WhatsAppTemplates: "kind=HX…" pairs,
// comma-separated, each kind once. Which kinds exist is notify's to check.
func (c Config) WhatsAppTemplateSIDs() (map[string]string, error) {
	out := map[string]string{}
	var errs []error
	for _, f := range strings.Split(c.WhatsAppTemplates, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		kind, sid, ok := strings.Cut(f, "=")
		kind, sid = strings.TrimSpace(kind), strings.TrimSpace(sid)
		switch {
		case !ok || !templateKindRe.MatchString(kind):
			errs = append(errs, fmt.Errorf("ONWARD_WHATSAPP_TEMPLATES: %q is not kind=ContentSid, like accepted=HX0123…", f))
		case !contentSIDRe.MatchString(sid):
			errs = append(errs, fmt.Errorf("ONWARD_WHATSAPP_TEMPLATES: the template for %s must be a Content SID (HX and 32 hex digits), got %q", kind, sid))
		case out[kind] != "":
			errs = append(errs, fmt.Errorf("ONWARD_WHATSAPP_TEMPLATES: %s is given twice", kind))
		default:
			out[kind] = sid
		}
	}
	return out, errors.Join(errs...)
}

// validateWhatsApp checks the WhatsApp settings fit together.
func (c Config) validateWhatsApp() []error {
	var errs []error
	from := strings.TrimPrefix(c.WhatsAppFrom, "whatsapp:")
	if c.WhatsAppFrom != "" && !e164.MatchString(from) {
		errs = append(errs, fmt.Errorf("ONWARD_WHATSAPP_FROM must be a phone number in E.164 form like +447700900000, got %q", c.WhatsAppFrom))
	}
	if c.WhatsAppFrom != "" && !c.TwilioEnabled() {
		errs = append(errs, errors.New("ONWARD_WHATSAPP_FROM needs Twilio: set ONWARD_TWILIO_ACCOUNT_SID and ONWARD_TWILIO_AUTH_TOKEN"))
	}
	if c.WhatsAppTemplates != "" && c.WhatsAppFrom == "" {
		errs = append(errs, errors.New("ONWARD_WHATSAPP_TEMPLATES is set but ONWARD_WHATSAPP_FROM is not: set the WhatsApp sender too"))
	}
	if _, err := c.WhatsAppTemplateSIDs(); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// WhatsAppSender is WhatsAppFrom in E.164 form, without the "whatsapp:"
// a user may have copied from Twilio's console.
func (c Config) WhatsAppSender() string { return strings.TrimPrefix(c.WhatsAppFrom, "whatsapp:") }
