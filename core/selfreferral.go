package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// SelfReferral is everything a client gave by text or web form. SMS and
// web call the same entry point, once, at the end of their conversation.
type SelfReferral struct {
	IdempotencyKey string        `validate:"required,max=200" label:"idempotency key"` // e.g. the SMS conversation id or web session id
	Client         ClientDetails `label:"client"`
	Needs          []Need        `validate:"required,min=1,max=11,dive,need" label:"needs"`
	Crisis         bool
	CrisisReasons  []string     `validate:"max=20,dive,max=200" label:"crisis reasons"`
	Consent        ConsentInput `label:"consent"`
	Source         Source       `validate:"required,oneof=sms web" label:"source"`
	LeafletCode    string       `validate:"max=16" label:"leaflet code"`
	ServiceID      ServiceID    // the service the client chose in the directory, if any
	ConfirmBySMS   bool         // text the reference to the client (web referrals): only ever to a proven phone
	// PhoneProven says the phone is the client's own: the text came from it
	// (Twilio's From), or a one-time code sent to it was typed back on the
	// web form. Only then do the details reach the shared client record kept
	// for that phone; otherwise they stay with this referral alone.
	PhoneProven bool
	// PhoneProofSession is the web form session in which a code texted to
	// the phone was typed back (SendPhoneCode, CheckPhoneCode); core checks
	// the proof itself.
	PhoneProofSession string
	// MessageSIDs are the Twilio MessageSids of the client's own texts in
	// the conversation that made the referral (SMS or WhatsApp; none for
	// the web form), kept against the client so that erasing them deletes
	// the texts at Twilio (client_texts.go). SIDs of another shape are
	// left out, and past MaxConversationTexts the rest.
	MessageSIDs []string
}

// SelfReferralResult says where the referral went.
type SelfReferralResult struct {
	Referral     Referral
	Agency       *Agency // nil when it waits in triage
	TriageReason string  // why a coordinator must choose, in plain words
	Match        Match
	Replayed     bool // the same idempotency key was seen before: nothing new was written
	PhoneProven  bool // the phone was proven, so the details reached the client's shared record (and any confirmation text was queued)
}

