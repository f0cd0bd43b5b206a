package core

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
	ConfirmBySMS   bool         // text the reference to the client (web referrals)
}

// SelfReferralResult says where the referral went.
type SelfReferralResult struct {
	Referral     Referral
	Agency       *Agency // nil when it waits in triage
	TriageReason string  // why a coordinator must choose, in plain words
	Match        Match
	Replayed     bool // the same idempotency key was seen before: nothing new was written
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
	// A replayed key is caught by the referral insert's ON CONFLICT, which
	// rolls the whole transaction back: no extra query on the hot path.
	notes := client.Notes
	client.Notes = "" // notes belong to this referral, not to the client for ever
	cal, err := e.calendar(ctx)
	if err != nil {
		return SelfReferralResult{}, err
	}

	res := SelfReferralResult{}
	res.Match, res.Agency, res.TriageReason, err = e.route(ctx, in, client.district)
	if err != nil {
		return SelfReferralResult{}, err
	}

	err = e.withRetry(ctx, func(tx pgx.Tx) error {
		now := e.clock.Now()
		notesEnc, err := e.crypt.Encrypt("referral.notes", notes)
		if err != nil {
			return err
		}
		n := newReferral{source: in.Source, leaflet: in.LeafletCode, needs: uniqueNeeds(in.Needs),
			district: client.district, crisis: in.Crisis, triaged: res.Agency == nil, notesEnc: notesEnc,
			idempotency: in.IdempotencyKey}
		if res.Agency != nil {
			n.toAgency, n.ackDue = res.Agency.ID, ackDue(cal, now, *res.Agency, in.Crisis)
		}
		r, err := e.insertClientReferral(ctx, tx, client, in.Consent, n, now)
		if err != nil {
			return err
		}
		clientID, consentID := r.ClientID, r.ConsentID
		res.Referral = r
		b := &pgx.Batch{}
		e.queueEvent(b, newEvent{kind: EventConsentGiven, client: clientID, actor: ClientActor,
			data: eventData("consent_id", int64(consentID), "channel", string(in.Consent.Channel),
				"wording_version", in.Consent.WordingVersion, "evidence", in.Consent.Evidence, "scope", string(ScopeNetwork))}, now)
		e.queueCreated(b, r, res.Agency, ClientActor, cal, now, eventData("source", string(in.Source),
			"leaflet", r.LeafletCode, "crisis_reasons", in.CrisisReasons, "triage_reason", res.TriageReason))
		if in.ConfirmBySMS && client.phone != "" {
			e.outbox.queue(b, smsMsg(r, SMSConfirmation, now), now)
		}
		return sendBatch(ctx, tx, b)
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

func (e *Engine) checkSelfReferral(in SelfReferral) error {
	var fields []FieldError
	if strings.TrimSpace(in.Client.Phone) == "" && strings.TrimSpace(in.Client.Email) == "" {
		fields = append(fields, FieldError{Field: "client.phone number", Message: "give a phone number or an email address so an adviser can get in touch"})
	}
	if in.Consent.Channel != "" && string(in.Consent.Channel) != string(in.Source) {
		fields = append(fields, FieldError{Field: "consent.consent channel", Message: "consent must be given in the same way as the self-referral"})
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return nil
}

// route decides where a self-referral goes: the chosen service's agency,
// the one clear match, or triage (with the reason).
func (e *Engine) route(ctx context.Context, in SelfReferral, district string) (Match, *Agency, string, error) {
	districts, err := e.Districts(ctx)
	if err != nil {
		return Match{}, nil, "", err
	}
	m, err := e.suggest(ctx, e.pool, MatchQuery{Needs: in.Needs, District: district, Language: in.Client.Language, SelfReferral: true}, districts)
	if err != nil {
		return m, nil, "", err
	}
	if in.Crisis {
		return m, nil, "crisis: a coordinator sees every crisis self-referral first", nil
	}
	if in.ServiceID != 0 {
		s, err := e.Service(ctx, in.ServiceID)
		if err != nil {
			return m, nil, "", &ValidationError{Fields: []FieldError{{Field: "service", Message: "that service is not in the directory"}}}
		}
		for _, sug := range m.Suggestions {
			if sug.Agency.ID == s.AgencyID {
				return m, &sug.Agency, "", nil
			}
		}
		return m, nil, "the service the client chose cannot take this referral now", nil
	}
	switch {
	case len(m.Suggestions) == 0:
		return m, nil, "no agency in the directory matches these needs and this area", nil
	case !m.Clear(in.Needs):
		return m, nil, "more than one agency could help: a coordinator chooses", nil
	}
	return m, &m.Suggestions[0].Agency, "", nil
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
}

// StaffRefer records an adviser's referral: client, consent (scoped to the
// receiving agency, evidence the adviser), referral, events, outbox.
func (e *Engine) StaffRefer(ctx context.Context, in StaffReferral) (Referral, error) {
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
	if in.By.Kind != ActorStaff || in.By.StaffID == 0 {
		verr = mergeValidation(verr, &ValidationError{Fields: []FieldError{{Field: "by", Message: "a referral between agencies must be made by a member of staff"}}})
	}
	if verr != nil {
		return Referral{}, verr
	}
	if in.ToAgency == in.By.AgencyID {
		return Referral{}, &ValidationError{Fields: []FieldError{{Field: "receiving agency", Message: "choose another agency: this is a referral between partners"}}}
	}
	notes := client.Notes
	client.Notes = ""
	to, err := e.Agency(ctx, in.ToAgency)
	if errors.Is(err, ErrNotFound) {
		return Referral{}, &ValidationError{Fields: []FieldError{{Field: "receiving agency", Message: "that agency does not exist"}}}
	} else if err != nil {
		return Referral{}, err
	}
	cal, err := e.calendar(ctx)
	if err != nil {
		return Referral{}, err
	}
	var out Referral
	err = e.withRetry(ctx, func(tx pgx.Tx) error {
		now := e.clock.Now()
		consent := ConsentInput{WordingVersion: in.WordingVersion, Channel: ChannelStaff, Scope: ScopeAgencies,
			Agencies: []AgencyID{to.ID}, StaffID: in.By.StaffID, Evidence: fmt.Sprintf("staff:%d", in.By.StaffID)}
		notesEnc, err := e.crypt.Encrypt("referral.notes", notes)
		if err != nil {
			return err
		}
		r, err := e.insertClientReferral(ctx, tx, client, consent, newReferral{source: SourceStaff,
			fromAgency: in.By.AgencyID, fromStaff: in.By.StaffID, toAgency: to.ID, needs: uniqueNeeds(in.Needs),
			district: client.district, crisis: in.Crisis, notesEnc: notesEnc, idempotency: in.IdempotencyKey,
			ackDue: ackDue(cal, now, to, in.Crisis)}, now)
		if err != nil {
			return err
		}
		clientID, consentID := r.ClientID, r.ConsentID
		out = r
		b := &pgx.Batch{}
		e.queueEvent(b, newEvent{kind: EventConsentGiven, client: clientID, actor: in.By,
			data: eventData("consent_id", int64(consentID), "channel", string(ChannelStaff), "wording_version", in.WordingVersion,
				"scope", string(ScopeAgencies))}, now)
		e.queueCreated(b, r, &to, in.By, cal, now, eventData("source", string(SourceStaff)))
		return sendBatch(ctx, tx, b)
	})
	if errors.Is(err, errReplayed) {
		return getReferral(ctx, e.pool, "idempotency_key = $1", in.IdempotencyKey)
	}
	if err != nil {
		return Referral{}, fmt.Errorf("staff referral: %w", err)
	}
	e.wakeWorkers()
	return out, nil
}
