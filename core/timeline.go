package core

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// TimelineEntry is one thing that happened to a referral or to the
// referrals before it in its chain (a rejected self-referral's return to
// triage, a redirect, a refer-on): who did what, when, and why, as the
// viewer may read it (see Engine.Timeline).
type TimelineEntry struct {
	At time.Time
	// Reference is the referral of the chain it happened to; "" when the
	// viewer may not see that referral.
	Reference string
	Kind      EventKind
	Action    Action // for transitions
	From, To  Status
	// Actor is the member of staff, the partner system, "the client" or
	// "Onward"; on another agency's referral, the member of staff's role
	// and agency ("an adviser at Kirkton Citizens Advice"), not their name.
	Actor string
	// ActorAgency is the member of staff's (or partner system's) agency;
	// "" when Actor names it already.
	ActorAgency string
	Agency      string     // the agency it was sent, assigned or redirected to
	Reason      Reason     // a rejection's coded reason
	Feedback    string     // a rejection's, redirect's or cancellation's words
	Outcome     Outcome    // completion
	AdviceType  AdviceType // completion: the National Standards type of advice
	AdviceTopic string     // completion: the network's advice topic id
	Gain        Gain       // completion: the financial gain recorded
	Source      Source     // for creation
	Leaflet     string     // for creation
	Crisis      []string   // for creation: why it is a crisis
	Triage      string     // for creation: why it waits in triage
	// CarriedOn is set on the creation of a referral that carries the
	// client on from the one before it (a redirect, a rejected
	// self-referral's return to triage); FromParent is that referral's
	// reference, "" when the viewer may not see it.
	CarriedOn  bool
	FromParent string
	// CrisisWords, for a crisis text after the referral was made
	// (EventCrisisAfterEnd), are the kinds of its words ("self-harm",
	// "danger"), never the words; Alerted says whether staff were
	// alerted (not when alerted to the same kinds within the hour);
	// CrisisOptedOut that Onward could not reply, as the phone had opted
	// out of texts (CrisisAfterEnd.OptedOut).
	CrisisWords    string
	Alerted        bool
	CrisisOptedOut bool
	// NotContacted is the client's answer to the contact check
	// (AnswerContactCheck): nobody had contacted them yet.
	NotContacted bool
	// Consent is a wider consent recorded on the referral
	// (RecordWiderConsent): what the client agreed to, how and when.
	Consent *ConsentChange
}

// ChainLink is one referral of a chain with what the timeline and the
// triage choices need of it.
type ChainLink struct {
	Referral
	ToAgency string `db:"to_agency"`
}

var sqlChain = `
WITH RECURSIVE chain AS (
    SELECT id, parent_id, 0 AS depth FROM referrals WHERE id = $1
    UNION ALL
    SELECT r.id, r.parent_id, c.depth + 1 FROM referrals r JOIN chain c ON r.id = c.parent_id WHERE c.depth < 50
)
SELECT ` + referralColumnsR + `,
    coalesce(a.name, '') AS to_agency
FROM chain JOIN referrals r ON r.id = chain.id LEFT JOIN agencies a ON a.id = r.to_agency_id
ORDER BY chain.depth DESC`

// Chain returns a referral and those it came from, the first first.
func (e *Engine) Chain(ctx context.Context, id ReferralID) ([]ChainLink, error) {
	rows, _ := e.pool.Query(ctx, sqlChain, id)
	links, err := pgx.CollectRows(rows, pgx.RowToStructByName[ChainLink])
	if err != nil {
		return nil, fmt.Errorf("chain of referral %d: %w", id, err)
	}
	if len(links) == 0 {
		return nil, fmt.Errorf("chain of referral %d: %w", id, ErrNotFound)
	}
	return links, nil
}

// sqlTimelineEvents reads the events of a chain's referrals ($1) of the
// kinds a story is told with ($2), each with who did it (sqlEventActor).
const sqlTimelineEvents = `
SELECT ev.referral_id, ev.kind, ev.actor_kind,
       act.name AS actor, act.role AS actor_role, act.agency_id AS actor_agency_id, act.agency AS actor_agency,
       ev.from_status, ev.to_status, ev.data, ev.created_at,
       coalesce((SELECT name FROM agencies WHERE id = (ev.data->>'to_agency_id')::bigint), '') AS target
FROM events ev` + sqlEventActor + `
WHERE ev.referral_id = ANY($1)
  AND (ev.kind = ANY($2) OR (ev.kind = '` + string(EventOutcomeRecorded) + `' AND ev.data ? '` + contactCheckKey + `'))
ORDER BY ev.created_at, ev.id`

// timelineKinds are the events a referral's story is told with, and the
// client's answer to the contact check (an EventOutcomeRecorded whose
// data has contactCheckKey; their feedback is not in the story); views
// of the client's details and refusals stay in the audit log.
var timelineKinds = []string{string(EventCreated), string(EventTransition), string(EventAssigned), string(EventClaimed),
	string(EventCrisisAfterEnd), string(EventConsentGiven)}

