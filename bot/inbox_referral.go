package bot

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/onward-network/onward/core"
)

// referralForm is what a referral page shows besides the card: an error
// from the last attempt and what was typed.
type referralForm struct {
	status int
	err    string
	fields map[string]string
	values formValues
	// complete is the completion form as typed, when it came back.
	complete *completeForm
}

// referralPage shows one referral's card with the reject, redirect or
// assign forms its status allows.
func (b *Bot) referralPage(w http.ResponseWriter, r *http.Request, s session) {
	id, ok := b.referralFromPath(w, r, s)
	if !ok {
		return
	}
	b.showReferral(w, r, s, id, referralForm{status: http.StatusOK})
}

// referralFromPath resolves the reference in a staff web URL (URLs carry
// references, never the sequential ids) for a member of staff who may see
// that referral (core.Actor.MaySee). A referral they may not see answers
// "not found", exactly like one that does not exist, and the attempt is
// audited.
func (b *Bot) referralFromPath(w http.ResponseWriter, r *http.Request, s session) (core.ReferralID, bool) {
	ref, err := b.engine.ReferralByReference(r.Context(), strings.ToUpper(r.PathValue("id")))
	if err == nil && !s.staff.Actor().MaySee(ref) {
		b.engine.RecordAccessDenied(r.Context(), ref.ID, s.staff.Actor(), "view-referral", "web")
		err = core.ErrNotFound
	}
	if errors.Is(err, core.ErrNotFound) {
		b.message(w, http.StatusNotFound, &s.staff, s.csrf, sayWeb("web.notfound.title", nil), sayWeb("web.notfound", nil))
		return 0, false
	}
	if err != nil {
		b.failed(w, &s, err)
		return 0, false
	}
	return ref.ID, true
}

func (b *Bot) showReferral(w http.ResponseWriter, r *http.Request, s session, id core.ReferralID, f referralForm) {
	ctx := r.Context()
	ref, err := b.engine.Referral(ctx, id)
	if err == nil && !s.staff.Actor().MaySee(ref) && f.err != "" {
		// A refused action on someone else's referral: the refusal alone.
		b.message(w, f.status, &s.staff, s.csrf, sayWeb("web.failed.title", nil), f.err)
		return
	}
	if errors.Is(err, core.ErrNotFound) || (err == nil && !s.staff.Actor().MaySee(ref)) {
		// Someone else's referral is answered as one that does not exist.
		b.message(w, http.StatusNotFound, &s.staff, s.csrf, sayWeb("web.notfound.title", nil), sayWeb("web.notfound", nil))
		return
	}
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	kind := KindAgency
	if ref.InTriage() {
		kind = KindTriage
	}
	v, err := buildView(ctx, b.engine, ref, kind)
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	item := cardItem{cardView: v, CSRF: s.csrf}
	p := page{Staff: &s.staff, CSRF: s.csrf, Card: &item, Error: f.err, Fields: f.fields, Form: f.values}
	if f.err != "" {
		// Refused as a whole: what was written goes back to its writer.
		p.Unsaved = f.values.Feedback
		if f.complete != nil && f.complete.Note != "" {
			p.Unsaved = f.complete.Note
		}
	}
	if d := r.URL.Query().Get("done"); doneActions[d] && f.status == http.StatusOK {
		p.Done, p.DoneRef = d, ref.Reference
	}
	for _, reason := range core.Reasons {
		p.Reasons = append(p.Reasons, reasonOption{Value: string(reason), Label: reason.Label()})
	}
	if item.Has(string(btnComplete)) {
		p.Complete = f.complete
		if p.Complete == nil {
			p.Complete = &completeForm{}
		}
		if err := b.fillCompleteForm(ctx, ref, p.Complete); err != nil {
			b.failed(w, &s, err)
			return
		}
	}
	for field, msg := range f.fields {
		p.Errors = append(p.Errors, fieldProblem{Field: field, Message: sentence(msg)})
	}
	slices.SortStableFunc(p.Errors, func(a, b fieldProblem) int {
		if c := fieldRank(a.Field) - fieldRank(b.Field); c != 0 {
			return c
		}
		return strings.Compare(a.Field, b.Field)
	})
	p.Undo = ref.Allowed(core.ActionReopen) && ref.Undoable(b.clock.Now()) &&
		ref.ToAgencyID != nil && *ref.ToAgencyID == s.staff.AgencyID
	p.CloseTriage = ref.InTriage() && s.staff.Actor().Coordinates() && ref.Allowed(core.ActionCancel)
	if !ref.InTriage() {
		if p.ReferOn, err = b.engine.MayReferOn(ctx, ref); err != nil {
			b.failed(w, &s, err)
			return
		}
	}
	if p.Story, err = b.story(ctx, ref, v); err != nil {
		b.failed(w, &s, err)
		return
	}
	switch {
	case item.Has(string(btnRedirect)):
		p.Match, err = b.redirectChoices(ctx, ref)
	case item.Has(string(btnAssign)):
		p.Match, err = b.assignChoices(ctx, ref)
	}
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	b.renderPage(w, f.status, "referral", p)
}
