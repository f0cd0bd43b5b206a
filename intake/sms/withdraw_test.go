package sms

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
	"github.com/onward-network/onward/templates"
)

// outboxWorker is notify's worker on the harness's engine and clock, its
// texts going through the real Twilio client to a fake Twilio; a request
// to any other host fails the test.
func (h *smsHarness) outboxWorker(t *testing.T) (*notify.Worker, *notifytest.Twilio) {
	t.Helper()
	const apiToken = "0123456789abcdef0123456789abcdef" // the fake wants one in Twilio's shape
	fake := notifytest.NewTwilio(t, smsTestAccount, apiToken)
	cfg := config.Config{Env: "dev", PublicURL: smsTestPublicURL, TwilioAccountSID: smsTestAccount,
		TwilioAuthToken: apiToken, TwilioFrom: smsTestOurNumber, TwilioAPIURL: fake.URL(),
		WorkerBatch: 50, WorkerMaxAttempts: 8, WorkerPoll: 10 * time.Second}
	sender, err := notify.NewTwilioSender(cfg, notify.SenderOptions{Transport: notifytest.Guard(t, fake.URL())})
	if err != nil {
		t.Fatal(err)
	}
	w, err := notify.New(notify.Options{Engine: h.env.Engine, Config: cfg, Log: slog.New(slog.DiscardHandler),
		SMS: sender, Clock: h.env.Clock, Rand: rand.New(rand.NewPCG(1, 2)), DisableDigest: true})
	if err != nil {
		t.Fatal(err)
	}
	return w, fake
}

// drainOutbox runs the worker until nothing is due.
func drainOutbox(t *testing.T, w *notify.Worker) {
	t.Helper()
	for range 200 {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the outbox never drained")
}

// polishReferral walks phone through the conversation in Polish to a
// referral.
func (h *smsHarness) polishReferral(phone string) {
	h.t.Helper()
	for _, b := range []string{"POLSKI", "dług i czynsz", "KY1 1AB", "nie", "nie", "Ania Fikcyjna", "1", "tak", "rano", "TAK"} {
		h.text(phone, b)
	}
}

// The evening of the test clock's day (Europe/London is UTC in November);
// the network keeps quiet hours from 21:00 to 08:00.
var (
	afternoon   = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
	quietHours  = time.Date(2026, 11, 23, 21, 1, 0, 0, time.UTC)
	nextMorning = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
)

// TestWithdrawByTextConfirmedOnceAtOnce: a client who texts the withdraw
// keyword is told it is done by one text in their language, sent as soon
// as the worker runs whatever the hour: it answers their own text, which
// quiet hours do not hold back. The webhook's own reply is empty, and
// nothing more goes in the morning. The text is kept against the client
// by its SID, for an erasure to delete at Twilio.
func TestWithdrawByTextConfirmedOnceAtOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, keyword string
		at            time.Time
		polish        bool
		want          string
	}{
		{name: "in the afternoon", keyword: "WITHDRAW", at: afternoon, want: "We have recorded"},
		{name: "at 21:01", keyword: "WITHDRAW", at: quietHours, want: "We have recorded"},
		{name: "in Polish at 21:01", keyword: "WYCOFAJ", at: quietHours, polish: true, want: "Odnotowaliśmy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newSMSHarness(t)
			w, twilio := h.outboxWorker(t)
			if tc.polish {
				h.polishReferral(smsTestPhone)
			} else {
				h.referByText(smsTestPhone)
			}
			drainOutbox(t, w)
			before, kept := len(twilio.Accepted()), h.count("client_texts")

			h.env.Clock.Set(tc.at)
			if got := h.text(smsTestPhone, tc.keyword); len(got) != 0 {
				t.Fatalf("%s answered %q on the webhook; want the queued confirmation alone", tc.keyword, got)
			}
			// The withdrawal's text is kept against the client, so an
			// erasure deletes it at Twilio with their others.
			if n := h.count("client_texts") - kept; n != 1 {
				t.Errorf("%d more of the client's texts kept after %s, want 1", n, tc.keyword)
			}
			drainOutbox(t, w)
			texts := twilio.Accepted()[before:]
			if len(texts) != 1 || texts[0].To != smsTestPhone || !strings.Contains(texts[0].Body, tc.want) {
				t.Fatalf("after %s at %s the client got %+v, want one text saying %q", tc.keyword, tc.at.Format("15:04"), texts, tc.want)
			}

			h.env.Clock.Set(nextMorning)
			drainOutbox(t, w)
			if n := len(twilio.Accepted()) - before; n != 1 {
				t.Errorf("by the next morning the client got %d texts about the withdrawal, want 1", n)
			}
		})
	}
}

