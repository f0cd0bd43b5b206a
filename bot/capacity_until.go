package bot

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
)

// The date an agency at capacity publishes: the public directory then says
// "not taking new referrals until …" (the capacity note stays for staff and
// coordinators). Set from the inbox's capacity panel, for the member of
// staff's own agency; core checks the date and audits the change.

// setCapacityUntil handles POST /staff/capacity/until: a date to publish,
// or clear=yes to withdraw it. A form naming an agency comes from the
// coordinators' agencies page, marking that agency at capacity or taking
// referrals again (setAgencyCapacity).
func (b *Bot) setCapacityUntil(w http.ResponseWriter, r *http.Request, s session) {
	if r.PostFormValue("agency") != "" {
		b.coordinatorsOnly("agencies", b.setAgencyCapacity)(w, r, s)
		return
	}
	var until *time.Time
	done := "capacity-date-cleared"
	if r.PostFormValue("clear") != "yes" {
		raw := strings.TrimSpace(r.PostFormValue("date"))
		d, err := time.Parse(time.DateOnly, raw)
		if err != nil {
			msg := "Enter the date you expect to take new referrals again, like " + b.clock.Now().AddDate(0, 0, 14).Format(time.DateOnly) + "."
			if raw == "" {
				msg = "Choose the date you expect to take new referrals again, or press Stop showing a date."
			}
			b.capacityDateRefused(w, r, s, raw, msg)
			return
		}
		until, done = &d, "capacity-date"
	}
	err := b.engine.PublishCapacityUntil(r.Context(), s.staff.AgencyID, until, s.staff.Actor())
	var invalid *core.ValidationError
	if errors.As(err, &invalid) {
		msgs := make([]string, len(invalid.Fields))
		for i, f := range invalid.Fields {
			msgs[i] = sentence(f.Message)
		}
		b.capacityDateRefused(w, r, s, r.PostFormValue("date"), strings.Join(msgs, " "))
		return
	}
	if err != nil {
		b.refused(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/staff/?done="+done, http.StatusSeeOther)
}

// capacityDateRefused shows the inbox again with the date as typed and
// why it was not published, beside the field and in the error summary.
func (b *Bot) capacityDateRefused(w http.ResponseWriter, r *http.Request, s session, typed, msg string) {
	const field = "capacity-until"
	b.showInbox(w, r, s, inboxView{CapacityDate: typed, chrome: chrome{
		Errors: []fieldProblem{{Field: field, Message: msg}}, Invalid: map[string]string{field: msg}}})
}
