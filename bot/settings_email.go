package bot

import (
	"context"
	"fmt"
	"net/http"

	"github.com/onward-network/onward/core"
)

// settingsEmailPage is the email settings page: each kind of email and
// how the member of staff wants it, and their open sessions.
type settingsEmailPage struct {
	page
	Kinds    []mailKindChoice
	Sessions []StaffSession
	Saved    bool
	Ended    bool   // another of their sessions was just signed out of
	Token    string // unsubscribe: the token the form posts back
	Done     bool   // unsubscribe: done
	What     string // unsubscribe: the emails it stops, in words (unsubscribeWhat)
	// Problem is what was wrong with the choices posted, and ProblemKind
	// the kind of email it is about (the fieldset the error summary
	// links to and the message stands beside); the page shows them
	// itself, so the layout's own summary is not used.
	Problem, ProblemKind string
}

type mailKindChoice struct {
	Kind  string
	Label string
	Mode  string
}

var mailKindLabels = map[core.EmailKind]string{
	core.EmailNewReferral:     "A new referral for my agency",
	core.EmailAckReminder:     "Reminders about referrals waiting for my agency",
	core.EmailContactReminder: "Reminders about clients my agency accepted but has not marked contacted",
	core.EmailReferralUpdate:  "What became of referrals I made",
	core.EmailEscalation:      "Escalations of overdue referrals (coordinators)",
	core.EmailDeadLetter:      "Messages Onward could not deliver (coordinators)",
	core.EmailAlert:           "Alerts: a referral waiting in triage, a client not contacted, an agency leaving with referrals, a partner's webhooks paused, texts held (coordinators)",
}

// unsubscribeWhat names the emails an unsubscribe link stops, for its
// confirmation and its answer: the kind, and for an agency's own kinds
// the agency ("emails about new referrals for Lochgair Food Share"), so
// nobody stops more, or other, emails than they meant to.
func unsubscribeWhat(kind core.EmailKind, agency string) string {
	if agency == "" {
		agency = "your agency"
	}
	switch kind {
	case core.EmailNewReferral:
		return "emails about new referrals for " + agency
	case core.EmailAckReminder:
		return "reminders about referrals waiting for " + agency
	case core.EmailContactReminder:
		return "reminders about clients " + agency + " accepted but has not marked contacted"
	case core.EmailReferralUpdate:
		return "emails about what became of referrals you made"
	case core.EmailEscalation:
		return "emails about escalations of overdue referrals"
	case core.EmailDeadLetter:
		return "emails about messages Onward could not deliver"
	case core.EmailAlert:
		return "alert emails (a referral waiting in triage, a client not contacted, an agency leaving with referrals, a partner's webhooks paused, texts held)"
	}
	return "this kind of email"
}

// unsubscribeWhatFor is unsubscribeWhat for a member of staff, by id:
// their agency's name is read for it ("your agency" when it cannot be).
func (b *Bot) unsubscribeWhatFor(ctx context.Context, staff core.StaffID, kind core.EmailKind) string {
	var agency string
	if st, err := b.engine.StaffByID(ctx, staff); err == nil {
		agency = st.AgencyName
	}
	return unsubscribeWhat(kind, agency)
}

func (b *Bot) settingsPage(r *http.Request, s session) (settingsEmailPage, error) {
	prefs, err := b.engine.MailPrefs(r.Context(), s.staff.ID)
	if err != nil {
		return settingsEmailPage{}, err
	}
	p := settingsEmailPage{page: page{Title: "Email settings", Staff: &s.staff, CSRF: s.csrf, Coordinator: s.staff.Actor().Coordinates()}}
	for _, k := range core.MailPrefKinds {
		if k.ForCoordinators() && !p.Coordinator {
			continue
		}
		p.Kinds = append(p.Kinds, mailKindChoice{Kind: string(k), Label: mailKindLabels[k], Mode: string(prefs[k])})
	}
	if p.Sessions, err = b.StaffSessions(r.Context(), s.staff.ID); err != nil {
		return p, err
	}
	current := b.sessionHash(s.claims.ID)
	for i := range p.Sessions {
		p.Sessions[i].Current = p.Sessions[i].ID == current
	}
	p.Ended = r.Method == http.MethodGet && r.URL.Query().Get("done") == "session-ended"
	return p, nil
}

