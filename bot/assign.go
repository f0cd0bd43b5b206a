package bot

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// submitAssign sends a triage referral to the agency a coordinator chose
// (a suggestion or any other agency);
// core posts its card to that agency's channel through the outbox. When
// that agency is marked at capacity, the modal stays open to say so
// (assignedFull): the assignment stands, and the coordinator can still
// send the referral elsewhere.
func (b *Bot) submitAssign(ctx context.Context, staff core.Staff, view slack.View) submitted {
	id, version, err := parseButtonValue(view.PrivateMetadata)
	if err != nil {
		return submitted{response: b.modalErrors(ctx, errBadButton, nil, blkAgency)}
	}
	agency, block := chosenAgency(view.State)
	res, err := b.engine.Act(ctx, core.TransitionRequest{
		Referral: id, Action: core.ActionAssign, Actor: staff.Actor(), ExpectedVersion: version,
		ToAgency: agency,
	})
	if err != nil {
		err = &referralError{id: id, err: err}
		return submitted{response: b.modalErrors(ctx, err, map[string]string{"agency": block}, block)}
	}
	full, err := b.assignedFull(ctx, res.Referral)
	if err != nil {
		// The referral is assigned; only the word on capacity is lost.
		b.log.Warn("capacity of the agency assigned", "referral", int64(res.Referral.ID), "err", err)
		return submitted{done: true}
	}
	if full == nil {
		return submitted{done: true}
	}
	done := slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: cbAssign + "_done",
		Title:      plainN(24, say("modal.assign.title", nil)),
		Close:      plainN(24, say("modal.assign.done.close", nil)),
		Blocks:     slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(mrkdwn(truncate(3000, say("modal.assign.full", full))), nil, nil)}},
	}
	return submitted{response: slack.NewUpdateViewSubmissionResponse(&done), done: true}
}

// assignedAtCapacity is what the confirmation of an assignment adds when
// the agency chosen is marked at capacity: the referral went there all
// the same (core routes to an agency at capacity when a coordinator
// chooses it), so the coordinator is told plainly, with how long it
// expects to be full (capacityMark: the date it published, its note),
// and where to send the referral elsewhere instead.
type assignedAtCapacity struct {
	Reference string
	Agency    string
	Mark      string // "at capacity until 12 June 2026: Waiting list of about six weeks"
	URL       string // the referral's page on the staff web, where it can be redirected
}

// assignedFull says whether the agency a referral was just assigned to is
// marked at capacity: nil when it is taking referrals.
func (b *Bot) assignedFull(ctx context.Context, r core.Referral) (*assignedAtCapacity, error) {
	if r.ToAgencyID == nil {
		return nil, nil
	}
	a, err := b.engine.Agency(ctx, *r.ToAgencyID)
	if err != nil {
		return nil, err
	}
	if !a.AtCapacity {
		return nil, nil
	}
	mark := strings.TrimRight(capacityMark(a), ". ") // the copy ends the sentence
	return &assignedAtCapacity{Reference: r.Reference, Agency: a.Name, Mark: mark, URL: b.referralPageURL(r.Reference)}, nil
}

// assignedShown is the inbox's word on capacity after an assignment made
// on the staff web (it redirects to /staff/?done=assign&ref=REFERENCE):
// nil unless the referral named is one the member of staff may see and
// its agency is at capacity. Failing to read it costs only that word.
func (b *Bot) assignedShown(ctx context.Context, s session, reference string) *assignedAtCapacity {
	r, err := b.engine.ReferralByReference(ctx, reference)
	if err != nil || !s.staff.Actor().MaySee(r) {
		return nil
	}
	full, err := b.assignedFull(ctx, r)
	if err != nil {
		b.log.Warn("capacity of the agency assigned", "referral", int64(r.ID), "err", err)
		return nil
	}
	return full
}
