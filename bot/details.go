package bot

import (
	"context"

	"github.com/onward-network/onward/core"
)

// detailsView is what View details shows to the one person who asked:
// the client's details, the notes, and why the referral is a crisis (the
// reasons are personal data, so they are shown here, in the audited
// disclosure, and never on the card in channel history). Phone and
// Language are as staff read them: "07700 900123", "Polish".
type detailsView struct {
	Reference string
	Client    core.Client
	Notes     string
	Crisis    []string
	Phone     string
	Language  string // "" for English
	// Redirect is who redirected the referral to the agency and why, when
	// one did (core.RedirectOrigin): the why is about the client's case,
	// so Slack shows it here and not on the card.
	Redirect *core.RedirectOrigin
	// PartnerConsent is what the partner system that made the referral
	// said of the client's consent (when and how they agreed, who
	// recorded it there, who confirmed it with them); nil for a consent
	// given any other way.
	PartnerConsent *partnerConsentView
}

// partnerConsentView is a partner system's consent as staff read it,
// each particular "not given" when the partner did not say.
type partnerConsentView struct {
	When, How, RecordedBy, WitnessedBy string
}

// showDetails discloses the client's details through core (which checks
// the presser may see them and records the disclosure) and shows them
// ephemerally: never in channel history.
func (b *Bot) showDetails(ctx context.Context, p press) {
	staff, err := b.staffForSlack(ctx, p.to.user)
	if err != nil {
		b.ephemeral(ctx, p.to, b.slackReply(ctx, err).text)
		return
	}
	d, err := b.disclose(ctx, p.id, staff, "slack")
	if err != nil {
		b.ephemeral(ctx, p.to, b.slackReply(ctx, err).text)
		return
	}
	b.ephemeral(ctx, p.to, say("eph.details.text", d), sections(say("eph.details", d))...)
}

// disclose reads a referral's client details and notes for a member of
// staff, through core's audited disclosure.
func (b *Bot) disclose(ctx context.Context, id core.ReferralID, staff core.Staff, via string) (detailsView, error) {
	c, r, err := b.engine.DiscloseClient(ctx, id, staff.Actor(), via)
	if err != nil {
		return detailsView{}, err
	}
	notes, err := b.engine.ReferralNotes(ctx, r)
	if err != nil {
		return detailsView{}, err
	}
	d := detailsView{Reference: r.Reference, Client: c, Notes: notes, Phone: c.Phone.National()}
	if c.Language != "" && c.Language != "en" {
		d.Language = languageName(c.Language)
	}
	if o, ok, err := b.engine.RedirectOrigin(ctx, r); err != nil {
		return detailsView{}, err
	} else if ok {
		d.Redirect = &o
	}
	if d.PartnerConsent, err = b.partnerConsent(ctx, r); err != nil {
		return detailsView{}, err
	}
	if r.Crisis {
		// The reasons may have been given on an earlier referral of the
		// chain (a rejected self-referral back in triage): the story's
		// reading of them, as the referral's page shows.
		if d.Crisis, err = b.engine.ChainCrisisReasons(ctx, r.ID); err != nil {
			return detailsView{}, err
		}
	}
	return d, nil
}

// partnerConsent reads what a partner system said of the consent r was
// made under, or nil when a partner system did not give it.
func (b *Bot) partnerConsent(ctx context.Context, r core.Referral) (*partnerConsentView, error) {
	c, err := b.engine.Consent(ctx, r.ConsentID)
	if err != nil || c.Channel != core.ChannelAPI {
		return nil, err
	}
	p, err := b.engine.ConsentParticulars(ctx, c)
	if err != nil {
		return nil, err
	}
	return &partnerConsentView{When: p.AgreedAtWords(b.location(ctx)), How: p.HowWords(), RecordedBy: p.RecordedByWords(),
		WitnessedBy: p.WitnessedBy}, nil
}
