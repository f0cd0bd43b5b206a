package web

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/demo"
)

// A DPO's review: the consent wording said to withdraw by calling or
// telling the agency, not by texting the withdraw keyword or on
// /withdraw. Once the demo's next version is published, the form's
// consent page says both, in Polish with the Polish withdraw word, and
// the consent records that version; a client who agreed to v1 before is
// still shown v1's words.
func TestWebConsentRecordsTheWordingThatSaysHowToWithdraw(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newWebEnv(t)
	in := coretest.SelfReferral("agreed-to-v1")
	in.Client.Phone = "07700 900124" // another client than the form's
	old, err := e.env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	ws := demo.ConsentWordings("http://onward.test")
	version := ws[len(ws)-1].Version
	for _, w := range ws {
		switch {
		case w.Version != version:
		case w.Language == "en":
			err = e.env.Engine.PublishConsentWording(ctx, e.env.Pool, w.Version, w.Body)
		default:
			err = e.env.Engine.PublishConsentTranslation(ctx, e.env.Pool, w.Version, w.Language, w.Body)
		}
		if err != nil {
			t.Fatalf("publish the demo's consent wording %s in %s: %v", w.Version, w.Language, err)
		}
	}

	b := e.browser()
	b.get(pathStart + "?lang=pl")
	a := goodAnswers()
	for _, st := range []string{pathNeeds, pathPostcode, pathFood, pathHome, pathName, pathContact, pathMethod} {
		b.answer(st, a[st])
	}
	b.answer("/refer/interpreter", url.Values{"interpreter": {"no"}})
	b.answer(pathTime, a[pathTime])
	page := b.get(pathConsent)
	for _, want := range []string{"odpisz nam WYCOFAJ", "onward.test/withdraw", `name="version" value="` + version + `"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the consent page lacks %q:\n%s", want, page.Body)
		}
	}
	shown := regexp.MustCompile(`name="version" value="([^"]*)"`).FindStringSubmatch(page.Body)
	if shown == nil {
		t.Fatal("the consent page names no wording version")
	}
	if check := b.answer(pathConsent, url.Values{"consent": {"yes"}, "version": {shown[1]}}); check.Path != pathCheck {
		t.Fatalf("after consent: at %s, want %s", check.Path, pathCheck)
	}
	if done := b.send(); done.Path != pathDone {
		t.Fatalf("send ended at %s", done.Path)
	}

	rs := e.referrals()
	if len(rs) != 2 {
		t.Fatalf("%d referrals, want the v1 one and the new one", len(rs))
	}
	export := func(client core.ClientID) core.SubjectConsent {
		t.Helper()
		out, err := e.env.Engine.ExportClient(ctx, client, e.env.Net.Coordinator.Actor(), "web",
			core.SubjectAccessRequest{Channel: core.RequestLetter, Received: e.env.Clock.Now(), Reference: "SAR-1"})
		if err != nil || len(out.Consents) != 1 {
			t.Fatalf("export: %d consents, %v", len(out.Consents), err)
		}
		return out.Consents[0]
	}
	for _, r := range rs {
		got := export(r.ClientID)
		switch r.ClientID {
		case old.Referral.ClientID:
			if got.WordingVersion != "v1" || got.Wording != coretest.ConsentText {
				t.Errorf("the v1 client's export shows version %q: %q; want v1's own words", got.WordingVersion, got.Wording)
			}
		default:
			if got.WordingVersion != version || got.Channel != core.ChannelWeb || got.Language != "pl" ||
				!strings.Contains(got.Wording, "WYCOFAJ") || !strings.Contains(got.Wording, "onward.test/withdraw") {
				t.Errorf("the web client's export shows version %q by %s in %s: %q", got.WordingVersion, got.Channel, got.Language, got.Wording)
			}
		}
	}
}
