package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// selfReferAs makes a self-referral by text from coretest.SelfReferral's
// phone, giving name.
func selfReferAs(t *testing.T, env *coretest.Env, key, name string) core.Referral {
	t.Helper()
	in := coretest.SelfReferral(key)
	in.Client.Name = name
	res, err := env.Engine.SelfRefer(context.Background(), in)
	if err != nil {
		t.Fatalf("self-referral as %s: %v", name, err)
	}
	return res.Referral
}

// clientName is the name on a client's record.
func clientName(t *testing.T, env *coretest.Env, id core.ClientID) string {
	t.Helper()
	c, err := env.Engine.ClientDetailsFor(context.Background(), id)
	if err != nil {
		t.Fatalf("client %d: %v", id, err)
	}
	return c.Name
}

// TestRecycledPhoneGetsAClientOfItsOwn: a self-referral by text from a
// phone whose client last showed it to be theirs over six months ago,
// under another name, is a stranger given the recycled number. They get
// a client record of their own, which the phone now finds; the former
// client's record keeps their name and details for the referrals that
// hold it, all but the number (TestPassedOnPhoneLeavesTheFormerClient).
// It costs no round trip more than a self-referral from a new phone.
func TestRecycledPhoneGetsAClientOfItsOwn(t *testing.T) {
	t.Parallel()
	env, trips := tracedEnv(t)
	ctx := context.Background()
	first := selfReferAs(t, env, "recycled-first", "Morag Baird")
	env.Clock.Advance(2 * 365 * 24 * time.Hour)
	var second core.Referral
	check(t, "a self-referral from a recycled phone", trips.count(t, func() {
		second = selfReferAs(t, env, "recycled-stranger", "Ailsa Fictional")
	}), 3)

	if second.ClientID == first.ClientID {
		t.Fatalf("a stranger given the number two years on joined client %d, the former client's record; want a record of their own", first.ClientID)
	}
	if got := clientName(t, env, first.ClientID); got != "Morag Baird" {
		t.Errorf("the former client's record reads %q, want Morag Baird still", got)
	}
	old, err := env.Engine.ClientDetailsFor(ctx, first.ClientID)
	if err != nil || old.Phone != "" || old.Postcode == "" {
		t.Errorf("the former client's record: phone %q, postcode %q, %v; want their details as they were but the number", old.Phone, old.Postcode, err)
	}
	if r, err := env.Engine.Referral(ctx, first.ID); err != nil || r.ClientID != first.ClientID {
		t.Errorf("the former referral's client is %d (%v), want still %d", r.ClientID, err, first.ClientID)
	}
	if got := clientName(t, env, second.ClientID); got != "Ailsa Fictional" {
		t.Errorf("the new client's record reads %q, want Ailsa Fictional", got)
	}
	if id, err := env.Engine.ClientByPhone(ctx, recycledPhone); err != nil || id != second.ClientID {
		t.Errorf("the phone finds client %d (%v), want the new holder's, %d", id, err, second.ClientID)
	}
	// The new holder is the client the phone belongs to from now on.
	env.Clock.Advance(24 * time.Hour)
	third := selfReferAs(t, env, "recycled-again", "Ailsa Fictional")
	if third.ClientID != second.ClientID {
		t.Errorf("the new holder's next self-referral went to client %d, want %d", third.ClientID, second.ClientID)
	}
}

// TestReturningClientKeepsTheirRecord: a client who self-refers from the
// same phone under the same name years later is the same client.
func TestReturningClientKeepsTheirRecord(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	first := selfReferAs(t, env, "returning-first", "Morag Baird")
	env.Clock.Advance(2 * 365 * 24 * time.Hour)
	second := selfReferAs(t, env, "returning-again", "morag baird")
	if second.ClientID != first.ClientID {
		t.Errorf("the returning client was given client %d, want their own, %d", second.ClientID, first.ClientID)
	}
	if id, err := env.Engine.ClientByPhone(context.Background(), recycledPhone); err != nil || id != first.ClientID {
		t.Errorf("the phone finds client %d (%v), want %d", id, err, first.ClientID)
	}
}

// TestPhoneWithinTheWindowKeepsOneClient pins today's behaviour within
// six months: another name from the same proven phone (a family's shared
// mobile, say) is the same client, and the newest details win.
func TestPhoneWithinTheWindowKeepsOneClient(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	first := selfReferAs(t, env, "window-first", "Morag Baird")
	env.Clock.Advance(withdrawWindow)
	second := selfReferAs(t, env, "window-other", "Ailsa Fictional")
	if second.ClientID != first.ClientID {
		t.Errorf("another name within the window was given client %d, want %d as before", second.ClientID, first.ClientID)
	}
	if got := clientName(t, env, first.ClientID); got != "Ailsa Fictional" {
		t.Errorf("the client's record reads %q, want the newest name, Ailsa Fictional", got)
	}
}
