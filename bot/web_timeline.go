package bot

import (
	"context"
	"time"

	"github.com/onward-network/onward/core"
)

// storyView is what a referral's page tells beside its card: why it is a
// crisis, where the client said they live, how it came in, and everything
// that happened to it and to the referrals before it.
type storyView struct {
	Reference string
	Crisis    []string
	Town      string
	District  string
	Source    core.Source
	Leaflet   string
	FirstAt   time.Time // when the client first asked, when the chain is longer than this referral
	Entries   []core.TimelineEntry
	// CarriedOn are the referrals made from this one that the viewer may
	// see, each with how it stands now (core.Engine.CarriedOnFrom).
	CarriedOn []core.CarriedOn
	Outcome   string
	// What completion recorded, in words: the advice type and topic, and
	// each amount of financial gain.
	AdviceType  string
	AdviceTopic string
	Gains       []gainInput
	// NoteOffered: completion left a note the viewer may read
	// (core.Actor.MayReadOutcomeNote), behind a button, since reading
	// it is recorded; Note is the note once they asked (outcome_note.go).
	NoteOffered bool
	Note        string
	Now         time.Time
	Location    *time.Location
}

// story reads a referral's story for its page as core tells it to the
// viewer (core.Engine.Timeline): of referrals before it the viewer may
// not see, the agencies that acted and why, not who or the references.
func (b *Bot) story(ctx context.Context, r core.Referral, v cardView, viewer core.Actor) (*storyView, error) {
	tl, err := b.engine.Timeline(ctx, r.ID, viewer)
	if err != nil {
		return nil, err
	}
	town, district, err := b.engine.ClientTown(ctx, r.ClientID)
	if err != nil {
		return nil, err
	}
	st := &storyView{Reference: r.Reference, Crisis: core.CrisisReasons(tl), Town: town, District: r.PostcodeDistrict,
		Source: r.Source, Leaflet: r.LeafletCode, Entries: core.TellRedirectsOnce(tl), Now: v.Now, Location: v.Location}
	if st.District == "" {
		st.District = district
	}
	if st.CarriedOn, err = b.engine.CarriedOnFrom(ctx, r.ID, viewer); err != nil {
		return nil, err
	}
	if len(tl) > 0 && tl[0].Reference != r.Reference {
		st.FirstAt = tl[0].At
	}
	if r.Outcome != nil {
		n, err := b.engine.Network(ctx)
		if err != nil {
			return nil, err
		}
		st.Outcome = n.OutcomeLabel(*r.Outcome)
		if len(r.OutcomeNoteEnc) > 0 {
			if st.NoteOffered, _, err = b.engine.OutcomeNoteReadable(ctx, r, viewer); err != nil {
				return nil, err
			}
		}
		if r.AdviceType != nil {
			st.AdviceType = r.AdviceType.Label()
		}
		if r.AdviceTopic != nil {
			st.AdviceTopic = n.AdviceTopicLabel(*r.AdviceTopic)
		}
		g := r.Gain()
		for _, f := range core.GainFields {
			if p := g.Get(f.Key); p != 0 {
				st.Gains = append(st.Gains, gainInput{Key: f.Key, Label: f.Label, Value: core.FormatPounds(p)})
			}
		}
	}
	return st, nil
}

// rejectedBefore lists the agencies that turned down an earlier referral
// of the chain, with why, so triage offers them last and says so.
func (b *Bot) rejectedBefore(ctx context.Context, r core.Referral) (map[core.AgencyID]core.MatchReason, error) {
	chain, err := b.engine.Chain(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	out := map[core.AgencyID]core.MatchReason{}
	for _, l := range chain {
		if l.ID == r.ID || l.ToAgencyID == nil || l.Status != core.StatusRejected || l.Reason == nil || *l.Reason == core.ReasonRedirected {
			continue
		}
		out[*l.ToAgencyID] = core.MatchReason{Kind: core.WhyRejectedBefore, Reference: l.Reference, Rejection: *l.Reason, Feedback: l.Feedback}
	}
	return out, nil
}