// emailSettings shows the settings page.
func (b *Bot) emailSettings(w http.ResponseWriter, r *http.Request, s session) {
	p, err := b.settingsPage(r, s)
	if err != nil {
		b.log.Error("email settings", "err", err)
		http.Error(w, "the page could not be shown", http.StatusInternalServerError)
		return
	}
	b.writeLayout(w, http.StatusOK, loginPages()["settings_email"], "settings_email", p)
}

// saveEmailSettings records the choices; a bad value is named and nothing
// is written.
func (b *Bot) saveEmailSettings(w http.ResponseWriter, r *http.Request, s session) {
	prefs := map[core.EmailKind]core.MailMode{}
	for _, k := range core.MailPrefKinds {
		if k.ForCoordinators() && !s.staff.Actor().Coordinates() {
			continue
		}
		if v := r.PostFormValue("mode-" + string(k)); v != "" {
			prefs[k] = core.MailMode(v)
		}
	}
	last, err := b.lastToHear(r.Context(), s.staff.ID, prefs[core.EmailNewReferral])
	if err != nil {
		b.log.Error("email settings", "err", err)
		http.Error(w, "the page could not be shown", http.StatusInternalServerError)
		return
	}
	if last == "" {
		err = b.engine.SetMailPrefs(r.Context(), s.staff.ID, prefs)
		if err != nil {
			// A colleague turned theirs off in the meantime: core refused
			// this one (its keepHearing rule), which the page says as above.
			last, _ = b.lastToHear(r.Context(), s.staff.ID, prefs[core.EmailNewReferral])
		}
	}
	p, perr := b.settingsPage(r, s)
	if perr != nil {
		b.log.Error("email settings", "err", perr)
		http.Error(w, "the page could not be shown", http.StatusInternalServerError)
		return
	}
	if last != "" {
		p.Problem, p.ProblemKind = last+" Nothing was saved.", string(core.EmailNewReferral)
		b.writeLayout(w, http.StatusConflict, loginPages()["settings_email"], "settings_email", p)
		return
	}
	if err != nil {
		p.Problem = "Choose at once, in the daily digest, or not at all for each kind of email. Nothing was saved."
		// The first choice on the page that is not one of the three.
		for _, k := range core.MailPrefKinds {
			if m, ok := prefs[k]; ok && m != core.MailNow && m != core.MailDigest && m != core.MailOff && p.ProblemKind == "" {
				p.ProblemKind = string(k)
			}
		}
		b.writeLayout(w, http.StatusBadRequest, loginPages()["settings_email"], "settings_email", p)
		return
	}
	p.Saved = true
	b.writeLayout(w, http.StatusOK, loginPages()["settings_email"], "settings_email", p)
}

// lastToHear refuses to turn new referrals' emails off (mode) for the
// last member of staff at an agency Slack does not reach who gets them
// (core's rule, asked before the change, which core refuses as well):
// the words to show, or "" when the change may be made. These emails are
// such an agency's only notice of a new referral. Onward would email the
// network's coordinators instead, but the agency itself would not know,
// so the refusal says what to do: a colleague takes them on first, or
// the daily digest gathers them.
func (b *Bot) lastToHear(ctx context.Context, staff core.StaffID, mode core.MailMode) (string, error) {
	if mode != core.MailOff {
		return "", nil
	}
	prefs, err := b.engine.MailPrefs(ctx, staff)
	if err != nil || prefs[core.EmailNewReferral] == core.MailOff {
		return "", err // already off: the choice is not being made now
	}
	agency, last, err := b.engine.LastToHearOfNewReferrals(ctx, staff)
	if err != nil || !last {
		return "", err
	}
	return fmt.Sprintf("You are the last person at %s who gets emails about new referrals, and %s is not on Slack: "+
		"if you turn them off, nobody at %s will be told of a new referral, and Onward will email the network's coordinators instead. "+
		"Ask a colleague to turn them on first, or choose the daily digest.", agency, agency, agency), nil
}

