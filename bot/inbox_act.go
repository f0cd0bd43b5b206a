package bot

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/onward-network/onward/core"
)

// inboxActions are the buttons the inbox accepts as form posts.
var inboxActions = map[button]bool{btnAccept: true, btnReject: true, btnRedirect: true, btnHold: true, btnResume: true,
	btnContact: true, btnComplete: true, btnFail: true, btnClaim: true, btnAssign: true, btnDetails: true, btnReopen: true,
	btnCancel: true, btnNote: true}

// onePress are the actions a single button press makes, with nothing typed
// or chosen: pressed twice (a double click, a page sent again), the second
// finds the first already done. Slack drops such a repeat (pressKey); the
// staff web says it was done, by whom and when (alreadyView).
var onePress = map[button]bool{btnAccept: true, btnHold: true, btnResume: true, btnContact: true, btnFail: true,
	btnClaim: true, btnReopen: true}

// ownRepeat are the forms whose words or choices a member of staff types
// (a completion, a rejection, a redirect): sent again by the same member
// of staff (Back and send, a page sent again on a poor connection), the
// second finds their own first done, and is told so as onePress is. Sent
// by anyone else, it is a race lost, and what they typed is handed back.
var ownRepeat = map[button]bool{btnComplete: true, btnReject: true, btnRedirect: true}

