package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// A client withdraws consent themselves on the web page reached from their
// reference: they type the reference and their phone, prove the phone with
// a one-time code texted to it, and confirm. The page must not tell anyone
// whether a reference exists or which phone it belongs to, so a code is
// texted only when the phone is the one the referral was made with, and
// the caller is answered the same way, after the same work, whether or
// not it was: the page only queues the ask (one outbox row, whatever was
// typed), and the worker checks the pair and queues the code.

// OutboxWithdrawalAsk is a client's ask on the withdrawal page for a code
// (SendWithdrawalCode); the worker answers it (AnswerWithdrawalAsk). Its
// payload holds the reference, phone and session typed, sealed.
const OutboxWithdrawalAsk OutboxKind = "withdrawal.ask"

// withdrawalAsk is what the page's ask carries to the worker, sealed to
// its outbox row.
type withdrawalAsk struct {
	Reference string `json:"reference"`
	Phone     Phone  `json:"phone"`
	Session   []byte `json:"session"` // the session's hash (sessionHash)
}

// SendWithdrawalCode queues the client's ask for a one-time code: the
// worker texts it to phone when it is the phone given with the referral
// named by reference (or the phone proven for its client), and otherwise
// (no such reference, another phone, already erased, the number's codes
// for the day used up) sends nothing. Either way this writes one outbox
// row and returns nil, so the page's answer says nothing by its words or
// its timing; only a phone that does not parse is an error. session is
// the web session's own id and language the page's, as for SendPhoneCode.
func (e *Engine) SendWithdrawalCode(ctx context.Context, reference, phone, session, language string) error {
	p, err := ParsePhone(phone)
	if err != nil {
		return &ValidationError{Fields: []FieldError{{Field: "phone", Message: "phone number: " + err.Error()}}}
	}
	var nonce [12]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return fmt.Errorf("withdrawal code ask: %w", err)
	}
	dedupe := "withdrawal-ask:" + hex.EncodeToString(nonce[:])
	ask, err := json.Marshal(withdrawalAsk{Reference: reference, Phone: p, Session: e.sessionHash(session)})
	if err != nil {
		return fmt.Errorf("withdrawal code ask: %w", err)
	}
	enc, err := e.crypt.Seal("outbox", "payload.withdrawal", dedupe, string(ask))
	if err != nil {
		return fmt.Errorf("withdrawal code ask: %w", err)
	}
	if err := e.outbox.Enqueue(ctx, OutboxWithdrawalAsk, 0, OutboxPayload{PhoneEnc: enc, Language: language}, dedupe, time.Time{}); err != nil {
		return fmt.Errorf("withdrawal code ask: %w", err)
	}
	return nil
}

// ErrWithdrawalAskUnreadable means a withdrawal.ask row's sealed ask does
// not open (another key, a row edited by hand): trying again will not help.
var ErrWithdrawalAskUnreadable = errors.New("the withdrawal code ask cannot be read")

// AnswerWithdrawalAsk checks a claimed withdrawal.ask row. When the
// reference and phone typed belong together, it returns queue, which
// records a code and queues its text in the transaction that marks the
// row done (wake the workers after the commit). queue is nil, and
// nothing is written, for another phone, an unknown reference, a
// landline no text reaches; queue writes nothing once the number or the
// session has had its codes for the day.
func (e *Engine) AnswerWithdrawalAsk(ctx context.Context, c OutboxClaim) (queue func(context.Context, pgx.Tx) error, err error) {
	s, err := e.crypt.Open("outbox", "payload.withdrawal", c.DedupeKey, "", c.Payload.PhoneEnc)
	var ask withdrawalAsk
	if err == nil {
		err = json.Unmarshal([]byte(s), &ask)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWithdrawalAskUnreadable, err)
	}
	ok, err := e.referenceHasPhone(ctx, ask.Reference, ask.Phone)
	if err != nil || !ok || Landline(ask.Phone) {
		return nil, err
	}
	return func(ctx context.Context, tx pgx.Tx) error {
		err := e.queuePhoneCode(ctx, tx, ask.Phone, ask.Session, c.Payload.Language)
		if errors.Is(err, ErrPhoneCodeLimit) {
			return nil // said the same way as a mismatch: see above
		}
		return err
	}, nil
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
