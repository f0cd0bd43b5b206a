package config

import (
	"strings"
	"testing"
)

func TestWhatsAppSettings(t *testing.T) {
	sid := "HX" + strings.Repeat("0a", 16)
	// load is a production environment with Twilio, and kv on top.
	load := func(kv ...string) Config {
		twilio := []string{"ONWARD_TWILIO_ACCOUNT_SID", "AC1", "ONWARD_TWILIO_AUTH_TOKEN", strings.Repeat("t", 32), "ONWARD_TWILIO_FROM", "+447700900001"}
		c, err := Load(env(production(append(twilio, kv...)...)))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	good := load("ONWARD_WHATSAPP_FROM", "whatsapp:+447700900002",
		"ONWARD_WHATSAPP_TEMPLATES", " accepted="+sid+" , contact_check="+sid)
	if err := good.Validate(); err != nil {
		t.Fatalf("valid WhatsApp settings refused: %v", err)
	}
	if !good.WhatsAppEnabled() || good.WhatsAppSender() != "+447700900002" {
		t.Errorf("WhatsAppEnabled %v, sender %q", good.WhatsAppEnabled(), good.WhatsAppSender())
	}
	got, err := good.WhatsAppTemplateSIDs()
	if err != nil || len(got) != 2 || got["accepted"] != sid || got["contact_check"] != sid {
		t.Errorf("templates = %v, %v", got, err)
	}

	bad := load("ONWARD_WHATSAPP_FROM", "07700 900002",
		"ONWARD_WHATSAPP_TEMPLATES", "accepted=HX12,accepted="+sid+",nonsense,"+"Accepted="+sid)
	err = bad.Validate()
	for _, want := range []string{"ONWARD_WHATSAPP_FROM must be a phone number in E.164", "the template for accepted must be a Content SID",
		`"nonsense" is not kind=ContentSid`, `"Accepted=` + sid + `" is not kind=ContentSid`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error %v does not say %q", err, want)
		}
	}
	twice := load("ONWARD_WHATSAPP_FROM", "+447700900002", "ONWARD_WHATSAPP_TEMPLATES", "accepted="+sid+",accepted="+sid)
	if err := twice.Validate(); err == nil || !strings.Contains(err.Error(), "accepted is given twice") {
		t.Errorf("a kind given twice: %v", err)
	}
	alone := load("ONWARD_WHATSAPP_TEMPLATES", "accepted="+sid)
	if err := alone.Validate(); err == nil || !strings.Contains(err.Error(), "ONWARD_WHATSAPP_FROM is not") {
		t.Errorf("templates without a sender: %v", err)
	}
	if alone.WhatsAppEnabled() {
		t.Error("WhatsApp enabled with no sender")
	}
}
