package core

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Proving a phone on the web form: a six-digit code is texted to the
// number typed and typed back within PhoneCodeTTL. Codes are limited per
// number and per form session, and typing is limited per code, so the
// form can neither pump texts to a number nor guess a code.
const (
	PhoneCodeTTL         = 15 * time.Minute
	PhoneCodesPerNumber  = 3 // codes a number may be sent per day
	PhoneCodesPerSession = 3 // codes one form session may ask for per day
	PhoneCodeAttempts    = 5 // wrong codes before a code stops working
	// phoneProofValidFor is how long after proving it a phone counts as
	// proven for a referral from the same session.
	phoneProofValidFor = 24 * time.Hour
)

// OutboxPhoneCode texts a one-time code (Payload.PhoneCodeID names it).
const OutboxPhoneCode OutboxKind = "sms.code"

// ErrPhoneCodeLimit means too many codes were asked for this number or
// this form today.
var ErrPhoneCodeLimit = errors.New("too many codes asked for today: try again tomorrow, or send the form without proving your phone")

// ErrPhoneCodeWrong means the code typed is not the one sent, or it expired
// or was tried too often.
var ErrPhoneCodeWrong = errors.New("that code is not right, or it has expired: check the text we sent, or ask for a new code")

func (e *Engine) sessionHash(session string) []byte {
	m := hmac.New(sha256.New, e.crypt.hashKey)
	m.Write([]byte("session:"))
	m.Write([]byte(session))
	return m.Sum(nil)
}

func (e *Engine) codeHash(id int64, code string) []byte {
	m := hmac.New(sha256.New, e.crypt.hashKey)
	m.Write([]byte("phone-code:" + strconv.FormatInt(id, 10) + ":" + code))
	return m.Sum(nil)
}

const (
	sqlPhoneCodeCounts = `SELECT
    (SELECT count(*) FROM phone_codes WHERE phone_hash = $1 AND created_at > $3),
    (SELECT count(*) FROM phone_codes WHERE session_hash = $2 AND created_at > $3)`
	sqlInsertPhoneCode = `INSERT INTO phone_codes (phone_hash, session_hash, phone_enc, code_hash, created_at)
    VALUES ($1, $2, '\x00', '\x00', $3) RETURNING id`
	sqlSealPhoneCode = `UPDATE phone_codes SET phone_enc = $2, code_enc = $3, code_hash = $4 WHERE id = $1`
)

// SendPhoneCode texts a one-time code to the phone typed on the web form
// (session is the form session's own id), in language, the page's. It
// refuses once the number or the session has had its codes for the day,
// and a landline (ErrLandline), which no text reaches.
func (e *Engine) SendPhoneCode(ctx context.Context, phone, session, language string) error {
	p, err := ParsePhone(phone)
	if err != nil {
		return &ValidationError{Fields: []FieldError{{Field: "client.phone number", Message: "phone number: " + err.Error()}}}
	}
	if Landline(p) {
		return ErrLandline
	}
	err = inTx(ctx, e.pool, func(tx pgx.Tx) error {
		return e.queuePhoneCode(ctx, tx, p, e.sessionHash(session), language)
	})
	if err != nil {
		return err
	}
	e.wakeWorkers()
	return nil
}

// queuePhoneCode records a new one-time code for p, asked for by the
// session whose hash is sess, and queues its text in language, in tx. It
// returns ErrPhoneCodeLimit, having written nothing, once the number or
// the session has had its codes for the day. The caller wakes the
// workers after the commit.
func (e *Engine) queuePhoneCode(ctx context.Context, tx pgx.Tx, p Phone, sess []byte, language string) error {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return fmt.Errorf("make phone code: %w", err)
	}
	code := fmt.Sprintf("%06d", n.Int64())
	hash := e.crypt.PhoneHash(p)
	now := e.clock.Now()
	// One number's codes are counted under a lock on that number.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('onward.phone-code:' || encode($1, 'hex'), 0))`, hash); err != nil {
		return fmt.Errorf("lock phone codes: %w", err)
	}
	var perNumber, perSession int
	if err := tx.QueryRow(ctx, sqlPhoneCodeCounts, hash, sess, now.Add(-24*time.Hour)).Scan(&perNumber, &perSession); err != nil {
		return fmt.Errorf("count phone codes: %w", err)
	}
	if perNumber >= PhoneCodesPerNumber || perSession >= PhoneCodesPerSession {
		return ErrPhoneCodeLimit
	}
	var id int64
	if err := tx.QueryRow(ctx, sqlInsertPhoneCode, hash, sess, now).Scan(&id); err != nil {
		return fmt.Errorf("record phone code: %w", err)
	}
	phoneEnc, err := e.crypt.Seal("phone_codes", "phone_enc", id, string(p))
	if err != nil {
		return err
	}
	codeEnc, err := e.crypt.Seal("phone_codes", "code_enc", id, code)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, sqlSealPhoneCode, id, phoneEnc, codeEnc, e.codeHash(id, code)); err != nil {
		return fmt.Errorf("record phone code: %w", err)
	}
	b := &pgx.Batch{}
	e.outbox.queue(b, outboxMsg{kind: OutboxPhoneCode, payload: OutboxPayload{PhoneCodeID: id, Language: language},
		dedupe: fmt.Sprintf("phone-code:%d", id)}, now)
	return sendBatch(ctx, tx, b)
}

