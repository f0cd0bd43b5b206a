package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
)

// referralForm is what a referral page shows besides the card: an error
// from the last attempt and what was typed.
type referralForm struct {
	status int
	// title and err are the answer to a refused action or read
	// (webAnswer): the page's notice, or a page of their own when the
	// referral is not the viewer's to see.
	title  string
	err    string
	fields map[string]string
	values formValues
	// complete is the completion form as typed, when it came back.
	complete *completeForm
	// note is the completion note, read at its reader's asking
	// (showOutcomeNote).
	note string
	// again is a one-press action refused because the referral had moved
	// on (onePress): if that same action moved it, the page says it was
	// already done rather than that it failed.
	again core.Action
	// done is the confirmation the page shows, when it is shown in
	// answer to a form rather than after a redirect (?done=).
	done string
	// kept: the redirect or assign form comes back as it was before
	// recording new consent (recordConsent), and the page says so.
	kept bool
	// restored: the form of this action was sent after its session
	// ended, kept, and is shown again after signing in (keptForm), with
	// a notice saying so; typed says it held something to fill in.
	restored button
	typed    bool
}

// alreadyView is the notice for an action pressed again after it was
// done: the timeline's entry for it says what was done, by whom and when.
type alreadyView struct {
	Entry    core.TimelineEntry
	Now      time.Time
	Location *time.Location
}

// lastChange is the latest change of the referral's own story (not of
// the referrals before it), and whether it has one beyond its creation.
// What the story tells of the client rather than of a change to the
// referral (a new consent recorded on it, a crisis text) is passed over:
// a press that found the referral moved on is about the change.
func lastChange(tl []core.TimelineEntry, reference string) (core.TimelineEntry, bool) {
	for i := len(tl) - 1; i >= 0; i-- {
		if tl[i].Reference != reference || tl[i].Consent != nil || tl[i].Kind == core.EventCrisisAfterEnd {
			continue
		}
		return tl[i], tl[i].Action != ""
	}
	return core.TimelineEntry{}, false
}

// referralPage shows one referral's card with the reject, redirect or
// assign forms its status allows.
// A form of this page sent after its session ended comes back filled in,
// once, for the member of staff who sent it (restoreKeptForm).
func (b *Bot) referralPage(w http.ResponseWriter, r *http.Request, s session) {
	id, ok := b.referralFromPath(w, r, s)
	if !ok {
		return
	}
	f := referralForm{status: http.StatusOK}
	if k, ok := b.restoreKeptForm(w, r, s); ok {
		f = k.referralForm()
	}
	b.showReferral(w, r, s, id, f)
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
		b.message(w, f.status, &s.staff, s.csrf, f.title, f.err)
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
	// What the page offers depends on who is looking: core's rules say
	// what this person may do, and whether they may see the client.
	by := s.staff.Actor()
	disclosure, err := b.engine.Disclosure(ctx, ref, by)
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	mayDisclose := disclosure.May
	v.Buttons = webButtons(ref, kind, by, mayDisclose)
	left, whyRequired, err := b.leftNetwork(ctx, ref, by, &v)
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	item := cardItem{cardView: v, CSRF: s.csrf, WhyRequired: whyRequired}
	p := page{Staff: &s.staff, CSRF: s.csrf, Card: &item, Error: f.err, Form: f.values, Message: left, ConsentGone: disclosure.Withheld}
	if f.err != "" {
		// Refused as a whole: what was written goes back to its writer.
		p.Unsaved = f.values.Feedback
		if f.complete != nil && f.complete.Note != "" {
			p.Unsaved = f.complete.Note
		}
	}
	if d := r.URL.Query().Get("done"); (doneActions[d] || d == doneConsent || d == doneConsentAgain) && f.status == http.StatusOK {
		p.Done, p.DoneRef = d, ref.Reference
	}
	if f.done != "" {
		p.Done, p.DoneRef = f.done, ref.Reference
	}
	if p.Done == "referred" {
		// A referral made to an agency marked at capacity (core sends it
		// all the same): said, as an assignment there is.
		if full, err := b.assignedFull(ctx, ref); err == nil && full != nil {
			p.Message = strings.TrimSpace(fmt.Sprintf("%s is marked %s, so the client may wait longer there; to send them elsewhere instead, cancel it below and refer them again. %s",
				full.Agency, full.Mark, p.Message))
		}
	}
	if f.restored != "" {
		p.Restored = sayWeb("web.kept.restored", map[string]any{"Action": string(f.restored), "Typed": f.typed})
	}
	if f.kept {
		p.Message = strings.TrimSpace(p.Message + " " + sayWeb("web.consent.kept", consentVerb(ref)))
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
		fp := problem(field, msg)
		if p.Fields == nil {
			p.Fields = map[string]string{}
		}
		p.Fields[field] = fp.Message
		p.Errors = append(p.Errors, fp)
	}
	slices.SortStableFunc(p.Errors, func(a, b fieldProblem) int {
		if c := fieldRank(a.Field) - fieldRank(b.Field); c != 0 {
			return c
		}
		return strings.Compare(a.Field, b.Field)
	})
	// A completion is not undone into an open referral once the client's
	// details are withheld (core refuses it).
	p.Undo = ref.Allowed(core.ActionReopen) && ref.Undoable(b.clock.Now()) &&
		ref.ToAgencyID != nil && *ref.ToAgencyID == s.staff.AgencyID && !disclosure.Withheld
	p.CloseTriage = ref.InTriage() && s.staff.Actor().Coordinates() && ref.Allowed(core.ActionCancel)
	// Referring on copies the client's details into a new referral:
	// offered only to someone who may see them now (which the rule says
	// no one may once they are withheld).
	p.ReferOn = !ref.InTriage() && mayDisclose
	if p.Story, err = b.story(ctx, ref, v, by); err != nil {
		b.failed(w, &s, err)
		return
	}
	p.Story.Note = f.note
	if last, ok := lastChange(p.Story.Entries, ref.Reference); ok && f.again != "" && last.Action == f.again {
		// The same press again: what it asked for is done, so the page
		// says so, and nothing failed.
		p.Already = &alreadyView{Entry: last, Now: v.Now, Location: v.Location}
		p.Error, p.Unsaved = "", ""
	}
	if item.Has(string(btnRedirect)) || item.Has(string(btnAssign)) {
		if p.Choice, err = b.referralAgencyChoice(ctx, ref, item.Has(string(btnAssign)), by, f); err != nil {
			b.failed(w, &s, err)
			return
		}
	}
	b.renderPage(w, f.status, "referral", p)
}

