package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
)

// A client texted in English who wants a Romanian interpreter: staff see
// "Interpreter wanted: Romanian" on the Slack card, the staff web card,
// the inbox row, the client details (web and Slack) alike.
func TestInterpreterLanguageShownToStaff(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	r, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "interp-ro", By: tb.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Ilinca Fictiva", Phone: fmt.Sprintf("07700 9%05d", phoneSeq.Add(1)), InterpreterLanguage: "ro"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: tb.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	const want = "Interpreter wanted: Romanian"

	_, _, blocks, err := NewCards(tb.Engine, config.Config{SlackTriageChannel: "C0TRIAGE"}).Card(ctx, r.ID, KindAgency)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := jsonString(blocks); !strings.Contains(b, `*Language*\nEnglish · `+want) {
		t.Errorf("the Slack card does not say %q:\n%s", want, b)
	}

	v, err := buildView(ctx, tb.Engine, r, KindAgency)
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := staffPages()["inbox"].ExecuteTemplate(&buf, "card", cardItem{cardView: v}); err != nil {
		t.Fatal(err)
	}
	if html := buf.String(); !strings.Contains(html, "<dt>Language</dt><dd>English · <strong>"+want+"</strong></dd>") {
		t.Errorf("the staff card does not say %q:\n%s", want, html)
	}

	c := tb.signedIn(tb.Net.Adviser)
	if _, body := c.get("/staff/"); !strings.Contains(body, `<span class="hint">English · `+want+`</span>`) {
		t.Errorf("the inbox row does not say %q:\n%s", want, body)
	}

	resp, body := c.post("/staff/referrals/"+r.Reference+"/details", url.Values{"csrf": {c.csrf}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("details: %d", resp.StatusCode)
	}
	if !strings.Contains(body, "<dt>Interpreter</dt><dd>"+want+"</dd>") {
		t.Errorf("the details page does not say %q:\n%s", want, body)
	}

	staff, err := tb.Engine.StaffByID(ctx, tb.Net.Adviser.ID)
	if err != nil {
		t.Fatal(err)
	}
	d, err := tb.bot.disclose(ctx, r.ID, staff, "slack")
	if err != nil {
		t.Fatal(err)
	}
	if text := say("eph.details", d); !strings.Contains(text, "*"+want+"*") {
		t.Errorf("the Slack details do not say %q:\n%s", want, text)
	}
}

// languageName names languages Onward does not text in, for interpreters.
func TestInterpreterLanguageNames(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]string{"pl": "Polish", "ro": "Romanian", "ti": "Tigrinya", "": ""} {
		if got := languageName(code); got != want {
			t.Errorf("languageName(%q) = %q; want %q", code, got, want)
		}
	}
}
