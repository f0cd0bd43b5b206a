package core_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

func countRows(t *testing.T, env *coretest.Env, table string) int {
	t.Helper()
	var n int
	if err := env.Pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func outboxKinds(t *testing.T, env *coretest.Env, ref core.ReferralID) map[string]int {
	t.Helper()
	rows, err := env.Pool.Query(context.Background(), "SELECT kind || coalesce(':' || (payload->>'channel'), '') || coalesce(':' || (payload->>'template'), '') || coalesce(':' || (payload->>'level'), '') FROM outbox WHERE referral_id = $1", ref)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		out[k]++
	}
	return out
}

func TestSelfReferClearMatchRoutesToAgency(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("conv-1"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Agency == nil || res.Agency.ID != env.Net.CAB {
		t.Fatalf("routed to %+v, want Kirkcaldy CAB (district match beats council-wide)", res.Agency)
	}
	r := res.Referral
	if r.Status != core.StatusRequested || r.PostcodeDistrict != "KY1" || r.Source != core.SourceSMS || r.Reference != "ONW-T00001" {
		t.Errorf("referral = %+v", r)
	}
	// Monday 10:00 plus a 16-working-hour target: 7 h Monday, 8 h Tuesday, 1 h Wednesday.
	if want := coretest.Epoch.Add(48 * time.Hour); r.AckDueAt == nil || !r.AckDueAt.Equal(want) {
		t.Errorf("ack due = %v, want %v", r.AckDueAt, want)
	}
	got := outboxKinds(t, env, r.ID)
	want := map[string]int{"card.sync:agency": 1, "reminder.ack:reminder": 1, "reminder.ack:escalation": 1}
	if len(got) != len(want) {
		t.Errorf("outbox = %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("outbox[%s] = %d, want %d (all: %v)", k, got[k], n, got)
		}
	}
	c, err := env.Engine.Consent(ctx, r.ConsentID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Channel != core.ChannelSMS || c.Evidence != "SMconv-1" || c.WordingVersion != "v1" || c.Scope != core.ScopeNetwork || len(c.WordingSHA256) != 32 {
		t.Errorf("consent = %+v", c)
	}
	evs, err := env.Engine.ReferralEvents(ctx, r.ID)
	if err != nil || len(evs) != 1 || evs[0].Kind != core.EventCreated {
		t.Fatalf("events = %+v, %v", evs, err)
	}

	// The same idempotency key again writes nothing new.
	again, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("conv-1"))
	if err != nil || !again.Replayed || again.Referral.ID != r.ID {
		t.Fatalf("replay = %+v, %v", again, err)
	}
	if n := countRows(t, env, "referrals"); n != 1 {
		t.Errorf("referrals after replay = %d, want 1", n)
	}
	// A second self-referral from the same phone reuses the client.
	second := coretest.SelfReferral("conv-2")
	second.Client.Name = "Morag B."
	res2, err := env.Engine.SelfRefer(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Referral.ClientID != r.ClientID || countRows(t, env, "clients") != 1 {
		t.Errorf("second self-referral made a new client")
	}
	cl, err := env.Engine.ClientDetailsFor(ctx, r.ClientID)
	if err != nil || cl.Name != "Morag B." || cl.Phone != "+447700900123" || cl.Postcode != "KY1 1AB" {
		t.Errorf("client = %+v, %v", cl, err)
	}
}

func TestSelfReferCrisisGoesToTriage(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	in := coretest.SelfReferral("conv-crisis")
	in.Crisis, in.CrisisReasons = true, []string{"no money for food today"}
	res, err := env.Engine.SelfRefer(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Agency != nil || !res.Referral.InTriage() || !res.Referral.Crisis || res.TriageReason == "" || res.Referral.AckDueAt != nil {
		t.Fatalf("crisis self-referral = %+v", res)
	}
	got := outboxKinds(t, env, res.Referral.ID)
	if got["card.sync:triage"] != 1 || got["alert.crisis"] != 1 || got["reminder.ack:reminder"] != 0 {
		t.Errorf("outbox = %v, want triage card and crisis alert, no agency reminders", got)
	}
}

func TestSelfReferValidationNamesFieldsAndWritesNothing(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	cases := []struct {
		name  string
		edit  func(*core.SelfReferral)
		field string
	}{
		{"phone", func(s *core.SelfReferral) { s.Client.Phone = "12" }, "client.phone number"},
		{"postcode", func(s *core.SelfReferral) { s.Client.Postcode = "KY1" }, "client.postcode"},
		{"email", func(s *core.SelfReferral) { s.Client.Email = "not-an-email" }, "client.email address"},
		{"need", func(s *core.SelfReferral) { s.Needs = []core.Need{"astrology"} }, "needs[0]"},
		{"no needs", func(s *core.SelfReferral) { s.Needs = nil }, "needs"},
		{"no consent", func(s *core.SelfReferral) { s.Consent = core.ConsentInput{} }, "consent.consent wording version"},
		{"unknown wording", func(s *core.SelfReferral) { s.Consent.WordingVersion = "v9" }, "consent.wording_version"},
		{"no name", func(s *core.SelfReferral) { s.Client.Name = "" }, "client.name"},
		{"no contact", func(s *core.SelfReferral) { s.Client.Phone = "" }, "client.phone number"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := coretest.SelfReferral("bad-" + tc.name)
			tc.edit(&in)
			_, err := env.Engine.SelfRefer(context.Background(), in)
			var ve *core.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			if ve.Field(tc.field) == "" {
				t.Errorf("error %q does not name field %q (fields: %+v)", err, tc.field, ve.Fields)
			}
			for _, table := range []string{"clients", "consents", "referrals", "events", "outbox"} {
				if n := countRows(t, env, table); n != 0 {
					t.Errorf("%s has %d rows after a refused self-referral", table, n)
				}
			}
		})
	}
}
