package sms

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/demo"
)

// publishDemoWording publishes the demo network's current consent
// wording, in every language, on env's network (served at base) and
// returns its version: the next after the v1 env was seeded with.
func publishDemoWording(t *testing.T, env *coretest.Env, base string) string {
	t.Helper()
	ctx := context.Background()
	ws := demo.ConsentWordings(base)
	current := ws[len(ws)-1].Version
	for _, w := range ws {
		var err error
		switch {
		case w.Version != current:
			continue
		case w.Language == "en":
			err = env.Engine.PublishConsentWording(ctx, env.Pool, w.Version, w.Body)
		default:
			err = env.Engine.PublishConsentTranslation(ctx, env.Pool, w.Version, w.Language, w.Body)
		}
		if err != nil {
			t.Fatalf("publish the demo's consent wording %s in %s: %v", w.Version, w.Language, err)
		}
	}
	return current
}

// A DPO's review: the consent wording said to withdraw by calling or
// telling the agency, not by texting the withdraw keyword or on
// /withdraw. Once the demo's next version is published, the consent
// question by text says both, and the YES to it records that version;
// a client who agreed to v1 before is still shown v1's words.
func TestConsentByTextRecordsTheWordingThatSaysHowToWithdraw(t *testing.T) {
	h := newSMSHarness(t)
	ctx := context.Background()
	old := h.referByText(smsTestPhone)
	version := publishDemoWording(t, h.env, smsTestPublicURL)
	if version == "v1" {
		t.Fatalf("the demo's current wording is still v1")
	}

	const phone = "+447700900124"
	var question []string
	for _, b := range []string{"Hi", "1", "1", "KY1 1AB", "no", "no", "Ailsa Fictional", "1", "1"} {
		question = h.text(phone, b)
	}
	asked := strings.Join(question, " ")
	for _, want := range []string{"reply WITHDRAW to our texts", "onward.example.org/withdraw", "Do you agree?"} {
		if !strings.Contains(asked, want) {
			t.Errorf("the consent question lacks %q:\n%s", want, asked)
		}
	}
	ref := referenceRe.FindString(strings.Join(h.text(phone, "yes"), " "))
	if ref == "" {
		t.Fatal("no reference after YES")
	}
	r, err := h.env.Engine.ReferralByReference(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	c, err := h.env.Engine.Consent(ctx, r.ConsentID)
	if err != nil {
		t.Fatal(err)
	}
	if c.WordingVersion != version || c.Channel != core.ChannelSMS {
		t.Errorf("the new consent is version %q by %s, want %q by sms", c.WordingVersion, c.Channel, version)
	}

	shown := func(r core.Referral) core.SubjectConsent {
		t.Helper()
		out, err := h.env.Engine.ExportClient(ctx, r.ClientID, h.env.Net.Coordinator.Actor(), "web",
			core.SubjectAccessRequest{Channel: core.RequestLetter, Received: h.env.Clock.Now(), Reference: "SAR-1"})
		if err != nil || len(out.Consents) != 1 {
			t.Fatalf("export: %d consents, %v", len(out.Consents), err)
		}
		return out.Consents[0]
	}
	if got := shown(r); got.WordingVersion != version || !strings.Contains(got.Wording, "reply WITHDRAW to our texts") {
		t.Errorf("the new client's export shows version %q: %q", got.WordingVersion, got.Wording)
	}
	if got := shown(old); got.WordingVersion != "v1" || got.Wording != coretest.ConsentText {
		t.Errorf("the v1 client's export shows version %q: %q; want v1's own words", got.WordingVersion, got.Wording)
	}
}