const (
	sqlLatestPhoneCode = `SELECT id, code_hash, attempts, created_at FROM phone_codes
    WHERE phone_hash = $1 AND session_hash = $2 AND proven_at IS NULL ORDER BY id DESC LIMIT 1 FOR UPDATE`
	sqlPhoneCodeTried  = `UPDATE phone_codes SET attempts = attempts + 1 WHERE id = $1`
	sqlPhoneCodeProven = `UPDATE phone_codes SET proven_at = $2, code_enc = NULL WHERE id = $1`
	sqlPhoneProven     = `SELECT EXISTS (SELECT 1 FROM phone_codes WHERE phone_hash = $1 AND session_hash = $2 AND proven_at > $3)`
)

// CheckPhoneCode checks a code typed back on the web form. The newest code
// sent to that phone for that session counts; it works for PhoneCodeTTL
// and for PhoneCodeAttempts tries.
func (e *Engine) CheckPhoneCode(ctx context.Context, phone, session, code string) error {
	p, err := ParsePhone(phone)
	if err != nil {
		return ErrPhoneCodeWrong
	}
	hash, sess := e.crypt.PhoneHash(p), e.sessionHash(session)
	wrong := false
	err = inTx(ctx, e.pool, func(tx pgx.Tx) error {
		now := e.clock.Now()
		var (
			id       int64
			want     []byte
			attempts int
			at       time.Time
		)
		err := tx.QueryRow(ctx, sqlLatestPhoneCode, hash, sess).Scan(&id, &want, &attempts, &at)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrPhoneCodeWrong
		}
		if err != nil {
			return fmt.Errorf("check phone code: %w", err)
		}
		if attempts >= PhoneCodeAttempts || now.Sub(at) > PhoneCodeTTL {
			return ErrPhoneCodeWrong
		}
		if !hmac.Equal(want, e.codeHash(id, code)) {
			if _, err := tx.Exec(ctx, sqlPhoneCodeTried, id); err != nil {
				return fmt.Errorf("check phone code: %w", err)
			}
			wrong = true // the attempt is counted: commit, then say so
			return nil
		}
		if _, err := tx.Exec(ctx, sqlPhoneCodeProven, id, now); err != nil {
			return fmt.Errorf("check phone code: %w", err)
		}
		return nil
	})
	if err == nil && wrong {
		return ErrPhoneCodeWrong
	}
	return err
}

// phoneProven reports whether the phone was proven by a code in this form
// session.
func (e *Engine) phoneProven(ctx context.Context, p Phone, session string) (bool, error) {
	var ok bool
	err := e.pool.QueryRow(ctx, sqlPhoneProven, e.crypt.PhoneHash(p), e.sessionHash(session), e.clock.Now().Add(-phoneProofValidFor)).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check phone proof: %w", err)
	}
	return ok, nil
}

// PhoneCodeText returns the number and the code of a phone-code outbox
// row, for the sender.
func (e *Engine) PhoneCodeText(ctx context.Context, id int64) (Phone, string, error) {
	var phoneEnc, codeEnc []byte
	err := e.pool.QueryRow(ctx, `SELECT phone_enc, code_enc FROM phone_codes WHERE id = $1`, id).Scan(&phoneEnc, &codeEnc)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", fmt.Errorf("phone code %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", "", fmt.Errorf("phone code %d: %w", id, err)
	}
	p, err := e.crypt.Open("phone_codes", "phone_enc", id, fieldAD("phone_codes", "phone_enc", id), phoneEnc)
	if err != nil {
		return "", "", err
	}
	code, err := e.crypt.Open("phone_codes", "code_enc", id, fieldAD("phone_codes", "code_enc", id), codeEnc)
	if err != nil {
		return "", "", err
	}
	return Phone(p), code, nil
}