// unsubscribePage shows a button for the link in an email: a GET (a mail
// scanner following links) changes nothing. The last person at an agency
// off Slack to get new referrals' emails is told why they cannot stop
// them here (lastToHear) instead.
func (b *Bot) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	staff, kind, ok := core.ParseUnsubscribeToken([]byte(b.cfg.SessionSecret), tok)
	if !ok {
		b.message(w, http.StatusBadRequest, nil, "", "Unsubscribe", sayWeb("web.unsubscribe.invalid", nil))
		return
	}
	if b.refuseLastToHear(w, r, staff, kind) {
		return
	}
	b.writeLayout(w, http.StatusOK, loginPages()["settings_email"], "settings_email",
		settingsEmailPage{page: page{Title: "Unsubscribe"}, Token: tok, What: b.unsubscribeWhatFor(r.Context(), staff, kind)})
}

// unsubscribe turns one kind of email off: the one-click POST mail
// programs send (RFC 8058, List-Unsubscribe-Post), or the page's button.
// The page's button refuses the last person at an agency off Slack to get
// new referrals' emails (lastToHear); a mail program's one-click POST
// cannot show anyone why, and RFC 8058 has it unsubscribe without asking,
// so it does, and notify emails the agency's new referrals to the
// coordinators from then on.
func (b *Bot) unsubscribe(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	oneClick := tok != "" && r.PostFormValue("List-Unsubscribe") == "One-Click"
	if tok == "" {
		tok = r.PostFormValue("t")
	}
	staff, kind, ok := core.ParseUnsubscribeToken([]byte(b.cfg.SessionSecret), tok)
	if !ok {
		b.message(w, http.StatusBadRequest, nil, "", "Unsubscribe", sayWeb("web.unsubscribe.invalid", nil))
		return
	}
	if !oneClick && b.refuseLastToHear(w, r, staff, kind) {
		return
	}
	set := func() error {
		return b.engine.SetMailPrefs(r.Context(), staff, map[core.EmailKind]core.MailMode{kind: core.MailOff})
	}
	if oneClick {
		set = func() error { return b.engine.UnsubscribeOneClick(r.Context(), staff, kind) }
	}
	if err := set(); err != nil {
		if !oneClick && b.refuseLastToHear(w, r, staff, kind) {
			return // a colleague turned theirs off in the meantime
		}
		b.log.Error("unsubscribe", "staff", staff, "err", err)
		http.Error(w, "could not unsubscribe just now; try again", http.StatusInternalServerError)
		return
	}
	b.message(w, http.StatusOK, nil, "", "Unsubscribed", sayWeb("web.unsubscribe.done", b.unsubscribeWhatFor(r.Context(), staff, kind)))
}

// refuseLastToHear answers an unsubscribe that lastToHear refuses, and
// reports whether it did.
func (b *Bot) refuseLastToHear(w http.ResponseWriter, r *http.Request, staff core.StaffID, kind core.EmailKind) bool {
	if kind != core.EmailNewReferral {
		return false
	}
	why, err := b.lastToHear(r.Context(), staff, core.MailOff)
	if err != nil {
		b.log.Error("unsubscribe", "staff", staff, "err", err)
		http.Error(w, "could not unsubscribe just now; try again", http.StatusInternalServerError)
		return true
	}
	if why == "" {
		return false
	}
	b.message(w, http.StatusConflict, nil, "", "These emails are still on", why+" You can change how you get them in your email settings.")
	return true
}
