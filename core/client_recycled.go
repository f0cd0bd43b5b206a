package core

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// A client who proves a phone is theirs (a text from it, a code sent to
// it and typed back) is given the client record that holds the phone's
// hash, and their newest details win. Mobile numbers are recycled
// (withdraw_recycled.go), so the record's holder, years on, may be a
// stranger now given the number: merged into the record, the stranger
// would rename the former client on the referrals agencies already hold,
// and the two people's histories would mix. So a record whose client has
// not shown the phone to be theirs within withdrawByTextFor is reused
// only when the name given is theirs too (SamePerson): a returning
// client, however long after. Otherwise the number has passed to someone
// else, and the hash moves to a record of the referral's own; the former
// client's record and referrals keep their details, but not the number,
// which is no longer theirs (client_phone_passed.go). Within the window
// nothing changes: a family sharing one phone is not told apart here.

// sqlInsertPhoneClient inserts the record of the phone's new holder,
// under the spare id sqlUpsertClient took.
const sqlInsertPhoneClient = `INSERT INTO clients (id, phone_hash, created_at, updated_at) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $3)`

// passedOnClient is the client a proven phone's referral belongs to when
// held, the record with the phone's hash, is past withdrawByTextFor: held
// itself if the name given is the held name (SamePerson), or else a new
// record under spare, to which the hash moves from held, whose number
// passes on (queuePhonePassedOn). The writes travel with the
// transaction's next statement (sendWithNext), so this costs no round
// trip of its own.
func (e *Engine) passedOnClient(ctx context.Context, tx pgx.Tx, held writtenClient, heldNameEnc []byte, given string, hash []byte, spare ClientID, now time.Time) (w writtenClient, newWrapped []byte, err error) {
	name, err := held.key.open("clients", "name_enc", held.id, "client.name", heldNameEnc)
	if err != nil {
		return writtenClient{}, nil, fmt.Errorf("client %d: %w", held.id, err)
	}
	if SamePerson(name, given) {
		return held, nil, nil
	}
	b := &pgx.Batch{}
	e.queuePhonePassedOn(b, held.id, hash, now)
	b.Queue(sqlInsertPhoneClient, spare, hash, now)
	if err := sendWithNext(ctx, tx, b); err != nil {
		return writtenClient{}, nil, fmt.Errorf("move a recycled phone to a client record of its own: %w", err)
	}
	w = writtenClient{id: spare, fresh: true}
	w.key, newWrapped, err = e.newClientKey(w.id)
	return w, newWrapped, err
}
