package sms

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/intake/flow"
)

// webReferral records a referral from the web form for phone, in
// language code, its phone proven by the code texted to it, and tells the
// SMS channel of it as serve's web form does once core has queued the
// confirmation text (RememberWebReferral, web.Config.ReferralTexted).
func (h *smsHarness) webReferral(key, phone, code string) core.Referral {
	h.t.Helper()
	ctx := context.Background()
	in := coretest.SelfReferral(key)
	in.Client.Phone, in.Client.Language = phone, code
	in.Source, in.ConfirmBySMS = core.SourceWeb, true
	in.Consent.Channel, in.Consent.Evidence = core.ChannelWeb, "web-form:"+key
	res, err := h.env.Engine.SelfRefer(ctx, in)
	if err != nil {
		h.t.Fatal(err)
	}
	remember := RememberWebReferral(h.env.Engine, h.rdb, h.prefix, 0)
	conv := h.sms.flow.Finished(h.env.Clock.Now(), code, in.Consent.WordingVersion)
	if err := remember(ctx, res.Referral.Reference, core.Phone(phone), conv); err != nil {
		h.t.Fatalf("keep the web referral for replies by text: %v", err)
	}
	return res.Referral
}

// TestSMSReplyToWebConfirmation: a client who sent their request on the
// web form and gave their mobile gets its reference by text. A reply to
// it within the day ("thank you", "when will they call?") gets what a
// client texting after their own conversation ended with a referral
// gets, in the language they used on the form, naming nothing of theirs:
// not the greeting of a new request, and no second referral. Words of
// self-harm ("nie mam juz sily zyc", "no strength left to live", an
// outside review's miss) get the crisis lines and alert staff by the
// reference. A day
// later a text starts a new request, as it would after an SMS referral.
func TestSMSReplyToWebConfirmation(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		lang, thanks, finished, greeting, crisis string
	}{
		{"en", "thank you", "we already have your answers", "Hello from", "I want to kill myself"},
		{"pl", "dziękuję", "mamy już Twoje odpowiedzi", "Dzień dobry", "nie mam juz sily zyc"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			t.Parallel()
			h := newSMSHarness(t)
			r := h.webReferral("web-"+c.lang, smsTestPhone, c.lang)
			for _, body := range []string{c.thanks, "when will they call?"} {
				got := strings.Join(h.text(smsTestPhone, body), "\n")
				if !strings.Contains(got, c.finished) || strings.Contains(got, c.greeting) {
					t.Errorf("%q got %q, want the answer after a referral (%q), not a new request", body, got, c.finished)
				}
				for _, p := range []string{"Morag", "Baird", "KY1", "7700", "Kirkton"} {
					if strings.Contains(got, p) {
						t.Errorf("%q got %q, which names %q", body, got, p)
					}
				}
			}
			if n := h.count("referrals"); n != 1 {
				t.Errorf("%d referrals after the replies, want 1", n)
			}
			h.wantCrisisAlerts("after ordinary replies", 0)

			got := strings.Join(h.text(smsTestPhone, c.crisis), "\n")
			if !strings.Contains(got, "116 123") || strings.Contains(got, c.greeting) || strings.Contains(got, c.finished) {
				t.Errorf("the crisis text %q got %q, want the crisis lines", c.crisis, got)
			}
			if coord := h.wantCrisisAlerts("after the crisis text", 1); len(coord) == 1 &&
				(coord[0].Payload.ReferralID != r.ID || !strings.Contains(coord[0].Payload.Text, r.Reference)) {
				t.Errorf("the alert %+v: want it by the reference %s", coord[0].Payload, r.Reference)
			}
			// The English request went to the CAB, the Polish one (no
			// service in Polish) to the coordinators alone.
			_, agencies := h.crisisAlerts()
			if r.ToAgencyID != nil && (len(agencies) != 1 || agencies[0].Payload.AgencyID != *r.ToAgencyID) ||
				r.ToAgencyID == nil && len(agencies) != 0 {
				t.Errorf("the agency holding the referral (%v): alerts %+v", r.ToAgencyID, agencies)
			}

			h.env.Clock.Advance(DefaultConversationTTL + time.Minute)
			if got := strings.Join(h.text(smsTestPhone, "hello"), "\n"); !strings.Contains(got, c.greeting) {
				t.Errorf("a text a day later got %q, want a new request's greeting", got)
			}
		})
	}
}

// TestSMSWebReferralLeavesOpenConversation: a client in the middle of a
// conversation by text who also sends a request on the web form keeps
// their conversation: its next answer is read as the answer to its open
// question. A conversation that ended (here, with a refusal) is replaced
// by the web referral's.
func TestSMSWebReferralLeavesOpenConversation(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	h.text(smsTestPhone, "Hi")
	before := h.state(smsTestPhone)
	if !before.open() {
		t.Fatalf("the conversation is not open: %+v", before)
	}
	r := h.webReferral("web-open", smsTestPhone, "en")
	after := h.state(smsTestPhone)
	if after == nil || after.ID != before.ID || after.Conv.Step != before.Conv.Step || after.Reference != "" {
		t.Fatalf("the open conversation %+v became %+v", before, after)
	}
	if got := strings.Join(h.text(smsTestPhone, "1"), "\n"); !strings.Contains(got, "What do you need help with?") {
		t.Errorf("the next answer got %q, want the conversation's next question", got)
	}

	// Declined: no referral in it, so the web referral's takes its place.
	const other = "+447700900456"
	for _, b := range []string{"Hi", "1", "1", "KY1 1AB", "no", "no", "Ailsa Fictional", "1", "1", "no"} {
		h.text(other, b)
	}
	if st := h.state(other); st == nil || st.Conv.Step != flow.StepDeclined {
		t.Fatalf("the declined conversation: %+v", st)
	}
	r = h.webReferral("web-declined", other, "en")
	if st := h.state(other); st == nil || st.Conv.Step != flow.StepDone || st.Reference != r.Reference {
		t.Errorf("after the web referral the state is %+v, want done with %s", st, r.Reference)
	}
	if got := strings.Join(h.text(other, "thank you"), "\n"); !strings.Contains(got, "we already have your answers") {
		t.Errorf("a reply got %q, want the answer after a referral", got)
	}
}
