package bot

import (
	"net/http"
	"strconv"

	"github.com/onward-network/onward/core"
)

// Marking an agency at capacity takes it out of matching for every new
// referral until someone notices, so on the staff web it is two steps, as
// retiring an agency is: the "Mark us at capacity" button (the inbox's, or
// a coordinator's "Mark at capacity" on the agencies page) posts the form,
// which comes back as a page saying what the change will do and asking
// "Are you sure?"; only its button (confirm=yes) makes the change, and its
// Cancel link changes nothing. The note travels in the form's body, never
// in an address. Taking referrals again is the undo, and needs no asking.

// capacityConfirmView is the page asking to confirm marking Agency at
// capacity with Note: Action is where its form posts, Cancel where its
// link goes, AgencyID the agency a coordinator's form names (0 from the
// inbox, which is always the member of staff's own agency).
type capacityConfirmView struct {
	chrome
	Agency, Note   string
	Own            bool
	AgencyID       string
	Action, Cancel string
}

// confirmingCapacity reports whether a "mark at capacity" form (on) is
// confirmed; when it is not, it answers the form: the page asking to
// confirm, or, for a note core would refuse (what the page's limit stops a
// browser sending), refused with why.
func (b *Bot) confirmingCapacity(w http.ResponseWriter, r *http.Request, s session, a core.Agency, on bool, note string, refused func(error)) bool {
	if !on || r.PostFormValue("confirm") == "yes" {
		return true
	}
	if err := core.CheckCapacityNote(note); err != nil {
		refused(err)
		return false
	}
	v := capacityConfirmView{chrome: chrome{Title: "Mark " + a.Name + " at capacity?", Staff: &s.staff, CSRF: s.csrf},
		Agency: a.Name, Note: note, Own: a.ID == s.staff.AgencyID, Action: "/staff/capacity", Cancel: "/staff/"}
	if r.PostFormValue("agency") != "" {
		v.AgencyID, v.Action, v.Cancel = strconv.FormatInt(int64(a.ID), 10), "/staff/capacity/until", "/staff/admin/agencies"
	}
	b.renderWeb(w, http.StatusOK, "capacity_confirm", v)
	return false
}
