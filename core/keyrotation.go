package core

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Key rotation: after ONWARD_ENCRYPTION_KEY is changed (the old key kept
// in ONWARD_ENCRYPTION_OLD_KEYS), RotateKeys re-seals every value the
// master key protects under the new one, so the old key can be dropped:
// each client's wrapped data key, one-time phone codes and partners'
// webhook secrets. Values from before clients had keys of their own (or
// before master-key values were bound to their row) are moved to the
// current form on the way: client fields and referral notes under the
// client's key, everything else bound to table, column and row.
//
// It works table by table in batches of rows ordered by id; each batch is
// one transaction, and only rows still needing work are selected, so a
// run stopped part way is resumed by running it again, and a run with
// nothing left to do changes nothing.

// RotateOptions shape one run of RotateKeys.
type RotateOptions struct {
	Batch  int  // rows per transaction (default 500)
	DryRun bool // count what would be re-sealed; write nothing
	// Progress, when set, is called after each batch is committed (and
	// once per table in a dry run).
	Progress func(RotateProgress)
}

// RotateProgress is one step of a rotation: rows of Table re-sealed so
// far in this run (or, in a dry run, rows that would be).
type RotateProgress struct {
	Table string
	Rows  int
}

// RotateReport counts what one run re-sealed, table by table, in the
// order they were done.
type RotateReport []RotateProgress

// Total is the number of rows re-sealed in every table.
func (r RotateReport) Total() int {
	n := 0
	for _, p := range r {
		n += p.Rows
	}
	return n
}

// staleMasterSQL is true when a master-key value in column col is in an
// older form or sealed under another key than the current one ($1).
func staleMasterSQL(col string) string {
	return fmt.Sprintf("(CASE WHEN length(%[1]s) >= 5 THEN get_byte(%[1]s, 0) <> %[2]d OR substring(%[1]s FROM 2 FOR 4) <> $1 ELSE false END)", col, boundCipherVersion)
}

// legacyClientSQL is true when a client's field in column col is still
// sealed under the master key (from before clients had keys of their own).
func legacyClientSQL(col string) string {
	return fmt.Sprintf("(CASE WHEN length(%[1]s) >= 1 THEN get_byte(%[1]s, 0) = %[2]d ELSE false END)", col, cipherVersion)
}

// The rows each pass still has to re-seal ($1: the current key id; the
// referrals' condition does not depend on it, but names it so every pass's
// query takes the same arguments).
var (
	clientsToRotate = `erased_at IS NULL AND (key_wrapped IS NULL OR ` + staleMasterSQL("key_wrapped") +
		` OR ` + legacyClientSQL("name_enc") + ` OR ` + legacyClientSQL("phone_enc") + ` OR ` + legacyClientSQL("email_enc") +
		` OR ` + legacyClientSQL("postcode_enc") + ` OR ` + legacyClientSQL("notes_enc") + `)`
	referralsToRotate  = `length($1::bytea) > 0 AND (` + legacyClientSQL("notes_enc") + ` OR ` + legacyClientSQL("outcome_note_enc") + `)`
	phoneCodesToRotate = staleMasterSQL("phone_enc") + ` OR ` + staleMasterSQL("code_enc")
	webhooksToRotate   = staleMasterSQL("secret_enc") + ` OR ` + staleMasterSQL("previous_secret_enc")
)

// rotationPass is one table's part of a rotation: which rows need work
// and how one batch of them is re-sealed.
type rotationPass struct {
	table, where string
	run          func(ctx context.Context, tx pgx.Tx, after int64, limit int) (done int, last int64, err error)
}

func (e *Engine) rotationPasses() []rotationPass {
	return []rotationPass{
		{"clients", clientsToRotate, e.rotateClients},
		{"referrals", referralsToRotate, e.rotateReferrals},
		{"phone_codes", phoneCodesToRotate, e.rotatePhoneCodes},
		{"webhook_subscriptions", webhooksToRotate, e.rotateWebhookSecrets},
	}
}

// EventKeysRotated records a run of RotateKeys that re-sealed something:
// how many rows of each table, under which key id (the 4 bytes every new
// ciphertext carries, never the key), and whether the run finished.
const EventKeysRotated EventKind = "keys.rotated"

// RotateKeys re-seals every stored value that is not yet under the current
// master key in the current form (see above). A run that re-sealed rows,
// finished or stopped part way, is audited (EventKeysRotated); a dry run
// and a run with nothing to do write nothing.
func (e *Engine) RotateKeys(ctx context.Context, opts RotateOptions) (report RotateReport, err error) {
	if opts.Batch <= 0 {
		opts.Batch = 500
	}
	if !opts.DryRun {
		defer func() {
			if report.Total() == 0 {
				return
			}
			if aerr := e.recordRotation(ctx, report, err == nil); aerr != nil && err == nil {
				err = aerr
			}
		}()
	}
	for _, p := range e.rotationPasses() {
		step := RotateProgress{Table: p.table}
		if opts.DryRun {
			if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM `+p.table+` WHERE `+p.where, e.crypt.currentKeyID()).Scan(&step.Rows); err != nil {
				return report, fmt.Errorf("count %s to re-seal: %w", p.table, err)
			}
			if opts.Progress != nil {
				opts.Progress(step)
			}
			report = append(report, step)
			continue
		}
		var after int64
		for {
			var done int
			err := inTx(ctx, e.pool, func(tx pgx.Tx) error {
				var err error
				done, after, err = p.run(ctx, tx, after, opts.Batch)
				return err
			})
			if err != nil {
				return append(report, step), fmt.Errorf("re-seal %s after row %d: %w", p.table, after, err)
			}
			if done == 0 {
				break
			}
			step.Rows += done
			if opts.Progress != nil {
				opts.Progress(step)
			}
		}
		report = append(report, step)
	}
	return report, nil
}

// recordRotation audits a rotation run (see EventKeysRotated). It is
// written even when the run's own context was cancelled part way, so that
// what was re-sealed is on record.
func (e *Engine) recordRotation(ctx context.Context, report RotateReport, finished bool) error {
	rows := map[string]any{}
	for _, p := range report {
		rows[p.Table] = p.Rows
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return e.appendEvent(ctx, e.pool, newEvent{kind: EventKeysRotated, actor: SystemActor,
		data: eventData("rows", rows, "total", report.Total(), "key_id", hex.EncodeToString(e.crypt.currentKeyID()), "finished", finished)})
}

// rotationRows selects one batch of a pass's rows, locked, after id
// after.
func (e *Engine) rotationRows(ctx context.Context, tx pgx.Tx, table, columns, where string, after int64, limit int) (pgx.Rows, error) {
	return tx.Query(ctx, `SELECT `+columns+` FROM `+table+` WHERE id > $2 AND (`+where+`) ORDER BY id LIMIT $3 FOR UPDATE`,
		e.crypt.currentKeyID(), after, limit)
}

// unwrapKey opens a client's wrapped data key to its raw bytes.
func (e *Engine) unwrapKey(client ClientID, wrapped []byte) ([]byte, error) {
	raw, err := e.crypt.Open("clients", "key_wrapped", client, keyAD(client), wrapped)
	if err != nil {
		return nil, fmt.Errorf("data key of client %d: %w", client, err)
	}
	return []byte(raw), nil
}

type rotationClient struct {
	ID          ClientID `db:"id"`
	KeyWrapped  []byte   `db:"key_wrapped"`
	NameEnc     []byte   `db:"name_enc"`
	PhoneEnc    []byte   `db:"phone_enc"`
	EmailEnc    []byte   `db:"email_enc"`
	PostcodeEnc []byte   `db:"postcode_enc"`
	NotesEnc    []byte   `db:"notes_enc"`
}

const sqlRotateClient = `UPDATE clients SET key_wrapped = $2, name_enc = $3, phone_enc = $4, email_enc = $5,
    postcode_enc = $6, notes_enc = $7 WHERE id = $1`

// rotateClients re-wraps each client's data key under the current master
// key (making one for a client who has none) and moves fields still
// sealed under the master key under the client's own key.
func (e *Engine) rotateClients(ctx context.Context, tx pgx.Tx, after int64, limit int) (int, int64, error) {
	rows, _ := e.rotationRows(ctx, tx, "clients", "id, key_wrapped, name_enc, phone_enc, email_enc, postcode_enc, notes_enc", clientsToRotate, after, limit)
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByName[rotationClient])
	if err != nil {
		return 0, after, fmt.Errorf("read clients: %w", err)
	}
	for _, c := range cs {
		after = int64(c.ID)
		var (
			k       clientKey
			wrapped []byte
		)
		if len(c.KeyWrapped) == 0 {
			if k, wrapped, err = e.newClientKey(c.ID); err != nil {
				return 0, after, err
			}
		} else {
			raw, err := e.unwrapKey(c.ID, c.KeyWrapped)
			if err != nil {
				return 0, after, err
			}
			if k, err = e.clientKeyFrom(c.ID, raw); err != nil {
				return 0, after, err
			}
			if wrapped, err = e.wrapKey(c.ID, raw); err != nil {
				return 0, after, err
			}
		}
		for _, f := range []struct {
			col, legacy string
			ct          *[]byte
		}{
			{"name_enc", "client.name", &c.NameEnc}, {"phone_enc", "client.phone", &c.PhoneEnc},
			{"email_enc", "client.email", &c.EmailEnc}, {"postcode_enc", "client.postcode", &c.PostcodeEnc},
			{"notes_enc", "client.notes", &c.NotesEnc},
		} {
			if len(*f.ct) == 0 || (*f.ct)[0] != cipherVersion {
				continue
			}
			plain, err := k.open("clients", f.col, c.ID, f.legacy, *f.ct)
			if err != nil {
				return 0, after, fmt.Errorf("client %d: %w", c.ID, err)
			}
			if *f.ct, err = k.seal("clients", f.col, c.ID, plain); err != nil {
				return 0, after, err
			}
		}
		if _, err := tx.Exec(ctx, sqlRotateClient, c.ID, wrapped, c.NameEnc, c.PhoneEnc, c.EmailEnc, c.PostcodeEnc, c.NotesEnc); err != nil {
			return 0, after, fmt.Errorf("re-seal client %d: %w", c.ID, err)
		}
	}
	return len(cs), after, nil
}

type rotationReferral struct {
	ID             ReferralID `db:"id"`
	ClientID       ClientID   `db:"client_id"`
	KeyWrapped     []byte     `db:"key_wrapped"`
	NotesEnc       []byte     `db:"notes_enc"`
	OutcomeNoteEnc []byte     `db:"outcome_note_enc"`
}

// rotateReferrals moves referral notes and completion notes still sealed
// under the master key under the client's own key (the clients pass has
// given every client one).
func (e *Engine) rotateReferrals(ctx context.Context, tx pgx.Tx, after int64, limit int) (int, int64, error) {
	rows, _ := tx.Query(ctx, `SELECT r.id, r.client_id, c.key_wrapped, r.notes_enc, r.outcome_note_enc
		FROM referrals r JOIN clients c ON c.id = r.client_id
		WHERE r.id > $2 AND c.erased_at IS NULL AND length($1::bytea) > 0 AND (`+legacyClientSQL("r.notes_enc")+` OR `+legacyClientSQL("r.outcome_note_enc")+`)
		ORDER BY r.id LIMIT $3 FOR UPDATE OF r`, e.crypt.currentKeyID(), after, limit)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[rotationReferral])
	if err != nil {
		return 0, after, fmt.Errorf("read referrals: %w", err)
	}
	for _, r := range rs {
		after = int64(r.ID)
		k, err := e.openClientKey(r.ClientID, r.KeyWrapped, false)
		if err != nil {
			return 0, after, err
		}
		if k.aead == nil {
			return 0, after, fmt.Errorf("referral %d: client %d has no data key yet (run the rotation again)", r.ID, r.ClientID)
		}
		if len(r.NotesEnc) > 0 && r.NotesEnc[0] == cipherVersion {
			plain, err := openReferralField(k, "notes_enc", "referral.notes", r.NotesEnc)
			if err != nil {
				return 0, after, fmt.Errorf("referral %d notes: %w", r.ID, err)
			}
			if r.NotesEnc, err = sealReferralField(k, "notes_enc", plain); err != nil {
				return 0, after, err
			}
		}
		if len(r.OutcomeNoteEnc) > 0 && r.OutcomeNoteEnc[0] == cipherVersion {
			plain, err := k.open("referrals", "outcome_note_enc", r.ID, legacyOutcomeNoteField, r.OutcomeNoteEnc)
			if err != nil {
				return 0, after, fmt.Errorf("referral %d outcome note: %w", r.ID, err)
			}
			if r.OutcomeNoteEnc, err = k.seal("referrals", "outcome_note_enc", r.ID, plain); err != nil {
				return 0, after, err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE referrals SET notes_enc = $2, outcome_note_enc = $3 WHERE id = $1`, r.ID, r.NotesEnc, r.OutcomeNoteEnc); err != nil {
			return 0, after, fmt.Errorf("re-seal referral %d: %w", r.ID, err)
		}
	}
	return len(rs), after, nil
}

// rotatePhoneCodes re-seals the numbers and codes of one-time phone codes.
func (e *Engine) rotatePhoneCodes(ctx context.Context, tx pgx.Tx, after int64, limit int) (int, int64, error) {
	rows, err := e.rotationRows(ctx, tx, "phone_codes", "id, phone_enc, code_enc", phoneCodesToRotate, after, limit)
	if err != nil {
		return 0, after, fmt.Errorf("read phone codes: %w", err)
	}
	type code struct {
		id           int64
		phone, value []byte
	}
	var cs []code
	for rows.Next() {
		var c code
		if err := rows.Scan(&c.id, &c.phone, &c.value); err != nil {
			rows.Close()
			return 0, after, fmt.Errorf("read phone codes: %w", err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return 0, after, fmt.Errorf("read phone codes: %w", err)
	}
	for _, c := range cs {
		after = c.id
		out := [2][]byte{}
		for i, f := range []struct {
			col string
			ct  []byte
		}{{"phone_enc", c.phone}, {"code_enc", c.value}} {
			plain, err := e.crypt.Open("phone_codes", f.col, c.id, fieldAD("phone_codes", f.col, c.id), f.ct)
			if err != nil {
				return 0, after, fmt.Errorf("phone code %d: %w", c.id, err)
			}
			if out[i], err = e.crypt.Seal("phone_codes", f.col, c.id, plain); err != nil {
				return 0, after, err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE phone_codes SET phone_enc = $2, code_enc = $3 WHERE id = $1`, c.id, out[0], out[1]); err != nil {
			return 0, after, fmt.Errorf("re-seal phone code %d: %w", c.id, err)
		}
	}
	return len(cs), after, nil
}

// rotateWebhookSecrets re-seals partners' webhook signing secrets, and
// the secrets a rotation replaced while they are kept.
func (e *Engine) rotateWebhookSecrets(ctx context.Context, tx pgx.Tx, after int64, limit int) (int, int64, error) {
	rows, err := e.rotationRows(ctx, tx, "webhook_subscriptions", "id, secret_enc, previous_secret_enc", webhooksToRotate, after, limit)
	if err != nil {
		return 0, after, fmt.Errorf("read webhook subscriptions: %w", err)
	}
	type sub struct {
		id     WebhookSubscriptionID
		ct, pr []byte
	}
	var ss []sub
	for rows.Next() {
		var s sub
		if err := rows.Scan(&s.id, &s.ct, &s.pr); err != nil {
			rows.Close()
			return 0, after, fmt.Errorf("read webhook subscriptions: %w", err)
		}
		ss = append(ss, s)
	}
	if err := rows.Err(); err != nil {
		return 0, after, fmt.Errorf("read webhook subscriptions: %w", err)
	}
	for _, s := range ss {
		after = int64(s.id)
		plain, err := e.crypt.Open("webhook_subscriptions", "secret_enc", s.id, legacyWebhookSecretField, s.ct)
		if err != nil {
			return 0, after, fmt.Errorf("webhook subscription %d: %w", s.id, err)
		}
		ct, err := e.crypt.Seal("webhook_subscriptions", "secret_enc", s.id, plain)
		if err != nil {
			return 0, after, err
		}
		var pr []byte // nil stays nil
		if len(s.pr) > 0 {
			prev, err := e.crypt.Open("webhook_subscriptions", "previous_secret_enc", s.id, "", s.pr)
			if err != nil {
				return 0, after, fmt.Errorf("webhook subscription %d: previous secret: %w", s.id, err)
			}
			if pr, err = e.crypt.Seal("webhook_subscriptions", "previous_secret_enc", s.id, prev); err != nil {
				return 0, after, err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook_subscriptions SET secret_enc = $2, previous_secret_enc = $3 WHERE id = $1`, s.id, ct, pr); err != nil {
			return 0, after, fmt.Errorf("re-seal webhook subscription %d: %w", s.id, err)
		}
	}
	return len(ss), after, nil
}
