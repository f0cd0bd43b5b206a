package web

import (
	"context"
	"html"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/lang"
)

// privacyContact gives env's network the privacy notice's settings: a
// data controller and its data protection officer's email and phone.
func privacyContact(t *testing.T, env *coretest.Env, controller, email, phone string) {
	t.Helper()
	ctx := context.Background()
	n, err := env.Engine.Network(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Engine.SetNetwork(ctx, env.Pool, core.NetworkSettings{Name: n.Name, Phone: n.Phone, OpeningHours: n.OpeningHours,
		CrisisLines: n.CrisisLines, DirectoryURL: n.DirectoryURL, DataSharingURL: n.DataSharingURL,
		DataController: controller, DataProtectionEmail: email, DataProtectionPhone: phone}); err != nil {
		t.Fatal(err)
	}
}

// setDataProtection sets the network's retention, referrer days and
// withdraw keyword (a word that means nothing else in these tests).
func setDataProtection(t *testing.T, env *coretest.Env, months, days int, keyword string) {
	t.Helper()
	err := env.Engine.SetDataProtection(context.Background(), core.DataProtectionChange{
		DataProtection: core.DataProtection{RetentionMonths: months, ReferrerDetailsDays: days, WithdrawKeyword: keyword},
		By:             env.Net.Coordinator.Actor(), Clashes: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPrivacyNoticeSaysWhatArticle13Asks (UK GDPR Article 13): the
// public privacy notice names the controller and its data protection
// officer, the purpose and lawful basis, how to withdraw consent (the
// network's own keyword), who receives the details, how long they are
// kept (the retention and referrer settings in force, changed as they
// change), every right, the ICO, that nothing obliges a client to give
// details and what follows if they do not, and that no decision with
// legal effect is made by computer alone.
func TestPrivacyNoticeSaysWhatArticle13Asks(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	privacyContact(t, env, "Kingdom Advice Network SCIO", "dpo@kingdom.example.org", "0808 157 0193")
	setDataProtection(t, env, 18, 45, "LEAVEUS")
	e := newWebEnvOn(t, env)
	b := e.browser()
	body := html.UnescapeString(b.get("/privacy").Body)
	for _, want := range []string{
		"Kingdom Advice Network SCIO is responsible for your details. The law calls this the data controller.",
		`<a href="mailto:dpo@kingdom.example.org">dpo@kingdom.example.org</a>`,
		`<a href="tel:08081570193" dir="ltr">0808 157 0193</a>`,
		"only to pass your request for help to an agency",
		"The law calls this consent: it is our lawful basis",
		"You can withdraw your consent at any time.",
		"Text LEAVEUS to us",
		`href="/withdraw"`,
		"Tell any agency in the directory.",
		"The agencies you agree to",
		"The coordinators of Kingdom Advice Network",
		"We keep your details for 18 months after your last request for help is closed.",
		"it can still see your details for 45 days after your request is closed.",
		"(access)", "(rectification)", "(erasure)", "(restriction)", "(objection)", "(data portability)",
		"Information Commissioner's Office (ICO)", "ico.org.uk", "0303 123 1113",
		"No law or contract says you must.", "we cannot pass your request to an agency", "call a service yourself",
		"A person at that agency decides", "made by computer alone",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the privacy notice lacks %q", want)
		}
	}
	if strings.Contains(body, "ask any agency in the directory to put you in touch") {
		t.Error("the notice sends clients to an agency for a contact the network gives")
	}

	// The notice says the settings in force, not words of its own.
	for _, c := range []struct {
		months, days int
		want         []string
	}{
		{1, 1, []string{"for 1 month after", "for 1 day after"}},
		{6, 30, []string{"for 6 months after", "for 30 days after"}},
		{0, 0, []string{"We keep your details until you ask us to delete them.", "it stops seeing your details when your request is closed"}},
	} {
		setDataProtection(t, env, c.months, c.days, "QUIT")
		body := html.UnescapeString(b.get("/privacy").Body)
		for _, want := range append(c.want, "Text QUIT to us") {
			if !strings.Contains(body, want) {
				t.Errorf("retention %d months, referrer %d days: the notice lacks %q", c.months, c.days, want)
			}
		}
		if strings.Contains(body, "18 months") || strings.Contains(body, "LEAVEUS") {
			t.Errorf("retention %d months: the notice still says the old settings", c.months)
		}
	}
}

// TestPrivacyNoticeWithoutContact: a network whose file names no data
// controller or data protection officer has a notice that tells clients
// to ask any agency in the directory, and a contact given only by email
// is given without a phone.
func TestPrivacyNoticeWithoutContact(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	e := newWebEnvOn(t, env)
	body := html.UnescapeString(e.browser().get("/privacy").Body)
	for _, want := range []string{
		"To find out who is responsible for your details (the data controller), ask any agency in the directory.",
		"To contact our data protection officer, ask any agency in the directory to put you in touch.",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("without a contact, the notice lacks %q", want)
		}
	}
	if strings.Contains(body, "mailto:") || strings.Contains(body, "is responsible for your details. The law") {
		t.Error("without a contact, the notice names one")
	}

	privacyContact(t, env, "Kingdom Advice Network SCIO", "dpo@kingdom.example.org", "")
	body = html.UnescapeString(e.browser().get("/privacy").Body)
	if want := `You can contact our data protection officer by email at <a href="mailto:dpo@kingdom.example.org">dpo@kingdom.example.org</a>.`; !strings.Contains(body, want) {
		t.Errorf("an email alone: the notice lacks %q", want)
	}
}

// privacyNoticeIDs are the messages the privacy notice needs for Article
// 13: every shipped language must have each in its own file.
var privacyNoticeIDs = []string{
	"directory.privacy_controller_title", "directory.privacy_controller", "directory.privacy_controller_ask",
	"directory.privacy_dpo_html", "directory.privacy_dpo_ask",
	"directory.privacy_purpose_title", "directory.privacy_purpose", "directory.privacy_basis",
	"directory.privacy_withdraw_title", "directory.privacy_withdraw", "directory.privacy_withdraw_text", "directory.privacy_withdraw_agency",
	"directory.privacy_who_title", "directory.privacy_who_agencies", "directory.privacy_who_coordinators", "directory.privacy_who_referrer",
	"directory.privacy_keep_title", "directory.privacy_keep_months", "directory.privacy_keep_until_erased",
	"directory.privacy_keep_referrer", "directory.privacy_keep_referrer_none",
	"directory.privacy_rights_title", "directory.privacy_rights_intro", "directory.privacy_right_access", "directory.privacy_right_rectify",
	"directory.privacy_right_erase", "directory.privacy_right_restrict", "directory.privacy_right_object", "directory.privacy_right_portable",
	"directory.privacy_rights_how", "directory.privacy_must_title", "directory.privacy_must",
	"directory.privacy_automatic_title", "directory.privacy_automatic",
	"directory.privacy_complain_title", "directory.privacy_complain_html",
}

// TestPrivacyNoticeInEveryLanguage: every shipped language has each of
// the notice's messages in its own file (none falls back to English), says
// each count of months and days (with the number, from 3), and its page
// shows the settings in force and the ICO's number.
func TestPrivacyNoticeInEveryLanguage(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	privacyContact(t, env, "Kingdom Advice Network SCIO", "dpo@kingdom.example.org", "0808 157 0193")
	setDataProtection(t, env, 18, 45, "LEAVEUS")
	e := newWebEnvOn(t, env)
	cat := e.web.cat
	for _, l := range cat.Languages() {
		for _, id := range privacyNoticeIDs {
			if !cat.Has(l.Code, id) {
				t.Errorf("%s lacks %s", l.English, id)
			}
		}
		for _, n := range []int{1, 2, 3, 5, 11, 18, 21, 100} {
			for id, key := range map[string]string{"directory.privacy_keep_months": "Months", "directory.privacy_keep_referrer": "Days"} {
				s, err := cat.Render(l.Code, id, map[string]any{key: n}, n)
				// Arabic says one and two in words ("شهرين").
				if err != nil || s == "" || n > 2 && !strings.Contains(s, strconv.Itoa(n)) {
					t.Errorf("%s, %s of %d: %q, %v", l.English, id, n, s, err)
				}
			}
		}
		p := e.browser().get("/privacy?lang=" + l.Code)
		body := html.UnescapeString(p.Body)
		for _, want := range []string{"Kingdom Advice Network SCIO", "mailto:dpo@kingdom.example.org", "0808 157 0193", "LEAVEUS", "18", "45", "0303 123 1113", "ico.org.uk"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s (%d): the privacy notice lacks %q", l.English, p.Status, want)
			}
		}
		if l.Code != lang.English && strings.Contains(body, "We keep your details for") {
			t.Errorf("%s: the privacy notice says how long details are kept in English", l.English)
		}
	}
}