// leftNetwork is, for a coordinator looking at an open referral whose
// agency has left the network, what the page says about it; and it adds
// Redirect and Cancel to the page's buttons when core lets them take
// those on it (core.Actor.MayActHeldBy, the rule Act enforces): nobody at
// that agency can act on it any more, and the holder's usual ways to
// close it (reject, could not contact, complete) would record something
// untrue. Redirecting refers the client on, and tells them, as any
// redirect does. whyRequired says the redirect needs the coordinator's
// words (core.Referral.WhyRequiredHeldBy).
func (b *Bot) leftNetwork(ctx context.Context, ref core.Referral, by core.Actor, v *cardView) (msg string, whyRequired bool, err error) {
	if !by.Coordinates() || !ref.Status.Open() || ref.ToAgencyID == nil || ref.InTriage() {
		return "", false, nil
	}
	a, err := b.engine.Agency(ctx, *ref.ToAgencyID)
	if err != nil || a.RetiredAt == nil {
		return "", false, err
	}
	for _, btn := range []button{btnRedirect, btnCancel} {
		if by.MayActHeldBy(ref, a, btn.action()) && !slices.Contains(v.Buttons, btn) {
			v.Buttons = append(v.Buttons, btn)
		}
	}
	left := a.Name + " has left the network, and its staff can no longer act on this referral. "
	if slices.Contains(v.Buttons, btnRedirect) {
		return left + "Redirect it below to an agency in the network, saying why: the client is referred on and told, " +
			"and the referrer reads why. If the client no longer needs help, cancel it, saying why.", ref.WhyRequiredHeldBy(a, core.ActionRedirect), nil
	}
	return left + "Cancel it below, saying why, and refer the client to another agency if they still need help.", false, nil
}

// referralAgencyChoice is the assign (triage) or redirect form's choice:
// the directory's suggestions and, when none fits or another is wanted,
// any agency but the one holding the referral. Core refuses an agency
// outside the client's consent, so the list says which those are, and
// the form says whom the consent covers and how to record more
// (consentNoteFor), in the words of that refusal.
func (b *Bot) referralAgencyChoice(ctx context.Context, ref core.Referral, assign bool, by core.Actor, f referralForm) (*agencyField, error) {
	var (
		m   core.Match
		err error
	)
	if assign {
		m, err = b.assignChoices(ctx, ref)
	} else {
		m, err = b.redirectChoices(ctx, ref, by)
	}
	if err != nil {
		return nil, err
	}
	consent, err := b.engine.Consent(ctx, ref.ConsentID)
	if err != nil {
		return nil, err
	}
	// Every agency core accepts is in the list of any other, the
	// referral's sender too (a redirect's suggestions leave it out).
	refused := func(id core.AgencyID) bool { return ref.ToAgencyID != nil && *ref.ToAgencyID == id }
	if !assign {
		refused = func(id core.AgencyID) bool { return core.RedirectRefusal(ref, by, id) != nil }
	}
	c, err := b.newAgencyField(ctx, &m, ref.PostcodeDistrict, f.values.Agency, refused, &consent)
	if err != nil {
		return nil, err
	}
	c.Error = sentence(f.fields["agency"])
	if c.Consent, err = b.consentNoteFor(ctx, ref, consent, by, f.values.Agency); err != nil {
		return nil, err
	}
	return &c, nil
}