// Timeline tells a referral's story from its events and those of the
// referrals before it, oldest first, as viewer may read it: in full on
// the referrals viewer may see on their own (Actor.MaySee: its agency
// holds or made them, or it coordinates; SystemActor for data protection),
// and on the others, as RedirectOrigin tells, only the agencies that acted
// and the words they gave for turning the client down (timeline_view.go).
func (e *Engine) Timeline(ctx context.Context, id ReferralID, viewer Actor) ([]TimelineEntry, error) {
	chain, err := e.Chain(ctx, id)
	if err != nil {
		return nil, err
	}
	byID := map[ReferralID]ChainLink{}
	byRef := map[string]ChainLink{}
	ids := make([]ReferralID, len(chain))
	for i, l := range chain {
		byID[l.ID], byRef[l.Reference], ids[i] = l, l, l.ID
	}
	crisis, err := e.chainCrisisReasons(ctx, chain)
	if err != nil {
		return nil, fmt.Errorf("timeline of referral %d: %w", id, err)
	}
	rows, err := e.pool.Query(ctx, sqlTimelineEvents, ids, timelineKinds)
	if err != nil {
		return nil, fmt.Errorf("timeline of referral %d: %w", id, err)
	}
	defer rows.Close()
	var out []TimelineEntry
	for rows.Next() {
		var (
			ref                ReferralID
			kind               EventKind
			actorKind          ActorKind
			actor, actorAgency string
			actorRole          Role
			actorAgencyID      AgencyID
			from, to           Status
			data               map[string]any
			at                 time.Time
			target             string
		)
		if err := rows.Scan(&ref, &kind, &actorKind, &actor, &actorRole, &actorAgencyID, &actorAgency, &from, &to, &data, &at, &target); err != nil {
			return nil, fmt.Errorf("timeline of referral %d: %w", id, err)
		}
		link := byID[ref]
		en := TimelineEntry{At: at, Reference: link.Reference, Kind: kind, From: from, To: to,
			Actor: actor, ActorAgency: actorAgency, Agency: target}
		switch actorKind {
		case ActorClient:
			en.Actor = "the client"
		case ActorSystem:
			en.Actor = "Onward"
		case ActorPartner:
			if en.Actor == "" {
				en.Actor = "a partner system"
			}
		default:
			if en.Actor == "" {
				en.Actor = "a former member of staff"
			}
		}
		str := func(k string) string { s, _ := data[k].(string); return s }
		en.Action, en.Reason, en.Outcome = Action(str("action")), Reason(str("reason")), Outcome(str("outcome"))
		en.AdviceType, en.AdviceTopic = AdviceType(str("advice_type")), str("advice_topic")
		for _, f := range GainFields {
			if p, ok := data[f.Key+"_pence"].(float64); ok {
				en.Gain.Set(f.Key, int64(p))
			}
		}
		switch kind {
		case EventCreated:
			en.Source, en.Leaflet, en.Triage = Source(str("source")), str("leaflet"), str("triage_reason")
			en.FromParent = str("from_parent")
			en.CarriedOn = en.FromParent != ""
			if en.Source == "" {
				en.Source = link.Source
			}
			en.Crisis = slices.Clone(crisis[ref])
			// Referrals made before the reasons were sealed on the
			// referral kept them in clear in this event.
			if list, ok := data["crisis_reasons"].([]any); ok {
				for _, x := range list {
					if s, ok := x.(string); ok {
						en.Crisis = append(en.Crisis, s)
					}
				}
			}
			if cr := str("crisis_reason"); cr != "" {
				en.Crisis = append(en.Crisis, cr)
			}
			if en.Agency == "" {
				en.Agency = link.ToAgency
				if link.AssignedAt != nil || link.Triaged {
					en.Agency = ""
				}
			}
		case EventCrisisAfterEnd:
			sh, _ := data["self_harm"].(bool)
			dg, _ := data["danger"].(bool)
			en.CrisisWords = CrisisWords(sh, dg)
			en.Alerted, _ = data["alerted"].(bool)
			en.CrisisOptedOut, _ = data["opted_out"].(bool)
		case EventConsentGiven:
			en.Consent = consentChangeOf(data, viewer.seesInFull(link))
		case EventOutcomeRecorded:
			en.NotContacted = str(contactCheckKey) != ""
		case EventTransition:
			// The words of a rejection or a cancellation are kept on the
			// referral, which that transition closed for good.
			if to == StatusRejected || to == StatusCancelled {
				en.Feedback = link.Feedback
			}
		}
		viewer.tell(&en, link, byRef, timelineActor{kind: actorKind, role: actorRole, agencyID: actorAgencyID, agency: actorAgency})
		out = append(out, en)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("timeline of referral %d: %w", id, err)
	}
	return out, nil
}

