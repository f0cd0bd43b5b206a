package core_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// recycledPhone is the phone of coretest.SelfReferral's client, Morag
// Baird, as Twilio gives it.
const recycledPhone = "+447700900123"

// withdrawWindow is core's withdrawByTextFor, as the tests pin it: six
// months of 183 days. A change to the rule must change this on purpose.
const withdrawWindow = 183 * 24 * time.Hour

// withdrawableState is what a withdrawal would change, for a refusal to leave
// alone: the referral's status and version, consents withdrawn,
// withdrawal events, every event, withdrawal texts, every outbox row.
func withdrawableState(t *testing.T, env *coretest.Env, r core.ReferralID) string {
	t.Helper()
	var s string
	if err := env.Pool.QueryRow(context.Background(), `
SELECT format('referral %s v%s, withdrawn consents %s, withdrawal events %s, events %s, withdrawal texts %s, outbox rows %s',
    (SELECT status FROM referrals WHERE id = $1), (SELECT version FROM referrals WHERE id = $1),
    (SELECT count(*) FROM consents WHERE withdrawn_at IS NOT NULL),
    (SELECT count(*) FROM events WHERE kind = 'consent.withdrawn'), (SELECT count(*) FROM events),
    (SELECT count(*) FROM outbox WHERE payload->>'template' = 'consent_withdrawn'), (SELECT count(*) FROM outbox))`, r).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// refusedByText checks that the client's phone cannot withdraw by text
// now: false, no error, and nothing written.
func refusedByText(t *testing.T, env *coretest.Env, r core.ReferralID, sid string) {
	t.Helper()
	before := withdrawableState(t, env, r)
	done, err := env.Engine.WithdrawByPhone(context.Background(), recycledPhone, sid)
	if done || err != nil {
		t.Fatalf("WITHDRAW from a phone last shown to be the client's over six months ago: %v, %v; want refused", done, err)
	}
	if after := withdrawableState(t, env, r); after != before {
		t.Fatalf("a refused withdrawal by text wrote:\n%s\nwant as before:\n%s", after, before)
	}
}

// withdrawnByText checks that the client's phone withdraws by text now,
// as before the rule: the referral cancelled and the client told.
func withdrawnByText(t *testing.T, env *coretest.Env, r core.ReferralID, sid string) {
	t.Helper()
	done, err := env.Engine.WithdrawByPhone(context.Background(), recycledPhone, sid)
	if !done || err != nil {
		t.Fatalf("WITHDRAW from the client's phone: %v, %v; want withdrawn", done, err)
	}
	got, err := env.Engine.Referral(context.Background(), r)
	if err != nil || got.Status != core.StatusCancelled {
		t.Errorf("referral after the withdrawal: %s, %v; want cancelled", got.Status, err)
	}
	if n := outboxKinds(t, env, r)["sms.client:consent_withdrawn"]; n != 1 {
		t.Errorf("%d withdrawal texts, want 1", n)
	}
}

// TestWithdrawByTextOnlyWhileThePhoneIsRecent: a text withdraws the
// client's consent while they showed the phone to be theirs (here, their
// self-referral by text) within six months; after that the number may
// have been recycled to a stranger, and nothing is withdrawn, written or
// texted.
func TestWithdrawByTextOnlyWhileThePhoneIsRecent(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		after time.Duration
		works bool
	}{
		{"the next day", 24 * time.Hour, true},
		{"on the window's last second", withdrawWindow, true},
		{"a second after the window", withdrawWindow + time.Second, false},
		{"three years later", 3 * 365 * 24 * time.Hour, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := coretest.NewEnv(t)
			res, err := env.Engine.SelfRefer(context.Background(), coretest.SelfReferral("sms-recent"))
			if err != nil {
				t.Fatal(err)
			}
			env.Clock.Advance(c.after)
			if c.works {
				withdrawnByText(t, env, res.Referral.ID, "SMwithin")
				return
			}
			refusedByText(t, env, res.Referral.ID, "SMrecycled")
			if r, _ := env.Engine.Referral(context.Background(), res.Referral.ID); r.Status != res.Referral.Status {
				t.Errorf("referral %s after a refused withdrawal, want still %s", r.Status, res.Referral.Status)
			}
		})
	}
}