// TestWithdrawalNewsStillWaitsForTheMorning: quiet hours still hold back
// what Onward starts: a withdrawal a coordinator records at night, and a
// confirmation of the client's own text that could not go within the
// reply window, are texted at 08:00.
func TestWithdrawalNewsStillWaitsForTheMorning(t *testing.T) {
	t.Parallel()
	morning := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		withdraw func(h *smsHarness, r core.Referral)
		workerAt time.Time
	}{
		{"recorded by a coordinator", func(h *smsHarness, r core.Referral) {
			if _, err := h.env.Engine.WithdrawByReference(context.Background(), r.Reference,
				h.env.Net.Coordinator.Actor(), "web", "phone call"); err != nil {
				t.Fatal(err)
			}
		}, quietHours},
		{"texted, the worker 20 minutes late", func(h *smsHarness, _ core.Referral) {
			h.text(smsTestPhone, "WITHDRAW")
		}, quietHours.Add(20 * time.Minute)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newSMSHarness(t)
			w, twilio := h.outboxWorker(t)
			r := h.referByText(smsTestPhone)
			drainOutbox(t, w)
			before := len(twilio.Accepted())
			h.env.Clock.Set(quietHours)
			tc.withdraw(h, r)
			h.env.Clock.Set(tc.workerAt)
			drainOutbox(t, w)
			if n := len(twilio.Accepted()) - before; n != 0 {
				t.Fatalf("%d texts in quiet hours, want none before 08:00", n)
			}
			h.env.Clock.Set(morning)
			drainOutbox(t, w)
			texts := twilio.Accepted()[before:]
			if len(texts) != 1 || !strings.Contains(texts[0].Body, "We have recorded") {
				t.Fatalf("at 08:00 the client got %+v, want the confirmation", texts)
			}
		})
	}
}

