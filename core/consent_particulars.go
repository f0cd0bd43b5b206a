package core

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// A client who agrees by text or on the web leaves Onward its own record
// of when and how (the message, the form). A partner system's consent is
// the partner's word: this file keeps what it says of when the client
// agreed, how, who recorded it there and who confirmed it with the
// client, the free text sealed under the client's key as the rest of
// their details are. A partner integrated before these were asked for
// may leave out when, how and who recorded it: each is then kept as not
// said, and shown as "not given".

// MaxPartnerConsentAge is how long before a referral a partner system's
// client may have agreed: a year. Consent older than that may no longer
// say what the client wants, and the network's retention (months after a
// client's last referral closed) is no bound a partner can know, so the
// partner asks the client again.
const MaxPartnerConsentAge = 365 * 24 * time.Hour

// ConsentParticulars are when and how a client gave a consent a partner
// system recorded, who recorded it there and who confirmed it with the
// client, as the partner said. A zero field was not said.
type ConsentParticulars struct {
	// AgreedAt is when the client agreed; nil when the partner did not say.
	AgreedAt *time.Time
	// How is how they agreed, one of PartnerConsentHows; "" when not said.
	How ConsentHow
	// RecordedBy is who recorded the consent at the partner, a name or a
	// role; "" when not said.
	RecordedBy string
	// WitnessedBy is who confirmed the consent with the client
	// (consent.witnessed_by), which every partner consent names; "" once
	// the client is erased.
	WitnessedBy string
}

// NotGiven is what a consent's particulars say in place of one the
// partner left out.
const NotGiven = "not given"

// HowWords says how the client agreed ("by phone"), or NotGiven.
func (p ConsentParticulars) HowWords() string {
	if p.How == "" {
		return NotGiven
	}
	return p.How.Label()
}

// RecordedByWords says who recorded the consent at the partner, or
// NotGiven.
func (p ConsentParticulars) RecordedByWords() string {
	if p.RecordedBy == "" {
		return NotGiven
	}
	return p.RecordedBy
}

// AgreedAtWords says when the client agreed, in loc ("09:40 on 23
// November 2026"), or NotGiven.
func (p ConsentParticulars) AgreedAtWords(loc *time.Location) string {
	if p.AgreedAt == nil {
		return NotGiven
	}
	if loc == nil {
		loc = time.UTC
	}
	return p.AgreedAt.In(loc).Format("15:04 on 2 January 2006")
}

// checkPartnerConsent names every problem with what a partner system said
// of when and how its client agreed and who recorded it.
func checkPartnerConsent(c PartnerConsent, now time.Time) []FieldError {
	var fields []FieldError
	if c.GivenAt != nil {
		switch at := c.GivenAt.UTC().Format(time.RFC3339); {
		case c.GivenAt.After(now.Add(consentGivenSlack)):
			fields = append(fields, FieldError{Field: "consent.given_at", Message: fmt.Sprintf(
				"%s is in the future: say when the client gave their consent", at)})
		case c.GivenAt.Before(now.Add(-MaxPartnerConsentAge)):
			fields = append(fields, FieldError{Field: "consent.given_at", Message: fmt.Sprintf(
				"%s is more than a year ago: consent that old is not taken; ask the client again, and send when they agreed", at)})
		}
	}
	if c.How != "" && !slices.ContainsFunc(PartnerConsentHows(), func(h Choice) bool { return h.Code == string(c.How) }) {
		var codes []string
		for _, h := range PartnerConsentHows() {
			codes = append(codes, h.Code)
		}
		fields = append(fields, FieldError{Field: "consent.method", Message: fmt.Sprintf(
			"%q is not a way Onward records how a client agreed; use one of %s", c.How, strings.Join(codes, ", "))})
	}
	if c.RecordedBy != "" && strings.TrimSpace(c.RecordedBy) == "" {
		fields = append(fields, FieldError{Field: "consent.recorded_by", Message: "only spaces name nobody: name who recorded the consent (a name or a role), or leave it out"})
	}
	return fields
}

// partnerParticulars is what a partner's consent records of itself.
func partnerParticulars(c PartnerConsent) *ConsentParticulars {
	p := &ConsentParticulars{How: c.How, RecordedBy: strings.TrimSpace(c.RecordedBy), WitnessedBy: strings.TrimSpace(c.WitnessedBy)}
	if c.GivenAt != nil {
		at := c.GivenAt.UTC()
		p.AgreedAt = &at
	}
	return p
}

// sealedParticulars are a consent's particulars as its row keeps them.
type sealedParticulars struct {
	agreedAt      *time.Time
	how           *string
	recordedByEnc []byte
	evidenceEnc   []byte
}