// SelfRefer records a self-referral in one transaction: the client (reused
// by phone hash), their consent, the referral (to the one clear match, or
// to triage for crisis and unclear cases), events and outbox rows.
// Calling it again with the same IdempotencyKey returns the first result.
func (e *Engine) SelfRefer(ctx context.Context, in SelfReferral) (SelfReferralResult, error) {
	in.Consent.Scope = ScopeNetwork
	client, cerr := normaliseClient(in.Client)
	if err := mergeValidation(validate(in), cerr, e.checkSelfReferral(in)); err != nil {
		return SelfReferralResult{}, err
	}
	if client.district == "" && client.Town != "" {
		// Named a town instead of a postcode: every channel places it the
		// same way, here.
		d, ok, err := e.DistrictForTown(ctx, client.Town)
		if err != nil {
			return SelfReferralResult{}, fmt.Errorf("self-referral: %w", err)
		}
		if ok {
			client.district = d.District
		}
	}
	if !in.PhoneProven && in.PhoneProofSession != "" && client.phone != "" {
		ok, err := e.phoneProven(ctx, client.phone, in.PhoneProofSession)
		if err != nil {
			return SelfReferralResult{}, fmt.Errorf("self-referral: %w", err)
		}
		in.PhoneProven = ok
	}
	// A replayed key is caught by the referral insert's ON CONFLICT, which
	// rolls the whole transaction back: no extra query on the hot path.
	notes := client.Notes
	client.Notes = "" // notes belong to this referral, not to the client for ever
	cal, err := e.calendar(ctx)
	if err != nil {
		return SelfReferralResult{}, err
	}

	districts, err := e.Districts(ctx)
	if err != nil {
		return SelfReferralResult{}, err
	}
	match := MatchQuery{Needs: in.Needs, District: client.district, Language: client.Language, SelfReferral: true}

	var res SelfReferralResult
	err = e.withRetry(ctx, func(tx pgx.Tx) error {
		now := e.clock.Now()
		res = SelfReferralResult{PhoneProven: in.PhoneProven && client.phone != ""}
		// The directory is read to route the referral in the round trip
		// that writes the client: neither waits for the other.
		ahead := &pgx.Batch{}
		queueSuggest(ahead, match, districts, &res.Match)
		if err := sendWithNext(ctx, tx, ahead); err != nil {
			return err
		}
		b := &pgx.Batch{}
		c, err := e.startClientReferral(ctx, tx, b, client, in.PhoneProven, in.Consent.WordingVersion, in.Consent.Language, now)
		if err != nil {
			return err
		}
		if res.Agency, res.TriageReason, err = e.route(ctx, tx, in, res.Match); err != nil {
			return err
		}
		n := newReferral{source: in.Source, leaflet: in.LeafletCode, needs: uniqueNeeds(in.Needs),
			district: client.district, crisis: in.Crisis, crisisReasons: in.CrisisReasons, triaged: res.Agency == nil,
			idempotency: in.IdempotencyKey}
		if res.Agency != nil {
			n.toAgency, n.ackDue = res.Agency.ID, ackDue(cal, now, *res.Agency, in.Crisis)
		}
		r, err := c.insert(ctx, tx, in.Consent, notes, n)
		if err != nil {
			return err
		}
		clientID, consentID := r.ClientID, r.ConsentID
		res.Referral = r
		// The evidence is the YES text's MessageSid: with it, anyone
		// holding the Twilio account reads the client's text. The audit
		// log can never be changed, so it keeps the evidence sealed under
		// the client's key, as a withdrawal's: erasing them shreds it.
		evidence, err := c.key.seal("events", "evidence_enc", withdrawalEvidenceAD(clientID), in.Consent.Evidence)
		if err != nil {
			return fmt.Errorf("seal consent evidence: %w", err)
		}
		e.queueClientEvent(b, newEvent{kind: EventConsentGiven, client: clientID, actor: ClientActor,
			data: eventData("consent_id", int64(consentID), "channel", string(in.Consent.Channel),
				"wording_version", in.Consent.WordingVersion, "evidence_enc", evidence, "scope", string(ScopeNetwork))}, c.fresh, now)
		queueClientTexts(b, clientID, in.MessageSIDs, now)
		e.queueCreated(b, r, res.Agency, ClientActor, cal, now, eventData("source", string(in.Source),
			"leaflet", r.LeafletCode, "triage_reason", res.TriageReason))
		if in.ConfirmBySMS && in.PhoneProven && client.phone != "" && Textable(client.phone) {
			ok := true
			if in.Source == SourceWeb {
				// The web form can name any number: cap what it can cause.
				if ok, err = e.AllowWebText(ctx, tx, e.crypt.PhoneHash(client.phone), now.In(cal.Location)); err != nil {
					return err
				}
			}
			if ok {
				// It answers the client's own request, so quiet hours do
				// not hold it back while it is fresh.
				// Its words follow where the referral went: from an area
				// no local service covers, a coordinator will look for
				// the right help (confirmationKind).
				m := smsMsg(r, confirmationKind(res), now)
				m.payload.Answers = true
				e.outbox.queue(b, m, now)
			}
		}
		return sendWithNext(ctx, tx, b)
	})
	if errors.Is(err, errReplayed) {
		r, gerr := getReferral(ctx, e.pool, "idempotency_key = $1", in.IdempotencyKey)
		if gerr != nil {
			return SelfReferralResult{}, fmt.Errorf("self-referral replay: %w", gerr)
		}
		return e.replayed(ctx, r)
	}
	if err != nil {
		return SelfReferralResult{}, fmt.Errorf("self-referral: %w", err)
	}
	e.wakeWorkers()
	return res, nil
}

// ContactProblems is the rule every way of referring a new client keeps
// (a self-referral, an adviser's, a partner system's): a phone number or
// an email address, or no adviser can get in touch; and email as the way
// to be contacted needs an email address. It names the field to mend
// (nil when there is a way in): for a form that lists it with its own
// problems, and for one that offers only the ways of contact it allows.
func ContactProblems(d ClientDetails) []FieldError {
	noEmail := strings.TrimSpace(d.Email) == ""
	switch {
	case strings.TrimSpace(d.Phone) == "" && noEmail:
		return []FieldError{{Field: "client.phone number", Message: "give a phone number or an email address so an adviser can get in touch"}}
	case d.PreferredContact == "email" && noEmail:
		return []FieldError{{Field: "client.email address", Message: "give an email address to be contacted by email, or choose another way to be contacted"}}
	}
	return nil
}