// TestWithdrawWithNothingToWithdraw: the withdraw keyword from a phone
// with no consent to withdraw by text is answered at once, in the
// language of the text or the conversation, and nothing changes; the
// client who withdrew already is told so; a phone that opted out gets
// nothing.
func TestWithdrawWithNothingToWithdraw(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	withdrawn := func() int {
		t.Helper()
		var n int
		if err := h.env.Pool.QueryRow(ctx, `SELECT count(*) FROM consents WHERE withdrawn_at IS NOT NULL`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	stranger := h.text("+447700900777", "WITHDRAW")
	if len(stranger) != 1 || !strings.HasPrefix(stranger[0], "There is nothing we can withdraw by text") ||
		!strings.Contains(stranger[0], "Kingdom Advice Network on 0800 000 0000") {
		t.Fatalf("WITHDRAW from a phone with no client answered %q, want that nothing can be withdrawn and whom to call", stranger)
	}
	if got := strings.Join(h.text("+447700900778", "WYCOFAJ"), " "); !strings.HasPrefix(got, "Z tego numeru nie możemy") {
		t.Errorf("WYCOFAJ from a phone with no client answered %q, want Polish", got)
	}
	for _, b := range []string{"Hi", "УКРАЇНСЬКА"} { // a conversation in Ukrainian, not finished
		h.text("+447700900779", b)
	}
	if got := strings.Join(h.text("+447700900779", "WITHDRAW"), " "); !strings.HasPrefix(got, "З цього номера") {
		t.Errorf("WITHDRAW in a Ukrainian conversation answered %q, want Ukrainian", got)
	}
	if st := h.state("+447700900779"); st != nil {
		t.Errorf("the unfinished conversation was kept after WITHDRAW: %+v", st.Conv)
	}
	if withdrawn() != 0 {
		t.Fatal("a phone with no client withdrew someone's consent")
	}

	h.referByText(smsTestPhone)
	if got := h.text(smsTestPhone, "WITHDRAW"); len(got) != 0 || withdrawn() != 1 {
		t.Fatalf("the client's WITHDRAW: reply %q, %d consents withdrawn", got, withdrawn())
	}
	told := func() int {
		n := 0
		for _, e := range coretest.OutboxRows(t, h.env.Engine) {
			if e.Payload.Template == core.SMSConsentRemoved {
				n++
			}
		}
		return n
	}
	if got := h.text(smsTestPhone, "WITHDRAW"); len(got) != 1 || !strings.HasPrefix(got[0], "Your agreement to share your details is already withdrawn") || told() != 1 {
		t.Errorf("WITHDRAW again answered %q and queued %d confirmations; want that it is already withdrawn, and still one", got, told())
	}

	h.text("+447700900780", "STOP")
	if got := h.text("+447700900780", "WITHDRAW"); len(got) != 0 {
		t.Errorf("WITHDRAW from an opted-out phone answered %q, want nothing until START", got)
	}
}

// TestWithdrawCopyBudget holds the answer to the withdraw keyword to a
// client text's budget, as intake/flow's TestMessageBudgets does the
// flow's: English in GSM-7 and 3 segments, a translation 6, in every
// shipped language.
func TestWithdrawCopyBudget(t *testing.T) {
	cat, err := lang.Load(templates.FS, nil)
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{"Network": "Dunfermline and West Fife Advice Network", "Helpline": "0800 000 0000",
		"DataSharingURL": "https://onward.kingdom-advice-network.example.org/data-sharing"}
	for _, l := range cat.Languages() {
		for _, id := range []string{copyNothingToWithdraw, copyAlreadyWithdrawn} {
			if !cat.Has(l.Code, id) {
				t.Errorf("%s lacks %s", l.English, id)
				continue
			}
			text, err := cat.RenderData(l.Code, id, data)
			if err != nil {
				t.Fatal(err)
			}
			n, enc := core.SMSSegments(text)
			budget := 3
			if l.Code != lang.English {
				budget = 6
			} else if enc != core.SMSEncodingGSM7 {
				t.Errorf("%s: the English is %s; keep it to GSM-7:\n%s", id, enc, text)
			}
			if n > budget || !strings.Contains(text, "0800 000 0000") {
				t.Errorf("%s in %s: %d %s segments (budget %d), or no helpline:\n%s", id, l.English, n, enc, budget, text)
			}
			if id == copyNothingToWithdraw && !strings.Contains(text, data["DataSharingURL"].(string)) {
				t.Errorf("%s in %s gives no link:\n%s", id, l.English, text)
			}
		}
	}
}

// TestWithdrawTwiceInPolish: a Polish client texts WYCOFAJ and, a second
// later, "wycofuje zgode". The first is confirmed by core's text alone;
// the second is told in Polish that their agreement is already withdrawn,
// not that nothing can be withdrawn from their number, which read as
// contradicting the confirmation.
func TestWithdrawTwiceInPolish(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	h.polishReferral(smsTestPhone)
	if got := h.text(smsTestPhone, "WYCOFAJ"); len(got) != 0 {
		t.Fatalf("WYCOFAJ answered %q on the webhook, want the queued confirmation alone", got)
	}
	h.env.Clock.Advance(time.Second)
	got := strings.Join(h.text(smsTestPhone, "wycofuje zgode"), " ")
	if !strings.HasPrefix(got, "Twoja zgoda na przekazywanie danych jest już wycofana") {
		t.Errorf("the second withdrawal answered %q, want in Polish that it is already withdrawn", got)
	}
}