// sealParticulars seals p's free text under the client's key k, bound to
// the client (a consent's id is not known until it is written).
func sealParticulars(k clientKey, p *ConsentParticulars) (sealedParticulars, error) {
	if p == nil {
		return sealedParticulars{}, nil
	}
	s := sealedParticulars{agreedAt: p.AgreedAt}
	if p.How != "" {
		how := string(p.How)
		s.how = &how
	}
	var err error
	if s.recordedByEnc, err = k.seal("consents", "recorded_by_enc", k.client, p.RecordedBy); err != nil {
		return sealedParticulars{}, fmt.Errorf("seal who recorded the consent: %w", err)
	}
	if s.evidenceEnc, err = k.seal("consents", "evidence_enc", k.client, p.WitnessedBy); err != nil {
		return sealedParticulars{}, fmt.Errorf("seal consent evidence: %w", err)
	}
	return s, nil
}

// partnerWitnessed is what stood between a partner system's id and the
// name of who confirmed the consent with the client in the evidence of a
// consent recorded before that name was sealed ("partner:7 witnessed by
// Isla Moffat").
const partnerWitnessed = " witnessed by "

// ConsentParticulars opens what a partner system said of a consent it
// gave (ConsentParticulars). A consent given on another channel has
// none: the zero value. An erased client's free text is gone with their
// key, so it reads as not said; when and how stay.
func (e *Engine) ConsentParticulars(ctx context.Context, c Consent) (ConsentParticulars, error) {
	if c.Channel != ChannelAPI {
		return ConsentParticulars{}, nil
	}
	p := ConsentParticulars{AgreedAt: c.AgreedAt, How: c.How}
	if p.AgreedAt != nil {
		at := p.AgreedAt.UTC()
		p.AgreedAt = &at
	}
	if len(c.EvidenceEnc) == 0 && len(c.RecordedByEnc) == 0 {
		// Recorded before the evidence was sealed, and not sealed yet
		// (SealPartnerEvidence): the name is in the evidence.
		_, p.WitnessedBy, _ = strings.Cut(c.Evidence, partnerWitnessed)
		return p, nil
	}
	k, err := e.clientKeyOf(ctx, e.pool, c.ClientID)
	if err != nil {
		return ConsentParticulars{}, fmt.Errorf("consent %d: %w", c.ID, err)
	}
	if k.erased {
		return p, nil
	}
	if p.WitnessedBy, err = k.open("consents", "evidence_enc", c.ClientID, "", c.EvidenceEnc); err != nil {
		return ConsentParticulars{}, fmt.Errorf("consent %d: %w", c.ID, err)
	}
	if p.RecordedBy, err = k.open("consents", "recorded_by_enc", c.ClientID, "", c.RecordedByEnc); err != nil {
		return ConsentParticulars{}, fmt.Errorf("consent %d: %w", c.ID, err)
	}
	return p, nil
}

const (
	// sqlClearPartnerEvidence finds partner consents whose evidence still
	// holds who confirmed them in clear, a batch at a time.
	sqlClearPartnerEvidence = `
SELECT id, client_id, evidence FROM consents
WHERE channel = 'api' AND evidence LIKE 'partner:%' AND position(' witnessed by ' IN evidence) > 0
ORDER BY id LIMIT 200`
	sqlSealPartnerEvidence = `UPDATE consents SET evidence = $2, evidence_enc = $3 WHERE id = $1 AND evidence = $4`
)

// SealPartnerEvidence seals the free text of every partner consent
// recorded before it was sealed (migration 049): who confirmed it with
// the client moves from evidence, in clear, to evidence_enc under the
// client's key, and evidence keeps "partner:<id>". Only the application
// holds the keys, so serve and the worker run it as they start, after
// the keys are checked; it is quick when there is nothing left to seal.
// An erased client's evidence was cleared with them. It returns how many
// consents it sealed.
func (e *Engine) SealPartnerEvidence(ctx context.Context) (int, error) {
	sealed := 0
	for {
		rows, _ := e.pool.Query(ctx, sqlClearPartnerEvidence)
		type clear struct {
			id       ConsentID
			client   ClientID
			evidence string
		}
		batch, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (clear, error) {
			var c clear
			err := row.Scan(&c.id, &c.client, &c.evidence)
			return c, err
		})
		if err != nil {
			return sealed, fmt.Errorf("seal partner consent evidence: %w", err)
		}
		if len(batch) == 0 {
			return sealed, nil
		}
		for _, c := range batch {
			err := inTx(ctx, e.pool, func(tx pgx.Tx) error {
				k, err := e.writableClientKey(ctx, tx, c.client)
				if err != nil {
					return err
				}
				partner, witness, _ := strings.Cut(c.evidence, partnerWitnessed)
				var enc []byte
				if !k.erased {
					if enc, err = k.seal("consents", "evidence_enc", c.client, witness); err != nil {
						return err
					}
				}
				_, err = tx.Exec(ctx, sqlSealPartnerEvidence, c.id, partner, enc, c.evidence)
				return err
			})
			if err != nil {
				return sealed, fmt.Errorf("seal evidence of consent %d: %w", c.id, err)
			}
			sealed++
		}
	}
}