// TellRedirectsOnce is a story's entries with each redirect told once. A
// redirect is recorded twice, in one transaction: the transition closing
// the referral redirected (ActionRedirect, with the agency and why) and
// the creation of the referral it made (CarriedOn, at the same moment, to
// the same agency). Read as a story that is one thing, so the creation is
// left out and what it alone says (crisis reasons, why triage) is told on
// the redirect's line. A carried-on creation that follows anything else (a
// rejected self-referral's return to triage) is its own step, and stays.
func TellRedirectsOnce(tl []TimelineEntry) []TimelineEntry {
	out := make([]TimelineEntry, 0, len(tl))
	for _, en := range tl {
		if n := len(out); n > 0 && en.Kind == EventCreated && en.CarriedOn {
			prev := &out[n-1]
			if prev.Kind == EventTransition && prev.Action == ActionRedirect && prev.At.Equal(en.At) && prev.Agency == en.Agency {
				prev.Crisis = append(prev.Crisis, en.Crisis...)
				if prev.Triage == "" {
					prev.Triage = en.Triage
				}
				continue
			}
		}
		out = append(out, en)
	}
	return out
}

// ChainCrisisReasons are the reasons a referral's chain was made a crisis
// (CrisisReasons of its timeline). They are the client's circumstances,
// which every viewer's timeline carries alike, so no viewer is asked.
func (e *Engine) ChainCrisisReasons(ctx context.Context, id ReferralID) ([]string, error) {
	tl, err := e.Timeline(ctx, id, SystemActor)
	if err != nil {
		return nil, err
	}
	return CrisisReasons(tl), nil
}

// sqlConsentWithdrawnOf are those of a chain's referrals whose consent
// the client withdrew.
const sqlConsentWithdrawnOf = `
SELECT r.id FROM referrals r JOIN consents k ON k.id = r.consent_id
WHERE r.id = ANY($1) AND k.withdrawn_at IS NOT NULL`

// chainCrisisReasons opens the crisis reasons of a chain's referrals,
// reading each client's key once. The reasons are the client's
// circumstances, told to everyone who may see the referral while the
// client's consent stands; once the client withdrew it they are told to
// nobody (as their details are not), except in the client's own subject
// access export.
func (e *Engine) chainCrisisReasons(ctx context.Context, chain []ChainLink) (map[ReferralID][]string, error) {
	out := map[ReferralID][]string{}
	var crisis []ReferralID
	for _, l := range chain {
		if len(l.CrisisEnc) > 0 {
			crisis = append(crisis, l.ID)
		}
	}
	if len(crisis) == 0 {
		return out, nil
	}
	rows, _ := e.pool.Query(ctx, sqlConsentWithdrawnOf, crisis)
	withdrawn, err := pgx.CollectRows(rows, pgx.RowTo[ReferralID])
	if err != nil {
		return nil, fmt.Errorf("crisis reasons: whose consent was withdrawn: %w", err)
	}
	keys := map[ClientID]clientKey{}
	for _, l := range chain {
		if len(l.CrisisEnc) == 0 || slices.Contains(withdrawn, l.ID) {
			continue
		}
		k, ok := keys[l.ClientID]
		if !ok {
			var err error
			if k, err = e.clientKeyOf(ctx, e.pool, l.ClientID); err != nil {
				return nil, err
			}
			keys[l.ClientID] = k
		}
		reasons, err := openCrisisReasons(k, l.Referral)
		if err != nil {
			return nil, err
		}
		out[l.ID] = reasons
	}
	return out, nil
}

// CrisisReasons are the reasons a referral's chain was made a crisis, as
// recorded when it was made.
func CrisisReasons(tl []TimelineEntry) []string {
	var out []string
	for _, en := range tl {
		if en.Kind == EventCreated {
			for _, c := range en.Crisis {
				if !slices.Contains(out, c) {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// crisisNeedWords are words in a crisis reason that name a need the
// client has today, beside those they chose.
var crisisNeedWords = []struct {
	word string
	need Need
}{
	{"food", NeedFood}, {"hungry", NeedFood}, {"eat", NeedFood},
	{"heating", NeedFuel}, {"fuel", NeedFuel}, {"gas", NeedFuel}, {"electric", NeedFuel},
	{"home", NeedHousing}, {"evict", NeedHousing}, {"homeless", NeedHousing},
}

// CrisisNeeds adds to needs what the crisis reasons say the client lacks
// today (no food today: food), so matching suggests help for it too.
func CrisisNeeds(needs []Need, reasons []string) []Need {
	out := append([]Need(nil), needs...)
	for _, r := range reasons {
		r = strings.ToLower(r)
		for _, w := range crisisNeedWords {
			if strings.Contains(r, w.word) && !slices.Contains(out, w.need) {
				out = append(out, w.need)
			}
		}
	}
	return out
}

// ClientTown is the town a client gave and their postcode district, both
// kept in clear: they place a referral without identifying anyone.
func (e *Engine) ClientTown(ctx context.Context, id ClientID) (town, district string, err error) {
	if err := e.pool.QueryRow(ctx, `SELECT town, postcode_district FROM clients WHERE id = $1`, id).Scan(&town, &district); err != nil {
		return "", "", fmt.Errorf("town of client %d: %w", id, err)
	}
	return town, district, nil
}
