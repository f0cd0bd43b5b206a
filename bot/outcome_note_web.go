package bot

import (
	"net/http"

	"github.com/onward-network/onward/core"
)

// btnNote reads a completed referral's note on its page. The note is
// about the client, so reading it is a deliberate act (a POST, like View
// details) that core records as a disclosure (core.Engine.ReadOutcomeNote);
// the page offers it only to those core lets read it: the agency that
// completed the referral and coordinators, never the referrer.
const btnNote button = "note"

// showOutcomeNote shows the referral's page with its completion note.
func (b *Bot) showOutcomeNote(w http.ResponseWriter, r *http.Request, s session, id core.ReferralID) {
	note, _, err := b.engine.ReadOutcomeNote(r.Context(), id, s.staff.Actor(), "web")
	if err != nil {
		b.refusedOnReferral(w, r, s, id, err)
		return
	}
	b.showReferral(w, r, s, id, referralForm{status: http.StatusOK, note: note})
}

// refusedOnReferral answers a read of a referral's details or note that
// core refused: the referral's page again, saying why, or the fault page
// when nothing in the request was wrong.
func (b *Bot) refusedOnReferral(w http.ResponseWriter, r *http.Request, s session, id core.ReferralID, err error) {
	status, title, msg := b.webAnswer(r.Context(), err)
	if status == http.StatusInternalServerError {
		b.failed(w, &s, err)
		return
	}
	b.showReferral(w, r, s, id, referralForm{status: status, title: title, err: msg})
}
