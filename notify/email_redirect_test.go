package notify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify/smtpfake"
)

// redirectToCAB has the housing adviser refer a client (who agreed to the
// whole network seeing their details) to Welfare Rights, whose adviser
// redirects it to the CAB with feedback; it returns the CAB's referral.
func (h *mailHarness) redirectToCAB(t *testing.T, key, feedback string) core.Referral {
	t.Helper()
	ctx := context.Background()
	r, err := h.engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: key, By: h.net.HousingAdviser.Actor(),
		Client: core.ClientDetails{Name: "Morag Baird", Phone: "07700 900123", Postcode: "KY1 1AB"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: h.net.Welfare, ConsentConfirmed: true, WordingVersion: h.net.ConsentVersion,
		Scope: core.ScopeNetwork})
	if err != nil {
		t.Fatal(err)
	}
	res, err := h.engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionRedirect, Actor: h.net.WelfareAdviser.Actor(),
		ToAgency: h.net.CAB, Feedback: feedback})
	if err != nil || res.Child == nil {
		t.Fatalf("redirect to the CAB: %v", err)
	}
	return *res.Child
}

// TestEmailNewReferralSaysWhoRedirected: the new-referral email of a
// referral redirected to an email-only agency says which agency
// redirected it and that its adviser said why, pointing to Onward for the
// words (they speak of the client's case, and emails carry no personal
// data); an ordinary referral's email says nothing of a redirect.
func TestEmailNewReferralSaysWhoRedirected(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	h.emailOnly(t)
	h.markAllSent(t)
	w := h.mailWorker(t)
	ordinary := h.staffReferral(t, "mail-ordinary", false)
	child := h.redirectToCAB(t, "mail-redirected", "Morag Baird has debts, not a housing problem: outside our area of work.")
	bare := h.redirectToCAB(t, "mail-redirected-bare", "")
	drain(t, w)

	mail := func(ref string) parsed {
		t.Helper()
		for _, m := range byRecipient(h.smtp.Messages())["ailsa@cab.example"] {
			if p := parse(t, m); strings.Contains(decodedSubject(p), "New referral "+ref) {
				return p
			}
		}
		t.Fatalf("no new-referral email to the CAB's adviser for %s", ref)
		return parsed{}
	}
	p := mail(child.Reference)
	coretest.Golden(t, "testdata/email/new_referral_redirected.golden", describe(p))
	want := "Redirected to you by Kingdom Council Welfare Rights. They said why: read it in Onward."
	if !strings.Contains(p.Text, want) || !strings.Contains(p.HTML, "<p>"+want+"</p>") {
		t.Errorf("the redirected referral's email lacks %q:\n%s", want, describe(p))
	}
	if all := describe(p); strings.Contains(all, "housing problem") || strings.Contains(all, "Morag") {
		t.Errorf("the email carries the redirect's feedback:\n%s", all)
	}
	if p := mail(bare.Reference); !strings.Contains(p.Text, "Redirected to you by Kingdom Council Welfare Rights.") || strings.Contains(p.Text, "They said why") {
		t.Errorf("a redirect with no reason given: the email should name the agency alone:\n%s", p.Text)
	}
	if p := mail(ordinary.Reference); strings.Contains(describe(p), "Redirected") {
		t.Errorf("an ordinary referral's email speaks of a redirect:\n%s", describe(p))
	}
}

// TestCrisisNewReferralEmailCannotBeStopped: a crisis referral must reach
// its agency, so its new-referral email goes at once to every member of
// staff, whatever they chose for new referrals (the daily digest, or
// nothing), and offers no way to stop it: no List-Unsubscribe header, no
// unsubscribe link. The same choices hold back an ordinary referral's
// email, which keeps its unsubscribe link.
func TestCrisisNewReferralEmailCannotBeStopped(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	h.emailOnly(t)
	ctx := context.Background()
	n := h.net
	for staff, mode := range map[core.StaffID]core.MailMode{n.Adviser.ID: core.MailOff, n.Adviser2.ID: core.MailDigest} {
		if err := h.engine.SetMailPrefs(ctx, staff, map[core.EmailKind]core.MailMode{core.EmailNewReferral: mode}); err != nil {
			t.Fatal(err)
		}
	}
	h.markAllSent(t)
	w := h.mailWorker(t)
	crisis := h.staffReferral(t, "mail-crisis", true)
	ordinary := h.staffReferral(t, "mail-routine", false)
	drain(t, w)

	got := byRecipient(h.smtp.Messages())
	for _, addr := range []string{n.Adviser.Email, n.Adviser2.Email} {
		var found bool
		for _, m := range got[addr] {
			p := parse(t, m)
			subj := decodedSubject(p)
			if strings.Contains(subj, ordinary.Reference) {
				t.Errorf("%s chose otherwise for new referrals, yet got %q at once", addr, subj)
			}
			if !strings.Contains(subj, "Crisis referral "+crisis.Reference) {
				continue
			}
			found = true
			if u := p.Header.Get("List-Unsubscribe"); u != "" {
				t.Errorf("%s: the crisis referral's email has List-Unsubscribe %q", addr, u)
			}
			if all := p.Text + p.HTML; strings.Contains(all, "unsubscribe") || strings.Contains(all, "Stop these emails") {
				t.Errorf("%s: the crisis referral's email offers to stop it:\n%s", addr, describe(p))
			}
		}
		if !found {
			t.Errorf("%s did not get the crisis referral's email", addr)
		}
	}

	// Someone who gets new referrals at once still has an unsubscribe
	// link on an ordinary referral's email.
	if err := h.engine.SetMailPrefs(ctx, n.Adviser.ID, map[core.EmailKind]core.MailMode{core.EmailNewReferral: core.MailNow}); err != nil {
		t.Fatal(err)
	}
	later := h.staffReferral(t, "mail-routine-2", false)
	drain(t, w)
	var routine *parsed
	for _, m := range byRecipient(h.smtp.Messages())[n.Adviser.Email] {
		if p := parse(t, m); strings.Contains(decodedSubject(p), later.Reference) {
			routine = &p
		}
	}
	if routine == nil || routine.Header.Get("List-Unsubscribe") == "" || !strings.Contains(routine.Text, "Stop these emails") {
		t.Errorf("an ordinary referral's email to someone who gets them at once should keep its unsubscribe: %+v", routine)
	}
}

