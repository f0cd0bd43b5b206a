package notify

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// Every status text has a WhatsApp template to submit, and every
// template's variables are numbered in order and name fields that exist.
func TestWhatsAppTemplatesShipped(t *testing.T) {
	t.Parallel()
	got, err := loadWhatsAppTemplates(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := lang.Load(templates.FS, nil)
	if err != nil {
		t.Fatal(err)
	}
	var sms []string
	for _, id := range cat.IDs(lang.English) {
		if strings.HasPrefix(id, "status_") {
			sms = append(sms, id)
		}
	}
	if len(sms) == 0 {
		t.Fatal("no status texts in the English messages")
	}
	for _, name := range sms {
		kind := strings.TrimPrefix(name, "status_")
		tmpl, ok := got[kind]
		if !ok {
			t.Errorf("no templates/whatsapp/status_%s.txt for %s", kind, name)
			continue
		}
		if !strings.Contains(strings.Join(tmpl.Fields, ","), "Reference") {
			t.Errorf("%s: the WhatsApp template does not give the reference", kind)
		}
	}
	if len(got) != len(sms) {
		t.Errorf("%d WhatsApp templates for %d status texts", len(got), len(sms))
	}
}

func TestWhatsAppTemplateMistakes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ text, want string }{
		{"Ref {{2:Reference}}.", "should be numbered 1"},
		{"Ref {{1:Reference}} at {{1:Agency}}.", "should be numbered 2"},
		{"Ref {{1:Postcode}}.", "names no status text field"},
		{"Ref {{1}}.", "not written {{N:Field}}"},
	} {
		_, err := loadWhatsAppTemplates(fstest.MapFS{"whatsapp/status_x.txt": {Data: []byte(tc.text)}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err %v, want %q", tc.text, err, tc.want)
		}
	}
	ok, err := loadWhatsAppTemplates(fstest.MapFS{"whatsapp/status_x.txt": {Data: []byte("At {{1:Agency}}, ref {{2:Reference}}.\n")}})
	if err != nil {
		t.Fatal(err)
	}
	vars, err := ok["x"].variables(smsData{Agency: "Fife Money Advice", Reference: "ONW-1"})
	if err != nil || len(vars) != 2 || vars["1"] != "Fife Money Advice" || vars["2"] != "ONW-1" {
		t.Errorf("variables %v %v", vars, err)
	}
	if _, err := ok["x"].variables(smsData{Reference: "ONW-1"}); err == nil || !strings.Contains(err.Error(), "Agency is empty") {
		t.Errorf("an empty variable: %v", err)
	}
}
