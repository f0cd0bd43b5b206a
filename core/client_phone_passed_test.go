package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// phonePassedOnEvents counts the events recording that the number on a
// client's record passed to someone else, and those of them that carry
// anything (they must carry no number, nor anything of the new holder).
func phonePassedOnEvents(t *testing.T, env *coretest.Env, client core.ClientID) (n, withData int) {
	t.Helper()
	if err := env.Pool.QueryRow(context.Background(),
		`SELECT count(*), count(*) FILTER (WHERE data <> '{}') FROM events WHERE kind = $1 AND client_id = $2`,
		string(core.EventPhonePassedOn), client).Scan(&n, &withData); err != nil {
		t.Fatal(err)
	}
	return n, withData
}

// acceptedTextDue says whether the text telling the client of r that an
// agency accepted it would still go now, and why not.
func acceptedTextDue(t *testing.T, env *coretest.Env, r core.ReferralID) (bool, string) {
	t.Helper()
	ref, err := env.Engine.Referral(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Status != core.StatusAccepted {
		t.Fatalf("referral %s is %s, want accepted", ref.Reference, ref.Status)
	}
	due, why, err := env.Engine.ClientTextDue(context.Background(), ref, core.OutboxPayload{Template: core.SMSAccepted, Version: ref.Version})
	if err != nil {
		t.Fatal(err)
	}
	return due, why
}

// TestPassedOnPhoneLeavesTheFormerClient: once a stranger given a recycled
// number proves it, the number is no longer the former client's. Their
// record loses it (and the proof it was theirs); the text queued for them
// before (their referral accepted that day) and any text of theirs after
// ends as skipped, saying the number passed on; the question they were
// asked by text stops waiting for an answer from it; staff viewing their
// details see that the number passed on instead of it; and the audit log
// records it on their stream, without the number.
func TestPassedOnPhoneLeavesTheFormerClient(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	first := selfReferAs(t, env, "passed-first", "Morag Baird")
	env.Clock.Advance(2 * 365 * 24 * time.Hour)
	acceptedByCAB(t, env, first)
	if due, why := acceptedTextDue(t, env, first.ID); !due {
		t.Fatalf("before the number passed on, the accepted text is not due (%q)", why)
	}
	if err := env.Engine.AwaitReply(ctx, first.ID, core.AwaitContactCheck, env.Clock.Now().Add(7*24*time.Hour)); err != nil {
		t.Fatal(err)
	}

	second := selfReferAs(t, env, "passed-stranger", "Ailsa Fictional")
	if second.ClientID == first.ClientID {
		t.Fatalf("the stranger joined the former client's record %d", first.ClientID)
	}

	old, err := env.Engine.ClientDetailsFor(ctx, first.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if old.Phone != "" || old.PhoneProven {
		t.Errorf("the former client's record: phone %q, proven %v; want no number, the one they had now someone else's", old.Phone, old.PhoneProven)
	}
	if old.Name != "Morag Baird" || old.Postcode == "" {
		t.Errorf("the former client's record: name %q, postcode %q; want their other details kept", old.Name, old.Postcode)
	}
	if p, err := env.Engine.ClientPhone(ctx, first.ClientID); err != nil || p != "" {
		t.Errorf("the SMS sender reads the former client's phone as %q (%v), want none", p, err)
	}
	if p, err := env.Engine.ClientPhone(ctx, second.ClientID); err != nil || string(p) != recycledPhone {
		t.Errorf("the new holder's phone reads %q (%v), want the number they proved", p, err)
	}

	due, why := acceptedTextDue(t, env, first.ID)
	if due || why != "the client's phone number has passed to someone else" {
		t.Errorf("the accepted text queued before the number passed on: due %v (%q); want skipped as the number passed on", due, why)
	}
	// Even the texts that announce an end go no more.
	ref, err := env.Engine.Referral(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if due, _, err := env.Engine.ClientTextDue(ctx, ref, core.OutboxPayload{Template: core.SMSCancelled, Version: ref.Version}); err != nil || due {
		t.Errorf("a cancellation text to the former client: due %v (%v), want not", due, err)
	}
	if due, why, err := env.Engine.ClientTextDue(ctx, second, core.OutboxPayload{Template: core.SMSConfirmation, Version: second.Version}); err != nil || !due {
		t.Errorf("the new holder's own confirmation: due %v (%q, %v), want due", due, why, err)
	}

	if _, waiting, err := env.Engine.Awaiting(ctx, recycledPhone); err != nil || waiting {
		t.Errorf("a text from the number is still read as the former client's answer (%v)", err)
	}

	c, _, err := env.Engine.DiscloseClient(ctx, first.ID, env.Net.Adviser.Actor(), "web")
	if err != nil {
		t.Fatal(err)
	}
	if c.Phone != "" || !c.PhonePassedOn || c.Name != "Morag Baird" {
		t.Errorf("staff see phone %q, passed on %v, name %q; want no number, that it passed on, and the name given", c.Phone, c.PhonePassedOn, c.Name)
	}

	// The number's new holder, with the former client's reference from
	// an old text, is not sent a code to withdraw the former client's
	// consent: the number given with that referral is no longer theirs.
	var codes int
	coretest.MarkOutboxSent(t, env.Pool)
	if err := env.Engine.SendWithdrawalCode(ctx, first.Reference, recycledPhone, "passed-on-session", "en"); err != nil {
		t.Fatal(err)
	}
	answerWithdrawalAsks(t, env)
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM phone_codes`).Scan(&codes); err != nil {
		t.Fatal(err)
	}
	if codes != 0 {
		t.Errorf("%d codes texted to the number's new holder to withdraw the former client's consent, want none", codes)
	}

	if n, withData := phonePassedOnEvents(t, env, first.ClientID); n != 1 || withData != 0 {
		t.Errorf("%d events that the former client's number passed on (%d with data), want 1 with nothing in it", n, withData)
	}
	if n, _ := phonePassedOnEvents(t, env, second.ClientID); n != 0 {
		t.Errorf("%d events that the new holder's number passed on, want none", n)
	}
}

// TestReturningClientKeepsTheirPhone: a client who comes back years later
// from the same phone under their own name keeps it: their texts go, and
// staff see the number.
func TestReturningClientKeepsTheirPhone(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	first := selfReferAs(t, env, "kept-first", "Morag Baird")
	env.Clock.Advance(2 * 365 * 24 * time.Hour)
	acceptedByCAB(t, env, first)
	if again := selfReferAs(t, env, "kept-again", "morag baird"); again.ClientID != first.ClientID {
		t.Fatalf("the returning client was given client %d, want their own, %d", again.ClientID, first.ClientID)
	}
	phoneStaysTheirs(t, env, first)
}

// TestPhoneWithinTheWindowStaysTheClients: within six months of the
// client last showing the phone to be theirs, another name from it (a
// family's shared mobile) changes nothing of the phone.
func TestPhoneWithinTheWindowStaysTheClients(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	first := selfReferAs(t, env, "window-kept-first", "Morag Baird")
	env.Clock.Advance(withdrawWindow)
	acceptedByCAB(t, env, first)
	if other := selfReferAs(t, env, "window-kept-other", "Ailsa Fictional"); other.ClientID != first.ClientID {
		t.Fatalf("another name within the window was given client %d, want %d", other.ClientID, first.ClientID)
	}
	phoneStaysTheirs(t, env, first)
}

// phoneStaysTheirs checks that the phone is still the client of r's: on
// their record, proven, the accepted text due, staff shown the number, and
// nothing recorded as passed on.
func phoneStaysTheirs(t *testing.T, env *coretest.Env, r core.Referral) {
	t.Helper()
	ctx := context.Background()
	c, err := env.Engine.ClientDetailsFor(ctx, r.ClientID)
	if err != nil || string(c.Phone) != recycledPhone || !c.PhoneProven {
		t.Errorf("the client's record: phone %q, proven %v (%v); want their number, proven", c.Phone, c.PhoneProven, err)
	}
	if due, why := acceptedTextDue(t, env, r.ID); !due {
		t.Errorf("the client's accepted text is not due (%q), want due", why)
	}
	shown, _, err := env.Engine.DiscloseClient(ctx, r.ID, env.Net.Adviser.Actor(), "web")
	if err != nil || string(shown.Phone) != recycledPhone || shown.PhonePassedOn {
		t.Errorf("staff see phone %q, passed on %v (%v); want the number", shown.Phone, shown.PhonePassedOn, err)
	}
	if n, _ := phonePassedOnEvents(t, env, r.ClientID); n != 0 {
		t.Errorf("%d events that the client's number passed on, want none", n)
	}
}

// answerWithdrawalAsks does with the withdrawal page's asks what notify's
// worker does: claims them, and marks each done with core's answer (a
// code queued when the reference and phone belong together). Nothing but
// asks may be due.
func answerWithdrawalAsks(t *testing.T, env *coretest.Env) {
	t.Helper()
	ctx := context.Background()
	now := env.Clock.Now()
	cs, err := env.Engine.Outbox().Claim(ctx, now, time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Kind != core.OutboxWithdrawalAsk {
			t.Fatalf("claimed %s, want only withdrawal asks", c.Kind)
		}
		queue, err := env.Engine.AnswerWithdrawalAsk(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if err := env.Engine.Outbox().MarkSent(ctx, c, now, "", core.DeliveryChecked, queue); err != nil {
			t.Fatal(err)
		}
	}
}