// TestReferralUpdateEmailNamesWhereItWent: the referrer's email of a
// redirect names the agency the referral went to, so they know whom to
// follow it up with; the adviser's words on why stay in Onward.
func TestReferralUpdateEmailNamesWhereItWent(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	h.emailOnly(t)
	h.markAllSent(t)
	w := h.mailWorker(t)
	child := h.redirectToCAB(t, "update-redirected", "Morag Baird has debts, not a housing problem.")
	drain(t, w)

	var p *parsed
	for _, m := range byRecipient(h.smtp.Messages())[h.net.HousingAdviser.Email] {
		if got := parse(t, m); strings.Contains(decodedSubject(got), "Your referral") {
			p = &got
		}
	}
	if p == nil {
		t.Fatalf("the referrer got no update email of the redirect (child %s)", child.Reference)
	}
	const want = "redirected to Kirkton Citizens Advice"
	if subj := decodedSubject(*p); !strings.HasSuffix(subj, ": "+want) {
		t.Errorf("subject %q: want it to end %q", subj, want)
	}
	if !strings.Contains(p.Text, "to Kingdom Council Welfare Rights: "+want+".") || !strings.Contains(p.HTML, want) {
		t.Errorf("the update email does not name where the referral went:\n%s", describe(*p))
	}
	if all := describe(*p); strings.Contains(all, "another agency") || strings.Contains(all, "housing problem") || strings.Contains(all, "Morag") {
		t.Errorf("the update email:\n%s", all)
	}
}

// TestNewReferralEmailSaysWhoReferred: the new-referral email of a
// referral a member of staff made names them and their agency, so the
// receiving adviser knows whom to ask; once they have left, their agency
// alone. A self-referral's email names nobody, and no email carries the
// client's details.
func TestNewReferralEmailSaysWhoReferred(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	h.emailOnly(t)
	h.markAllSent(t)
	w := h.mailWorker(t)
	mail := func(ref string) parsed {
		t.Helper()
		drain(t, w)
		for _, m := range byRecipient(h.smtp.Messages())["ailsa@cab.example"] {
			if p := parse(t, m); strings.Contains(decodedSubject(p), ref) {
				return p
			}
		}
		t.Fatalf("no new-referral email to the CAB's adviser for %s", ref)
		return parsed{}
	}

	p := mail(h.staffReferral(t, "mail-referred-by", false).Reference)
	const want = "Referred by Isla Moffat at Kingdom Council Welfare Rights."
	if !strings.Contains(p.Text, want) || !strings.Contains(p.HTML, "<p>"+want+"</p>") {
		t.Errorf("the email does not say who referred:\n%s", describe(p))
	}
	if all := describe(p); strings.Contains(all, "Morag") || strings.Contains(all, "07700") {
		t.Errorf("the email carries the client's details:\n%s", all)
	}

	if p := mail(h.selfRefer(t, "mail-self", nil).Reference); strings.Contains(describe(p), "Referred by") {
		t.Errorf("a self-referral's email names a referrer:\n%s", p.Text)
	}

	// Isla has left, and her referral is still on its way.
	left := h.staffReferral(t, "mail-referred-by-left", false)
	if err := h.engine.DeactivateStaff(context.Background(), h.net.WelfareAdviser.ID, core.SystemActor); err != nil {
		t.Fatal(err)
	}
	if p := mail(left.Reference); !strings.Contains(p.Text, "Referred by Kingdom Council Welfare Rights.") {
		t.Errorf("a referrer who has left: the email should name their agency alone:\n%s", p.Text)
	}
}