// inboxAct handles a card button or form posted from the inbox: the same core
// call, with the same authorization, as the Slack button.
func (b *Bot) inboxAct(w http.ResponseWriter, r *http.Request, s session) {
	ctx := r.Context()
	btn := button(r.PathValue("action"))
	if !inboxActions[btn] {
		b.message(w, http.StatusNotFound, &s.staff, s.csrf, sayWeb("web.notfound.title", nil), sayWeb("web.notfound", nil))
		return
	}
	id, ok := b.referralFromPath(w, r, s)
	if !ok {
		return
	}
	if btn == btnDetails {
		b.details(w, r, s, id)
		return
	}
	if btn == btnNote {
		b.showOutcomeNote(w, r, s, id)
		return
	}
	version, verr := formVersion(r)
	// A suggestion pressed and another agency chosen from the list: the
	// web cannot untick a choice, so neither is guessed at.
	_, twoAgencies := formAgency(r.PostForm)
	values := referralFormValues(btn, r.PostForm)
	agency, _ := strconv.ParseInt(values.Agency, 10, 64)
	req := core.TransitionRequest{
		Referral: id, Action: btn.action(), Actor: s.staff.Actor(), ExpectedVersion: version,
		Reason: core.Reason(values.Reason), Feedback: values.Feedback, ToAgency: core.AgencyID(agency),
	}
	var complete *completeForm
	var err error
	if twoAgencies != nil && (btn == btnRedirect || btn == btnAssign) {
		err = twoAgencies
	}
	if btn == btnComplete {
		req.Reason, req.Feedback = "", ""
		f, problems := completionRequest(r.PostFormValue, &req)
		complete = &f
		if len(problems) > 0 {
			// Amounts that are not money are refused before core sees
			// them, with the rest of the form's problems beside them.
			for _, p := range core.CheckOutcome(req) {
				if !slices.ContainsFunc(problems, func(q core.FieldError) bool { return q.Field == p.Field }) {
					problems = append(problems, p)
				}
			}
			err = &core.ValidationError{Fields: problems}
		}
	}
	if btn == btnFail && !failConfirmed(r.PostFormValue) {
		// A one-click button of a page from before the panel asked:
		// the referral page's panel says what it does, and asks.
		err = &core.ValidationError{Fields: []core.FieldError{failUnconfirmed}}
	}
	if btn == btnCancel && strings.TrimSpace(req.Feedback) == "" {
		// Closing without an agency is a decision the audit log must
		// explain: why, and what the client was told.
		err = &core.ValidationError{Fields: []core.FieldError{{Field: "feedback", Message: "say why the referral is closed and what the client was told"}}}
	}
	if verr != nil {
		// Core takes version 0 as "whatever is current": a form that
		// does not say which version it was made from is refused as a
		// stale one is, never let past the check.
		err = verr
	}
	var res core.TransitionResult
	if err == nil {
		res, err = b.engine.Act(ctx, req)
	}
	var conflict *core.ConflictError
	if errors.As(err, &conflict) {
		// A form naming a version the referral never had (one changed by
		// hand) is no race lost: nobody "changed it first".
		if cur, cerr := b.engine.Referral(ctx, id); cerr == nil && version > cur.Version {
			err = errStaleForm
		}
	}
	if err != nil {
		status, title, msg := b.webAnswer(ctx, err)
		if status == http.StatusInternalServerError {
			b.failed(w, &s, err)
			return
		}
		// The answer goes beside the field it is about, when there is one.
		f := referralForm{status: status, title: title, values: values, complete: complete}
		var (
			invalid  *core.ValidationError
			scope    *core.ConsentScopeError
			conflict *core.ConflictError
		)
		switch {
		case errors.As(err, &conflict) && (onePress[btn] || ownRepeat[btn] && conflict.ByStaff == s.staff.ID):
			f.err, f.again = msg, btn.action()
		case errors.As(err, &invalid):
			f.fields = map[string]string{}
			for _, fe := range invalid.Fields {
				field := fe.Field
				if btn == btnRedirect && field == "feedback" {
					// The redirect's why has a box of its own: the
					// problem goes there, and the summary links to it,
					// not to the reject form's feedback.
					field = "redirect-note"
				}
				f.fields[field] = fe.Message
			}
		case errors.As(err, &scope):
			f.fields = map[string]string{"agency": msg}
		case !errors.Is(err, core.ErrNotFound):
			f.err = msg
		}
		b.showReferral(w, r, s, id, f)
		return
	}
	// The referral's page confirms, shows what to do next and, after a
	// completion, offers the undo; a triage action goes back to the queue.
	q := url.Values{"done": {string(btn)}}
	closedTriage := btn == btnCancel && res.Referral.ToAgencyID == nil && s.staff.Actor().Coordinates()
	if btn == btnCancel && !closedTriage {
		// The referrer's cancel, or one from the waiting list: its page
		// shows it closed.
		q.Set("done", "cancelled")
	}
	if btn == btnReject && res.Referral.SelfReferral() {
		// A client's own referral has no referrer to read the reason:
		// Onward sends the client on (core's re-route), and says so.
		q.Set("done", "reject-self")
	}
	if btn == btnAssign || btn == btnClaim || btn == btnRedirect || btn == btnReject || closedTriage {
		q.Set("ref", res.Referral.Reference)
		http.Redirect(w, r, "/staff/?"+q.Encode(), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/staff/referrals/"+res.Referral.Reference+"?"+q.Encode(), http.StatusSeeOther)
}

// referralFormValues is what a referral page's form for btn sent, as the
// page shows it again: after a refused action, and after signing in again
// when the form was kept (keptForm). The one reading of those fields.
func referralFormValues(btn button, form url.Values) formValues {
	chosen, _ := formAgency(form)
	return formValues{Reason: form.Get("reason"), Feedback: form.Get("feedback"), Agency: chosen, Action: string(btn.action())}
}

// formVersion is the version of the referral the posted form was made
// from (its hidden field): a version is 1 or more, so a missing or
// unreadable one is errStaleForm.
func formVersion(r *http.Request) (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("version")))
	if err != nil || v < 1 {
		return 0, errStaleForm
	}
	return v, nil
}

// details shows the client's details on a page of its own, through core's
// audited disclosure. It is a POST so that viewing is a deliberate act,
// and the page is never cached.
func (b *Bot) details(w http.ResponseWriter, r *http.Request, s session, id core.ReferralID) {
	d, err := b.disclose(r.Context(), id, s.staff, "web")
	if err != nil {
		b.refusedOnReferral(w, r, s, id, err)
		return
	}
	ref := &cardItem{cardView: cardView{ID: id, Reference: d.Reference}}
	b.renderPage(w, http.StatusOK, "details", page{Staff: &s.staff, CSRF: s.csrf, Details: &d, Card: ref,
		Title: sayWeb("web.details.title", nil)})
}
