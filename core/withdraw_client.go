package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// A client withdraws consent themselves on the web page reached from their
// reference: they type the reference and their phone, prove the phone with
// a one-time code texted to it, and confirm. The page must not tell anyone
// whether a reference exists or which phone it belongs to, so a code is
// texted only when the phone is the one the referral was made with, and
// the caller is answered the same way whether or not it was.

// SendWithdrawalCode texts a one-time code to phone when it is the phone
// given with the referral named by reference (or the phone proven for its
// client). It returns nil both when it sent a code and when it did not
// (no such reference, another phone, already erased, or the number's codes
// for the day used up); only a phone that does not parse is an error.
// session is the web session's own id and language the page's, as for
// SendPhoneCode.
func (e *Engine) SendWithdrawalCode(ctx context.Context, reference, phone, session, language string) error {
	p, err := ParsePhone(phone)
	if err != nil {
		return &ValidationError{Fields: []FieldError{{Field: "phone", Message: "phone number: " + err.Error()}}}
	}
	ok, err := e.referenceHasPhone(ctx, reference, p)
	if err != nil || !ok {
		return err
	}
	err = e.SendPhoneCode(ctx, string(p), session, language)
	if errors.Is(err, ErrPhoneCodeLimit) {
		return nil // said the same way as a mismatch: see above
	}
	return err
}

// WithdrawByClient records a withdrawal the client made themselves, once
// the code texted by SendWithdrawalCode is typed back in the same session.
// A wrong code, another phone and an unknown reference all answer
// ErrPhoneCodeWrong. Consent already withdrawn is not an error: the client
// sees the same confirmation.
func (e *Engine) WithdrawByClient(ctx context.Context, reference, phone, session, code, evidence string) (WithdrawalResult, error) {
	p, err := ParsePhone(phone)
	if err != nil {
		return WithdrawalResult{}, ErrPhoneCodeWrong
	}
	if err := e.CheckPhoneCode(ctx, string(p), session, code); err != nil {
		return WithdrawalResult{}, err
	}
	ok, err := e.referenceHasPhone(ctx, reference, p)
	if err != nil {
		return WithdrawalResult{}, err
	}
	if !ok {
		return WithdrawalResult{}, ErrPhoneCodeWrong
	}
	res, err := e.withdrawByReference(ctx, reference, ClientActor, "web", evidence, p)
	if errors.Is(err, ErrConsentWithdrawn) {
		return res, nil
	}
	return res, err
}

// referenceHasPhone reports whether p is the phone given with the referral
// called reference, or the proven phone of its client. Unknown references
// and erased clients report false, and so does the phone given with the
// referral once it has passed to someone else (Client.PhonePassedOn): its
// new holder, with a reference found in an old text, is not the client.
func (e *Engine) referenceHasPhone(ctx context.Context, reference string, p Phone) (bool, error) {
	reference = strings.ToUpper(strings.TrimSpace(reference))
	if reference == "" || len(reference) > 40 {
		return false, nil
	}
	client, r, err := e.ClientByReference(ctx, reference)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("withdrawal by the client: %w", err)
	}
	if byHash, err := e.ClientByPhone(ctx, p); err == nil && byHash == client {
		return true, nil
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		return false, fmt.Errorf("withdrawal by the client: %w", err)
	}
	given, err := e.referralClient(ctx, r)
	if errors.Is(err, ErrErased) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("withdrawal by the client: %w", err)
	}
	return given.Phone == p && !given.PhonePassedOn, nil
}
