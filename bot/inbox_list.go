package bot

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"time"

	"github.com/onward-network/onward/core"
)

// doneActions are the confirmations the inbox shows after a redirect.
var doneActions = map[string]bool{"accept": true, "reject": true, "reject-self": true, "redirect": true, "contact": true, "complete": true,
	"fail": true, "claim": true, "assign": true, "capacity-date": true, "capacity-date-cleared": true, "reopen": true, "referred": true, "cancel": true,
	"cancelled": true, "hold": true, "resume": true}

var referenceRe = regexp.MustCompile(`^ONW-[0-9A-Z]{1,12}$`)

// inboxView is the inbox: the agency's referrals, the urgent first, as
// compact rows with filters and pages; coordinators also see triage.
type inboxView struct {
	chrome
	Coordinator  bool
	AtCapacity   bool
	CapacityNote string
	// CapacityUntil is the date published on the directory, nil for none.
	CapacityUntil *time.Time
	Triage        []cardItem
	// Left is, for coordinators, the open referrals held by agencies that
	// have left the network, which only they can move on.
	Left         []cardItem
	LeftTotal    int
	LeftAgencies int
	List         listView
	Attention    int // sent referrals needing this agency's attention
	// CapacityDate is the date typed into the capacity form when it came
	// back refused (Invalid["capacity-until"] says why).
	CapacityDate string
	// CapacityNoteTyped is the note typed into the capacity form when it
	// came back refused (Invalid["capacity-note"] says why).
	CapacityNoteTyped string
	// AssignedFull: the referral just assigned (Done "assign") went to
	// an agency marked at capacity, which the confirmation says.
	AssignedFull *assignedAtCapacity
}

// inbox lists the referrals sent to the staff member's agency, the urgent
// first, and, for coordinators, the triage queue.
func (b *Bot) inbox(w http.ResponseWriter, r *http.Request, s session) {
	b.showInbox(w, r, s, inboxView{})
}

// showInbox renders the inbox; refused carries a form that came back
// (its Invalid, Errors and typed values), answered 422.
func (b *Bot) showInbox(w http.ResponseWriter, r *http.Request, s session, refused inboxView) {
	ctx := r.Context()
	v := inboxView{chrome: chrome{Title: "Inbox", Staff: &s.staff, CSRF: s.csrf, Errors: refused.Errors, Invalid: refused.Invalid},
		Coordinator: s.staff.Actor().Coordinates(), CapacityDate: refused.CapacityDate, CapacityNoteTyped: refused.CapacityNoteTyped}
	if d := r.URL.Query().Get("done"); doneActions[d] {
		v.Done = d
		if ref := r.URL.Query().Get("ref"); referenceRe.MatchString(ref) {
			v.DoneRef = ref
		}
		if v.Done == "assign" && v.DoneRef != "" {
			v.AssignedFull = b.assignedShown(ctx, s, v.DoneRef)
		}
	}
	a, err := b.engine.Agency(ctx, s.staff.AgencyID)
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	if d := r.URL.Query().Get("done"); v.Done == "" {
		if words, ok := capacityDoneWords("capacity", d, a); ok {
			v.Done, v.DoneWords = d, words
		}
	}
	v.AtCapacity, v.CapacityNote, v.CapacityUntil = a.AtCapacity, a.CapacityNote, a.CapacityUntil
	if msg := v.Invalid["capacity-until"]; msg != "" && !a.AtCapacity {
		// The date's field shows only at capacity: the refusal stands alone.
		v.Error, v.Errors, v.Invalid = msg, nil, nil
	}
	status := http.StatusOK
	if v.List, status, err = b.listPage(ctx, r, s, core.ViewInbox, &v.chrome); err != nil {
		b.failed(w, &s, err)
		return
	}
	if len(refused.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	if v.Attention, err = b.engine.AttentionCount(ctx, s.staff.AgencyID); err != nil {
		b.failed(w, &s, err)
		return
	}
	if v.Coordinator {
		if v.Triage, err = b.cardItems(ctx, s, core.ReferralFilter{Triage: true}, KindTriage); err != nil {
			b.failed(w, &s, err)
			return
		}
		if err := b.leftCards(ctx, s, &v); err != nil {
			b.failed(w, &s, err)
			return
		}
	}
	b.renderPage(w, status, "inbox", v)
}

func (b *Bot) cardItems(ctx context.Context, s session, f core.ReferralFilter, kind string) ([]cardItem, error) {
	rs, err := b.engine.ListReferrals(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]cardItem, 0, len(rs))
	for _, r := range rs {
		v, err := buildView(ctx, b.engine, r, kind)
		if err != nil {
			return nil, err
		}
		out = append(out, cardItem{cardView: v, CSRF: s.csrf, Linked: true})
	}
	return out, nil
}