// acceptedByCAB has the CAB adviser accept the referral (assigned to CAB
// first if it waits in triage).
func acceptedByCAB(t *testing.T, env *coretest.Env, r core.Referral) {
	t.Helper()
	ctx := context.Background()
	if r.InTriage() {
		if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAssign,
			Actor: env.Net.Coordinator.Actor(), ToAgency: env.Net.CAB}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: env.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
}

// TestWithdrawByTextAfterTheClientUsedThePhoneAgain: a client whose
// self-referral is years old withdraws by text once they show the phone
// is theirs again: a new self-referral by text, one on the web form with
// a code texted to the phone, a texted answer to the contact check, or
// an adviser's referral made with them.
// An adviser's referral made with the client and their number counts
// too. A web form naming the number without a code leaves the text
// refused.
func TestWithdrawByTextAfterTheClientUsedThePhoneAgain(t *testing.T) {
	t.Parallel()
	twoYears := 2 * 365 * 24 * time.Hour
	for _, c := range []struct {
		name string
		// again shows the phone (or fails to) two years after the first
		// self-referral; the referral returned is the one a withdrawal
		// would cancel.
		again func(t *testing.T, env *coretest.Env, first core.Referral) core.ReferralID
		works bool
	}{
		{"a new self-referral by text", func(t *testing.T, env *coretest.Env, _ core.Referral) core.ReferralID {
			res, err := env.Engine.SelfRefer(context.Background(), coretest.SelfReferral("sms-again"))
			if err != nil {
				t.Fatal(err)
			}
			return res.Referral.ID
		}, true},
		{"a web self-referral with a code texted to the phone", func(t *testing.T, env *coretest.Env, _ core.Referral) core.ReferralID {
			ctx := context.Background()
			if err := env.Engine.SendPhoneCode(ctx, "07700 900123", "web-session", "en"); err != nil {
				t.Fatal(err)
			}
			var id int64
			for _, e := range coretest.OutboxRows(t, env.Engine) {
				if e.Kind == core.OutboxPhoneCode {
					id = e.Payload.PhoneCodeID
				}
			}
			_, code, err := env.Engine.PhoneCodeText(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if err := env.Engine.CheckPhoneCode(ctx, "07700 900123", "web-session", code); err != nil {
				t.Fatal(err)
			}
			in := coretest.SelfReferral("web-again")
			in.Source, in.Consent.Channel, in.Consent.Evidence = core.SourceWeb, core.ChannelWeb, "web session web-again"
			in.PhoneProven, in.PhoneProofSession = false, "web-session"
			res, err := env.Engine.SelfRefer(ctx, in)
			if err != nil || !res.PhoneProven {
				t.Fatalf("web self-referral with the code: proven %v, %v", res.PhoneProven, err)
			}
			return res.Referral.ID
		}, true},
		{"a texted yes to the contact check", func(t *testing.T, env *coretest.Env, first core.Referral) core.ReferralID {
			answerContactCheck(t, env, first, true)
			return first.ID
		}, true},
		{"a texted no to the contact check", func(t *testing.T, env *coretest.Env, first core.Referral) core.ReferralID {
			answerContactCheck(t, env, first, false)
			return first.ID
		}, true},
		{"an adviser's referral with the same name and number", func(t *testing.T, env *coretest.Env, _ core.Referral) core.ReferralID {
			r, err := env.Engine.StaffRefer(context.Background(), core.StaffReferral{IdempotencyKey: "staff-again", By: env.Net.Adviser.Actor(),
				Client: core.ClientDetails{Name: "Morag Baird", Phone: "07700 900123", Postcode: "KY1 1AB"},
				Needs:  []core.Need{core.NeedBenefits}, ToAgency: env.Net.Welfare, ConsentConfirmed: true,
				WordingVersion: env.Net.ConsentVersion})
			if err != nil {
				t.Fatal(err)
			}
			return r.ID
		}, true},
		{"a web self-referral naming the number without a code", func(t *testing.T, env *coretest.Env, first core.Referral) core.ReferralID {
			in := coretest.SelfReferral("web-unproven")
			in.Source, in.Consent.Channel, in.Consent.Evidence = core.SourceWeb, core.ChannelWeb, "web session web-unproven"
			in.PhoneProven = false
			if _, err := env.Engine.SelfRefer(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			return first.ID
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := coretest.NewEnv(t)
			res, err := env.Engine.SelfRefer(context.Background(), coretest.SelfReferral("sms-first"))
			if err != nil {
				t.Fatal(err)
			}
			first := res.Referral
			acceptedByCAB(t, env, first)
			env.Clock.Advance(twoYears)
			refusedByText(t, env, first.ID, "SMbefore")

			env.Clock.Advance(time.Hour)
			r := c.again(t, env, first)
			if r == 0 {
				t.Fatal("no referral to withdraw")
			}
			env.Clock.Advance(30 * 24 * time.Hour)
			if c.works {
				withdrawnByText(t, env, r, "SMagain")
				return
			}
			refusedByText(t, env, r, "SMagain")
		})
	}
}

// answerContactCheck has the client answer "has the agency contacted
// you?" by text from their phone, as intake/sms does.
func answerContactCheck(t *testing.T, env *coretest.Env, r core.Referral, contacted bool) {
	t.Helper()
	ctx := context.Background()
	if err := env.Engine.AwaitReply(ctx, r.ID, core.AwaitContactCheck, env.Clock.Now().Add(7*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	a, ok, err := env.Engine.Awaiting(ctx, recycledPhone)
	if err != nil || !ok || a.ReferralID != r.ID {
		t.Fatalf("awaiting the contact check: %+v, %v, %v", a, ok, err)
	}
	if err := env.Engine.AnswerContactCheck(ctx, recycledPhone, r.ID, contacted); err != nil {
		t.Fatal(err)
	}
}

// TestRefusedWithdrawalByTextLogsNothingPersonal: the refusal is logged
// with the text's message id and why, and nothing that says who the
// client is or what their number is.
func TestRefusedWithdrawalByTextLogsNothingPersonal(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	logs := &coretest.LogBuffer{}
	eng := core.NewEngine(env.Pool, env.Crypt, env.Clock, env.IDs, slog.New(slog.NewTextHandler(logs, nil)))
	t.Cleanup(eng.Close)
	res, err := eng.SelfRefer(context.Background(), coretest.SelfReferral("sms-logged"))
	if err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(withdrawWindow + time.Hour)
	if done, err := eng.WithdrawByPhone(context.Background(), recycledPhone, "SMrefused0123"); done || err != nil {
		t.Fatalf("withdraw by text past the window: %v, %v", done, err)
	}
	got := logs.String()
	if !strings.Contains(got, "withdraw by text refused: the phone was last proven over 183 days ago") || !strings.Contains(got, "sid=SMrefused0123") {
		t.Errorf("the refusal was not logged with its reason and message id:\n%s", got)
	}
	for _, personal := range []string{"07700", "900123", "Morag", "Baird", "KY1", res.Referral.Reference} {
		if strings.Contains(got, personal) {
			t.Errorf("the log carries %q:\n%s", personal, got)
		}
	}
}

// TestPhoneLanguageOnlyWhileThePhoneIsRecent: a text from the phone of a
// client who wrote in Polish is answered in Polish (HELP, START, a text
// after the conversation ended) while they showed the phone to be theirs
// within six months; after that the number may be a stranger's, who
// would learn from the Polish that a Polish speaker had it, so no
// language is known for it.
func TestPhoneLanguageOnlyWhileThePhoneIsRecent(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	in := coretest.SelfReferral("sms-polish")
	in.Client.Language = "pl"
	if _, err := env.Engine.SelfRefer(ctx, in); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(withdrawWindow)
	if code, err := env.Engine.PhoneLanguage(ctx, recycledPhone); code != "pl" || err != nil {
		t.Errorf("the phone's language on the window's last second: %q, %v; want pl", code, err)
	}
	env.Clock.Advance(time.Second)
	if code, err := env.Engine.PhoneLanguage(ctx, recycledPhone); code != "" || err != nil {
		t.Errorf("the phone's language past the window: %q, %v; want none", code, err)
	}
	if code, err := env.Engine.PhoneLanguage(ctx, "+447700900999"); code != "" || err != nil {
		t.Errorf("a phone no client has: %q, %v; want none", code, err)
	}
}
