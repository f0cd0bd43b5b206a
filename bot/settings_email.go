package bot

import (
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
	Token    string // unsubscribe: the token the form posts back
	Done     bool   // unsubscribe: done
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
	core.EmailAlert:           "Alerts: a client not contacted, a partner's webhooks paused, texts held (coordinators)",
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
	p.Sessions, err = b.StaffSessions(r.Context(), s.staff.ID)
	return p, err
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
	err := b.engine.SetMailPrefs(r.Context(), s.staff.ID, prefs)
	p, perr := b.settingsPage(r, s)
	if perr != nil {
		b.log.Error("email settings", "err", perr)
		http.Error(w, "the page could not be shown", http.StatusInternalServerError)
		return
	}
	if err != nil {
		p.Error = "Choose at once, in the daily digest, or not at all for each kind of email."
		b.writeLayout(w, http.StatusBadRequest, loginPages()["settings_email"], "settings_email", p)
		return
	}
	p.Saved = true
	b.writeLayout(w, http.StatusOK, loginPages()["settings_email"], "settings_email", p)
}

// unsubscribePage shows a button for the link in an email: a GET (a mail
// scanner following links) changes nothing.
func (b *Bot) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	if _, _, ok := core.ParseUnsubscribeToken([]byte(b.cfg.SessionSecret), tok); !ok {
		b.message(w, http.StatusBadRequest, nil, "", "Unsubscribe", sayWeb("web.unsubscribe.invalid", nil))
		return
	}
	b.writeLayout(w, http.StatusOK, loginPages()["settings_email"], "settings_email",
		settingsEmailPage{page: page{Title: "Unsubscribe"}, Token: tok})
}

// unsubscribe turns one kind of email off: the one-click POST mail
// programs send (RFC 8058, List-Unsubscribe-Post), or the page's button.
func (b *Bot) unsubscribe(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	if tok == "" {
		tok = r.PostFormValue("t")
	}
	staff, kind, ok := core.ParseUnsubscribeToken([]byte(b.cfg.SessionSecret), tok)
	if !ok {
		b.message(w, http.StatusBadRequest, nil, "", "Unsubscribe", sayWeb("web.unsubscribe.invalid", nil))
		return
	}
	if err := b.engine.SetMailPrefs(r.Context(), staff, map[core.EmailKind]core.MailMode{kind: core.MailOff}); err != nil {
		b.log.Error("unsubscribe", "staff", staff, "err", err)
		http.Error(w, "could not unsubscribe just now; try again", http.StatusInternalServerError)
		return
	}
	b.message(w, http.StatusOK, nil, "", "Unsubscribed", sayWeb("web.unsubscribe.done", nil))
}