// maxLeftCards is how many referrals held by agencies that have left the
// network the inbox shows as cards; it counts them all.
const maxLeftCards = 50

// leftCards fills in the coordinator's cards of the referrals held by
// agencies that have left the network, each offering only what core lets
// the coordinator do with it (core.Actor.MayActHeldBy): Redirect… above
// all; its page's form also cancels.
func (b *Bot) leftCards(ctx context.Context, s session, v *inboxView) error {
	held, err := b.engine.ReferralsHeldByRetired(ctx, s.staff.Actor(), maxLeftCards)
	if err != nil {
		return err
	}
	v.LeftTotal, v.LeftAgencies = held.Total, held.Agencies
	by := s.staff.Actor()
	for _, r := range held.Referrals {
		cv, err := buildView(ctx, b.engine, r, KindAgency)
		if err != nil {
			return err
		}
		holder, err := b.engine.Agency(ctx, *r.ToAgencyID)
		if err != nil {
			return err
		}
		var keep []button
		for _, bt := range cv.Buttons {
			if bt != btnDetails && by.MayActHeldBy(r, holder, bt.action()) {
				keep = append(keep, bt)
			}
		}
		cv.Buttons = keep
		v.Left = append(v.Left, cardItem{cardView: cv, CSRF: s.csrf, Linked: true})
	}
	return nil
}

// failed shows the generic failure page for an unexpected error, logged
// without personal data.
func (b *Bot) failed(w http.ResponseWriter, s *session, err error) {
	b.log.Error("staff inbox", "err", err)
	var st *core.Staff
	csrf := ""
	if s != nil {
		st, csrf = &s.staff, s.csrf
	}
	b.message(w, http.StatusInternalServerError, st, csrf, sayWeb("web.failed.title", nil), sayWeb("web.failed", nil))
}

// refused shows what core said about a change that did not happen: why
// it was refused, or the generic failure for an unexpected error (logged).
func (b *Bot) refused(w http.ResponseWriter, r *http.Request, s session, err error) {
	status, title, msg := b.webAnswer(r.Context(), err)
	if status == http.StatusInternalServerError {
		b.failed(w, &s, err)
		return
	}
	b.message(w, status, &s.staff, s.csrf, title, msg)
}

// setCapacityForm handles the inbox's capacity form, as `/onward capacity`:
// marking the agency at capacity once confirmed (confirmingCapacity),
// taking referrals again at once.
func (b *Bot) setCapacityForm(w http.ResponseWriter, r *http.Request, s session) {
	on := r.PostFormValue("at_capacity") == "on"
	note := r.PostFormValue("note")
	answer := func(err error) {
		var invalid *core.ValidationError
		if errors.As(err, &invalid) && on {
			b.capacityNoteRefused(w, r, s, note, sentences(invalid))
			return
		}
		b.refused(w, r, s, err)
	}
	own := core.Agency{ID: s.staff.AgencyID, Name: s.staff.AgencyName}
	if !b.confirmingCapacity(w, r, s, own, on, note, answer) {
		return
	}
	was, err := b.setCapacity(r.Context(), s.staff, s.staff.AgencyID, on, note)
	if err != nil {
		answer(err)
		return
	}
	http.Redirect(w, r, "/staff/?done="+capacityDone("capacity", on, was), http.StatusSeeOther)
}
