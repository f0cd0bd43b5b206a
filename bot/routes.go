package bot

import (
	"net/http"

	"github.com/onward-network/onward/templates"
)

// Routes adds the bot's handlers to mux: the Slack endpoints when a Slack
// app is configured, and the staff web inbox and reports pages always.
func (b *Bot) Routes(mux *http.ServeMux) {
	if b.cfg.SlackEnabled() {
		mux.HandleFunc("POST /slack/interactions", b.handleInteractions)
		mux.HandleFunc("POST /slack/commands", b.handleCommands)
	}
	staff := func(pattern string, h http.Handler) { mux.Handle(pattern, staffHeaders(h)) }
	staff("GET /staff", http.RedirectHandler("/staff/", http.StatusSeeOther))
	staff("GET /staff/{$}", b.signedIn(b.inbox))
	staff("POST /staff/{$}", b.signedIn(b.listSearch("/staff/")))
	staff("GET /staff/login", http.HandlerFunc(b.loginPage))
	staff("POST /staff/login", http.HandlerFunc(b.login))
	staff("POST /staff/logout", b.signedIn(b.logout))
	staff("POST /staff/capacity", b.signedIn(b.setCapacityForm))
	staff("POST /staff/capacity/until", b.signedIn(b.setCapacityUntil))
	staff("GET /staff/referrals/{id}", b.signedIn(b.referralPage))
	staff("POST /staff/referrals/{id}/{action}", b.signedIn(b.inboxAct))
	staff("GET /staff/static/inbox.css", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		http.ServeFileFS(w, r, templates.FS, "html/staff/inbox.css")
	}))
	staff("GET /staff/settings/email", b.signedIn(b.emailSettings))
	staff("POST /staff/settings/email", b.signedIn(b.saveEmailSettings))
	staff("POST /staff/settings/sessions/end", b.signedIn(b.endOtherSession))
	staff("GET /staff/settings/email/unsubscribe", http.HandlerFunc(b.unsubscribePage))
	staff("POST /staff/settings/email/unsubscribe", http.HandlerFunc(b.unsubscribe))
	b.ReportRoutes(mux)
	b.DirectoryRoutes(mux)
	b.WebRoutes(mux)
	b.PartnerRoutes(mux)
	b.DataProtectionRoutes(mux)
	b.ConsentRoutes(mux)
	// Last, and by its pattern the least specific under /staff/: every
	// staff address no route above serves.
	staff("/staff/", b.staffNoRoute(mux))
}
