package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
)

// The adviser's card says which language the client chose and whether
// they asked for an interpreter, in Slack and in the staff inbox alike.
func TestCardShowsClientLanguage(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	in := coretest.SelfReferral("cards-pl")
	in.Client.Language, in.Client.Interpreter = "pl", true
	in.Consent.Language = "pl"
	res, err := env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	kind := KindAgency
	if res.Agency == nil {
		kind = KindTriage // no service of the test network offers Polish
	}
	_, _, blocks, err := NewCards(env.Engine, config.Config{SlackTriageChannel: "C0TRIAGE"}).Card(ctx, res.Referral.ID, kind)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := jsonString(blocks)
	if !strings.Contains(b, `*Language*\nPolish · Interpreter wanted: Polish`) {
		t.Errorf("the card does not show the language and interpreter:\n%s", b)
	}
	v, err := buildView(ctx, env.Engine, res.Referral, kind)
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := staffPages()["inbox"].ExecuteTemplate(&buf, "card", cardItem{cardView: v}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	if !strings.Contains(html, "<dt>Language</dt><dd>Polish · <strong>Interpreter wanted: Polish</strong></dd>") {
		t.Errorf("the inbox card does not show the language:\n%s", html)
	}
	// A consent given in Polish records the Polish wording's hash.
	c, err := env.Engine.Consent(ctx, res.Referral.ConsentID)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := env.Engine.ConsentWordingIn(ctx, "v1", "pl")
	if err != nil {
		t.Fatal(err)
	}
	if c.Language != "pl" || string(c.WordingSHA256) != string(pl.SHA256) || pl.Body != coretest.ConsentTextPolish {
		t.Errorf("consent language %q hash %x; want pl and the Polish wording's %x", c.Language, c.WordingSHA256, pl.SHA256)
	}
}

// Inbox rows say the client's language and whether they want an
// interpreter, beside the reference, when it is not English.
func TestInboxRowShowsClientLanguage(t *testing.T) {
	t.Parallel()
	tb := reportsBot(t) // a served bot with English clients' referrals
	if _, err := tb.Engine.StaffRefer(context.Background(), core.StaffReferral{IdempotencyKey: "row-uk",
		By: tb.Net.WelfareAdviser.Actor(), Client: core.ClientDetails{Name: "Oksana Test", Phone: "07700 900801", Language: "uk", Interpreter: true},
		Needs: []core.Need{core.NeedDebt}, ToAgency: tb.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"}); err != nil {
		t.Fatal(err)
	}
	_, body := tb.signedIn(tb.Net.Adviser).get("/staff/")
	if !strings.Contains(body, `<span class="hint">Ukrainian · Interpreter wanted: Ukrainian</span>`) {
		t.Errorf("the inbox row does not show the language:\n%s", body)
	}
	if n := strings.Count(body, "Interpreter wanted"); n != 1 {
		t.Errorf("%d rows say interpreter wanted, want the one", n)
	}
}
