package bot

import (
	"errors"
	"net/http"
	"strconv"
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
				msg = b.capacityDateMissing(r, s)
			}
			b.capacityDateRefused(w, r, s, raw, msg)
			return
		}
		until, done = &d, "capacity-date"
	}
	err := b.engine.PublishCapacityUntil(r.Context(), s.staff.AgencyID, until, s.staff.Actor())
	var invalid *core.ValidationError
	if errors.As(err, &invalid) {
		b.capacityDateRefused(w, r, s, r.PostFormValue("date"), sentences(invalid))
		return
	}
	if err != nil {
		b.refused(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/staff/?done="+done, http.StatusSeeOther)
}

// capacityDateMissing is the refusal of an empty date. It names the
// "Stop showing a date" button only when a date is published, as only then
// is that button on the page.
func (b *Bot) capacityDateMissing(r *http.Request, s session) string {
	msg := "Choose the date you expect to take new referrals again."
	if a, err := b.engine.Agency(r.Context(), s.staff.AgencyID); err == nil && a.CapacityUntil != nil {
		msg = "Choose the date you expect to take new referrals again, or press Stop showing a date."
	}
	return msg
}

// capacityDateRefused shows the inbox again with the date as typed and
// why it was not published, beside the field and in the error summary.
func (b *Bot) capacityDateRefused(w http.ResponseWriter, r *http.Request, s session, typed, msg string) {
	b.showInbox(w, r, s, inboxView{CapacityDate: typed, chrome: capacityProblem("capacity-until", msg)})
}

// capacityNoteRefused is capacityDateRefused for the note of "Mark us at
// capacity" (what the page's limit stops a browser sending).
func (b *Bot) capacityNoteRefused(w http.ResponseWriter, r *http.Request, s session, typed, msg string) {
	b.showInbox(w, r, s, inboxView{CapacityNoteTyped: typed, chrome: capacityProblem("capacity-note", msg)})
}

// agencyCapacityNoteRefused is capacityNoteRefused for a coordinator's
// "Mark at capacity" on the agencies page: that page again, the note as
// typed in the agency's own box, the problem beside it and in the error
// summary.
func (b *Bot) agencyCapacityNoteRefused(w http.ResponseWriter, r *http.Request, s session, agency core.AgencyID, typed, msg string) {
	v, err := b.agenciesView(r, s)
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	problem := capacityProblem(agencyCapacityNoteField(agency), msg)
	v.Errors, v.Invalid = problem.Errors, problem.Invalid
	v.CapacityNoteTyped, v.CapacityNoteAgency = typed, agency
	b.renderWeb(w, http.StatusUnprocessableEntity, "admin_agencies", v)
}

// agencyCapacityNoteField is the id of an agency's capacity note box on
// the agencies page (admin_agencies.html writes it the same way).
func agencyCapacityNoteField(agency core.AgencyID) string {
	return "capacity-note-" + strconv.FormatInt(int64(agency), 10)
}

// capacityProblem is the inbox's chrome for a capacity form refused: the
// problem beside field and in the error summary.
func capacityProblem(field, msg string) chrome {
	return chrome{Errors: []fieldProblem{{Field: field, Message: msg}}, Invalid: map[string]string{field: msg}}
}

// sentences are a refusal's field messages as sentences, one after another.
func sentences(invalid *core.ValidationError) string {
	msgs := make([]string, len(invalid.Fields))
	for i, f := range invalid.Fields {
		msgs[i] = sentence(f.Message)
	}
	return strings.Join(msgs, " ")
}