// checkContact is ContactProblems as a *ValidationError, or nil.
func checkContact(d ClientDetails) error {
	if fields := ContactProblems(d); len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return nil
}

func (e *Engine) checkSelfReferral(in SelfReferral) error {
	fields := ContactProblems(in.Client)
	if in.Consent.Channel != "" && string(in.Consent.Channel) != string(in.Source) {
		fields = append(fields, FieldError{Field: "consent.consent channel", Message: "consent must be given in the same way as the self-referral"})
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return nil
}

// route decides where a self-referral goes, given the directory's match:
// the chosen service's agency, the one clear match, or triage (with the
// reason).
func (e *Engine) route(ctx context.Context, tx pgx.Tx, in SelfReferral, m Match) (*Agency, string, error) {
	if in.Crisis {
		return nil, "crisis: a coordinator sees every crisis self-referral first", nil
	}
	if in.ServiceID != 0 {
		s, err := getService(ctx, tx, in.ServiceID)
		if errors.Is(err, ErrNotFound) {
			return nil, "", &ValidationError{Fields: []FieldError{{Field: "service", Message: "that service is not in the directory"}}}
		} else if err != nil {
			return nil, "", err
		}
		for _, sug := range m.Suggestions {
			if sug.Agency.ID == s.AgencyID {
				return &sug.Agency, "", nil
			}
		}
		return nil, "the service the client chose cannot take this referral now", nil
	}
	switch {
	case len(m.Suggestions) == 0:
		return nil, "no agency in the directory matches these needs and this area", nil
	case !m.Clear(in.Needs):
		return nil, "more than one agency could help: a coordinator chooses", nil
	}
	return &m.Suggestions[0].Agency, "", nil
}

func (e *Engine) replayed(ctx context.Context, r Referral) (SelfReferralResult, error) {
	res := SelfReferralResult{Referral: r, Replayed: true}
	if r.ToAgencyID != nil {
		a, err := e.Agency(ctx, *r.ToAgencyID)
		if err != nil {
			return res, err
		}
		res.Agency = &a
	}
	return res, nil
}

// StaffReferral is an adviser referring a client onward to another agency
// (`/refer` in Slack or the staff inbox), with the client's agreement
// confirmed by the adviser.
type StaffReferral struct {
	IdempotencyKey   string        `validate:"required,max=200" label:"idempotency key"`
	By               Actor         `validate:"-"`
	Client           ClientDetails `label:"client"`
	Needs            []Need        `validate:"required,min=1,max=11,dive,need" label:"needs"`
	ToAgency         AgencyID      `validate:"required" label:"receiving agency"`
	ConsentConfirmed bool          `validate:"required" label:"client's consent"`
	WordingVersion   string        `validate:"required" label:"consent wording version"`
	Crisis           bool
	CrisisReason     string `validate:"max=500,notcontrol" label:"why it is a crisis"`
	// ExistingClient is a client found by phone or reference (FindClient);
	// Parent is a referral the agency holds, from which the client is
	// referred on. Either way the stored details are used and Client may
	// be left empty.
	ExistingClient ClientID
	Parent         ReferralID
	// Scope is what the client agreed to: the receiving agency alone
	// (ScopeAgencies with no Agencies, the default), the agencies listed,
	// or the whole network. A receiving agency outside it is refused.
	Scope         ConsentScope `validate:"omitempty,oneof=network agencies" label:"who the client agreed may see their details"`
	ScopeAgencies []AgencyID
}

// StaffRefer records an adviser's referral: client, consent (scoped to the
// receiving agency, evidence the adviser), referral, events, outbox.
func (e *Engine) StaffRefer(ctx context.Context, in StaffReferral) (Referral, error) {
	existing, err := e.existingClient(ctx, &in)
	if err != nil {
		return Referral{}, err
	}
	client, verr := staffReferralProblems(in, existing == 0)
	if verr != nil {
		return Referral{}, verr
	}
	if in.ToAgency == in.By.AgencyID {
		return Referral{}, &ValidationError{Fields: []FieldError{{Field: "receiving agency", Message: "choose another agency: this is a referral between partners"}}}
	}
	return e.referToAgency(ctx, agencyReferral{key: in.IdempotencyKey, by: in.By, client: client, needs: in.Needs,
		toAgency: in.ToAgency, crisis: in.Crisis, crisisReason: in.CrisisReason, source: SourceStaff, fromStaff: in.By.StaffID,
		existing: existing, parent: in.Parent, wording: in.WordingVersion,
		consent: func(to Agency) ConsentInput {
			// The client agreed to the receiving agency alone unless the
			// adviser recorded a wider scope; a receiving agency outside
			// the scope is refused by referToAgency.
			scope, agencies := in.Scope, in.ScopeAgencies
			switch {
			case scope == ScopeNetwork:
				agencies = nil
			case len(agencies) == 0:
				scope, agencies = ScopeAgencies, []AgencyID{to.ID}
			default:
				scope = ScopeAgencies
			}
			return ConsentInput{Channel: ChannelStaff, Scope: scope,
				Agencies: agencies, StaffID: in.By.StaffID, Evidence: fmt.Sprintf("staff:%d", in.By.StaffID)}
		}})
}

// StaffReferralProblems is every problem StaffRefer would find in a
// referral for a new client (ExistingClient and Parent unset), as one
// *ValidationError naming each field, or nil; it reads and writes
// nothing. A channel that refuses a field by a rule of its own (Slack's
// shorter notes) names these beside its own in one answer, rather than
// one at a time.
func StaffReferralProblems(in StaffReferral) error {
	_, err := staffReferralProblems(in, true)
	return err
}

// staffReferralProblems checks in as StaffRefer does before it writes,
// and normalises its client. A client Onward has (found, or of the
// referral referred on from) keeps the details stored; a new one needs a
// way in.
func staffReferralProblems(in StaffReferral, newClient bool) (normalisedClient, error) {
	client, cerr := normaliseClient(in.Client)
	verr := mergeValidation(validate(in), cerr)
	var ve *ValidationError
	if errors.As(verr, &ve) {
		for i, f := range ve.Fields {
			if f.Field == "client's consent" {
				ve.Fields[i].Message = "confirm the client agreed to the consent wording shown"
			}
		}
	}
	if newClient {
		verr = mergeValidation(verr, checkContact(in.Client))
	}
	if in.By.Kind != ActorStaff || in.By.StaffID == 0 {
		verr = mergeValidation(verr, &ValidationError{Fields: []FieldError{{Field: "by", Message: "a referral between agencies must be made by a member of staff"}}})
	}
	return client, verr
}

// agencyReferral is a referral made for a client by someone acting for an
// agency (an adviser, or a partner system), after its own checks.
type agencyReferral struct {
	key      string
	by       Actor
	client   normalisedClient
	needs    []Need
	toAgency AgencyID
	crisis   bool
	// crisisReason is why the referrer judged it a crisis, for the receiver.
	crisisReason string
	source       Source
	fromStaff    StaffID
	// existing is a client Onward already has (found by phone or reference,
	// or the client of parent); 0 for a new one.
	existing ClientID
	// parent is the referral the client is referred on from, if any.
	parent ReferralID
	// wording is the version of the consent wording the client agreed to,
	// in the network's language.
	wording string
	// consent is the rest of the consent to record, once the receiving
	// agency is known.
	consent func(to Agency) ConsentInput
	// also queues more writes for the new referral in the batch that
	// carries its events, so they commit with it.
	also func(b *pgx.Batch, r Referral)
	// claim, if set, is the partner's case the referral is for: locked
	// before the referral is inserted and checked after (not for a replay
	// of its key); a case with a referral open makes nothing.
	claim *caseClaim
}

// referToAgency records a referral between agencies in one transaction:
// client, consent, referral, events and outbox rows. Staff (Slack, the
// staff web) and partner systems (the partner API, FHIR) end here.
func (e *Engine) referToAgency(ctx context.Context, in agencyReferral) (Referral, error) {
	client := in.client
	// Staff confirm the phone with the client in person, and a partner
	// system acts for an agency that did: the phone is theirs, but it may
	// be a family's shared one, so it reaches the record already kept for
	// it only when the names agree (writeClient).
	client.byReferrer = true
	notes := client.Notes
	client.Notes = ""
	if client.district == "" && client.Town != "" {
		if d, ok, err := e.DistrictForTown(ctx, client.Town); err != nil {
			return Referral{}, fmt.Errorf("referral to agency %d: %w", in.toAgency, err)
		} else if ok {
			client.district = d.District
		}
	}
	cal, err := e.calendar(ctx)
	if err != nil {
		return Referral{}, err
	}
	var out Referral
	var to Agency
	err = e.withRetry(ctx, func(tx pgx.Tx) error {
		now := e.clock.Now()
		b := &pgx.Batch{}
		var start clientReferral
		var err error
		if in.existing != 0 {
			to, err = getAgency(ctx, tx, "id = $1", in.toAgency)
		} else {
			// The receiving agency is read in the round trip that writes
			// the client: neither waits for the other.
			ahead := &pgx.Batch{}
			var toErr error
			queueAgency(ahead, in.toAgency, &to, &toErr)
			if err := sendWithNext(ctx, tx, ahead); err != nil {
				return err
			}
			if start, err = e.startClientReferral(ctx, tx, b, client, true, in.wording, "", now); err != nil {
				return err
			}
			err = toErr
		}
		switch {
		case errors.Is(err, ErrNotFound):
			return &ValidationError{Fields: []FieldError{{Field: "receiving agency", Message: "that agency does not exist"}}}
		case err != nil:
			return fmt.Errorf("receiving agency: %w", err)
		}
		if err := to.refuseRetired("receiving agency", cal.Location); err != nil {
			return err
		}
		consent := in.consent(to)
		consent.WordingVersion = in.wording
		if c := (Consent{Scope: consent.Scope, AgencyIDs: consent.Agencies}); !c.Covers(to.ID) {
			return &ConsentScopeError{Agency: to.Name}
		}
		n := newReferral{source: in.source, parent: in.parent,
			fromAgency: in.by.AgencyID, fromStaff: in.fromStaff, toAgency: to.ID, needs: uniqueNeeds(in.needs),
			district: client.district, crisis: in.crisis, idempotency: in.key,
			ackDue: ackDue(cal, now, to, in.crisis)}
		if reason := strings.TrimSpace(in.crisisReason); reason != "" {
			n.crisisReasons = []string{reason}
		}
		if in.claim != nil {
			if err := in.claim.lock(ctx, tx); err != nil {
				return err
			}
		}
		var r Referral
		if in.existing != 0 {
			r, err = e.insertExistingClientReferral(ctx, tx, in.existing, client, notes, consent, n, now)
		} else {
			r, err = start.insert(ctx, tx, consent, notes, n)
		}
		if err != nil {
			return err
		}
		if in.claim != nil {
			if err := in.claim.check(ctx, tx); err != nil {
				return err
			}
		}
		clientID, consentID := r.ClientID, r.ConsentID
		out = r
		given := eventData("consent_id", int64(consentID), "channel", string(consent.Channel), "wording_version", consent.WordingVersion,
			"scope", string(consent.Scope), "witness_staff_id", int64(consent.StaffID))
		if p := consent.Particulars; p != nil {
			// When and how, as the partner said: no personal data, so in
			// clear for the audit log. Who recorded and confirmed it is
			// free text, kept sealed on the consent alone.
			given["agreed_how"] = string(p.How)
			given["agreed_at"] = ""
			if p.AgreedAt != nil {
				given["agreed_at"] = p.AgreedAt.UTC().Format(time.RFC3339)
			}
		}
		e.queueClientEvent(b, newEvent{kind: EventConsentGiven, client: clientID, actor: in.by, data: given}, start.fresh, now)
		e.queueCreated(b, r, &to, in.by, cal, now, eventData("source", string(in.source)))
		if in.also != nil {
			in.also(b, r)
		}
		return sendWithNext(ctx, tx, b)
	})
	if errors.Is(err, errReplayed) {
		return getReferral(ctx, e.pool, "idempotency_key = $1", in.key)
	}
	var verr *ValidationError
	var cerr *ConsentScopeError
	var oerr *CaseOpenError
	if errors.As(err, &verr) || errors.As(err, &cerr) || errors.As(err, &oerr) {
		return Referral{}, err
	}
	if err != nil {
		name := to.Slug
		if name == "" {
			name = fmt.Sprintf("agency %d", in.toAgency)
		}
		return Referral{}, fmt.Errorf("referral to %s: %w", name, err)
	}
	e.wakeWorkers()
	return out, nil
}
