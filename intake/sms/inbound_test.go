package sms

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/twilio/twilio-go/client"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestTwilioSignature checks our signer against twilio-go's own fixture,
// so the harness signs exactly as Twilio does.
func TestTwilioSignature(t *testing.T) {
	t.Parallel()
	params := map[string]string{"Digits": "1234", "CallSid": "CA1234567890ABCDE", "To": "+18005551212",
		"Caller": "+14158675309", "From": "+14158675309", "ReasonConferenceEnded": "test", "Reason": "Participant"}
	got := TwilioSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params)
	if want := "vOEb5UThFn24KEfnOFLQY2AE5FY="; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
	v := client.NewRequestValidator(smsTestToken)
	_, form := encodeForm(inboundForm("SM"+strings.Repeat("ab", 16), smsTestPhone, "Hi"))
	if !v.Validate(smsTestPublicURL+"/twilio/sms", form, TwilioSignature(smsTestToken, smsTestPublicURL+"/twilio/sms", form)) {
		t.Fatal("twilio-go rejects our signature of an inbound form")
	}
}

func TestSMSSignatureRefused(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	form := inboundForm(h.nextSID(), smsTestPhone, "My rent arrears are awful")
	good := TwilioSignature(smsTestToken, smsTestPublicURL+"/twilio/sms", mustParams(form))
	tampered := slices.Clone(form)
	for i := range tampered {
		if tampered[i].k == "Body" {
			tampered[i].v = "STOP"
		}
	}
	cases := []struct {
		name string
		form []twilioField
		opt  postOpt
	}{
		{"missing", form, postOpt{unsigned: true}},
		{"forged with another token", form, postOpt{token: "not-our-token"}},
		{"garbage", form, postOpt{signature: "bm90IGEgc2lnbmF0dXJl"}},
		{"stale URL", form, postOpt{signURL: "https://old-host.example.org/twilio/sms"}},
		{"signed for the other endpoint", form, postOpt{signURL: smsTestPublicURL + "/twilio/status"}},
		{"body changed after signing", tampered, postOpt{signature: good}},
		{"query added after signing", form, postOpt{path: "/twilio/sms?x=1", signature: good}},
		{"host header spoofed", form, postOpt{signURL: "http://example.com/twilio/sms"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := h.post(c.form, c.opt)
			if rec.Code != http.StatusForbidden {
				t.Fatalf("status %d, want 403", rec.Code)
			}
		})
	}
	if st := h.state(smsTestPhone); st != nil {
		t.Errorf("a refused request started a conversation: %+v", st)
	}
	if n := h.count("sms_optouts"); n != 0 {
		t.Errorf("a refused STOP was recorded")
	}
	if strings.Contains(h.logs.String(), "rent arrears") || !strings.Contains(h.logs.String(), "twilio signature refused") {
		t.Errorf("refusals must be logged without the body:\n%s", h.logs.String())
	}
	// The same form, signed properly, goes through.
	if got := h.twiml(h.post(form, postOpt{})); len(got) == 0 {
		t.Fatal("a signed text got no reply")
	}
}

func mustParams(form []twilioField) map[string]string {
	_, p := encodeForm(form)
	return p
}

// TestSMSPublicURLWithPath: Twilio signs the URL it was given, path prefix
// and query included.
func TestSMSPublicURLWithQuery(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	rec := h.post(inboundForm(h.nextSID(), smsTestPhone, "Hi"), postOpt{path: "/twilio/sms?network=kingdom"})
	if got := h.twiml(rec); len(got) != 2 {
		t.Fatalf("replies %q", got)
	}
}

func TestSMSLegacyFieldNames(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	sid := h.nextSID()
	// An account on the old webhook format sends SmsSid only.
	form := []twilioField{{"AccountSid", smsTestAccount}, {"SmsSid", sid}, {"From", smsTestPhone},
		{"To", smsTestOurNumber}, {"Body", "Hi"}}
	if got := h.twiml(h.post(form, postOpt{})); len(got) != 2 {
		t.Fatalf("replies %q, want greeting and the languages", got)
	}
	if h.twiml(h.post(form, postOpt{}))[0] == "" {
		t.Fatal("a retry of a legacy form got no reply")
	}
	if st := h.state(smsTestPhone); st == nil || st.Conv.Step != "language" {
		t.Fatalf("state %+v", st)
	}
}

func TestSMSBadForms(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	noSID := []twilioField{{"From", smsTestPhone}, {"To", smsTestOurNumber}, {"Body", "Hi"}}
	if rec := h.post(noSID, postOpt{}); rec.Code != http.StatusBadRequest {
		t.Errorf("no MessageSid: status %d, want 400", rec.Code)
	}
	huge := inboundForm(h.nextSID(), smsTestPhone, strings.Repeat("a", 70<<10))
	if rec := h.post(huge, postOpt{}); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("70 KB form: status %d, want 413", rec.Code)
	}
	// An alphanumeric sender is nobody we can refer: nothing is sent.
	if got := h.text("KingdomBank", "Your code is 1234"); len(got) != 0 {
		t.Errorf("alphanumeric sender got %q", got)
	}
}

// TestSMSSameSIDThreeTimes: Twilio retries; the text is handled once and
// every delivery gets the first reply.
func TestSMSSameSIDThreeTimes(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	h.text(smsTestPhone, "Hi")
	sid := h.nextSID()
	first := h.textSID(sid, smsTestPhone, "1 3")
	for i := 0; i < 2; i++ {
		if again := h.textSID(sid, smsTestPhone, "1 3"); !slices.Equal(again, first) {
			t.Fatalf("delivery %d got %q, want %q", i+2, again, first)
		}
	}
	if st := h.state(smsTestPhone); st.Conv.Step != "postcode" || st.Conv.Misses != 0 {
		t.Fatalf("step %s misses %d: the text was handled more than once", st.Conv.Step, st.Conv.Misses)
	}
	for _, b := range []string{"KY1 1AB", "no", "no", "Ailsa Fictional", "1", "1"} {
		h.text(smsTestPhone, b)
	}
	yes := h.nextSID()
	var replies [][]string
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := h.textSID(yes, smsTestPhone, "YES")
			mu.Lock()
			replies = append(replies, r)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if n := h.count("referrals"); n != 1 {
		t.Fatalf("%d referrals from one YES delivered three times", n)
	}
	withReference := 0
	for _, r := range replies {
		if len(r) == 1 && strings.Contains(r[0], "ONW-T00001") {
			withReference++
		} else if len(r) != 0 {
			t.Errorf("a delivery got %q", r)
		}
	}
	if withReference == 0 {
		t.Fatal("no delivery got the reference")
	}
}

// TestSMSTwoTextsAtOnce: a second text arriving while the first is being
// handled waits for it, then is applied on top of it.
func TestSMSTwoTextsAtOnce(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	h.text(smsTestPhone, "Hi")
	entered, release := make(chan struct{}), make(chan struct{})
	h.sms.lockHook = func(body string) {
		if body == "1 3" {
			close(entered)
			<-release
		}
	}
	var first, second []string
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); first = h.text(smsTestPhone, "1 3") }()
	<-entered
	secondSID := h.nextSID()
	go func() { defer wg.Done(); second = h.textSID(secondSID, smsTestPhone, "KY1 1AB") }()
	// The second text has claimed its MessageSid and is waiting for the lock.
	for {
		n, err := h.rdb.Exists(context.Background(), h.sms.phoneKeys(hex.EncodeToString(h.env.Crypt.PhoneHash(smsTestPhone))).sid(secondSID)).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	st := h.state(smsTestPhone)
	if st.Conv.Step != "crisis_food" || st.Conv.Answers.Postcode != "KY1 1AB" || len(st.Conv.Answers.Needs) != 2 {
		t.Fatalf("state after both texts: %+v", st.Conv)
	}
	if len(first) != 1 || !strings.Contains(first[0], "postcode") || len(second) != 1 || !strings.Contains(second[0], "food") {
		t.Fatalf("replies %q then %q", first, second)
	}
}

// TestSMSManyTextsAtOnce: none of several simultaneous texts is lost.
func TestSMSManyTextsAtOnce(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	h.text(smsTestPhone, "Hi")
	h.text(smsTestPhone, "1") // English: each text below misses the needs question
	const n = 8
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			h.text(smsTestPhone, "hmm"+strings.Repeat("m", i))
		}()
	}
	close(start)
	wg.Wait()
	st := h.state(smsTestPhone)
	if st.Conv.Misses != n || len(st.Conv.Answers.FreeText) != n+1 {
		t.Fatalf("misses %d, free text %d entries: texts were lost", st.Conv.Misses, len(st.Conv.Answers.FreeText))
	}
}

// TestSMSOptOutOverTheLimit: a phone over its hourly limit that texts
// STOP (or a translation of it) is opted out, and told so once, like any
// other; the rest of its texts stay held back.
func TestSMSOptOutOverTheLimit(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t, func(c *Config) { c.SMSRatePerHour = 2 })
	for _, phone := range []string{smsTestPhone, "+447700900457"} {
		h.text(phone, "Hi")
		h.text(phone, "1")
		if got := h.text(phone, "help me"); len(got) != 0 {
			t.Fatalf("%s: a text over the limit was answered: %q", phone, got)
		}
	}
	for phone, stop := range map[string]string{smsTestPhone: "STOP", "+447700900457": "СТОП"} {
		if got := h.text(phone, stop); len(got) != 1 {
			t.Errorf("%s over the limit: %s got %q, want the opt-out's one confirmation", phone, stop, got)
		}
		if !h.optedOut(phone) {
			t.Errorf("%s over the limit: %s was not recorded", phone, stop)
		}
	}
}

// TestSMSOptInOverTheLimit: Twilio opts a phone back in on START (and
// answers it itself) however many texts came before it, so Onward records
// START past the hourly limit too, or its record would say "opted out"
// and skip every text to a client Twilio told they were back. It is
// recorded without a reply: past the limit a reply is a text to pay for.
func TestSMSOptInOverTheLimit(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t, func(c *Config) { c.SMSRatePerHour = 2 })
	h.text(smsTestPhone, "Hi")
	h.text(smsTestPhone, "STOP")
	if !h.optedOut(smsTestPhone) {
		t.Fatal("STOP was not recorded")
	}
	if got := h.text(smsTestPhone, "START"); len(got) != 0 {
		t.Errorf("START over the limit got %q, want no reply", got)
	}
	if h.optedOut(smsTestPhone) {
		t.Error("START over the limit was not recorded: the phone is still opted out, as Twilio's record is not")
	}
	if got := h.text(smsTestPhone, "help me"); len(got) != 0 {
		t.Errorf("a text over the limit after START was answered: %q", got)
	}
}

func TestSMSRateLimitPerPhone(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t, func(c *Config) { c.SMSRatePerHour = 4 })
	ctx := context.Background()
	first := h.text(smsTestPhone, "Hi")
	if len(first) == 0 {
		t.Fatal("the first text got no reply")
	}
	// Twilio retrying a text it sent is not the client texting again: it
	// gets the first reply and does not count.
	sid := h.nextSID()
	reply := h.textSID(sid, smsTestPhone, "1")
	if again := h.textSID(sid, smsTestPhone, "1"); !slices.Equal(again, reply) || len(reply) == 0 {
		t.Fatalf("a retried text got %q, first %q", again, reply)
	}
	for i, b := range []string{"1", "KY1 1AB"} {
		if got := h.text(smsTestPhone, b); len(got) == 0 {
			t.Fatalf("text %d of 4 got no reply: the retry was counted", i+3)
		}
	}
	over := h.nextSID()
	rec := h.post(inboundForm(over, smsTestPhone, "no"), postOpt{})
	if got := h.twiml(rec); len(got) != 0 {
		t.Fatalf("over the limit: replies %q, want none", got)
	}
	if !strings.Contains(rec.Body.String(), "<Response/>") && !strings.Contains(rec.Body.String(), "<Response></Response>") {
		t.Errorf("want an empty Response: %s", rec.Body.String())
	}
	if st := h.state(smsTestPhone); st.Conv.Step != "crisis_food" {
		t.Errorf("a text over the limit was applied: step %s", st.Conv.Step)
	}
	// Refused, the text holds neither its MessageSid nor the phone's lock,
	// and the count lasts at most the hour.
	keys := h.sms.phoneKeys(hex.EncodeToString(h.sms.engine.Crypter().PhoneHash(core.Phone(smsTestPhone))))
	if n, err := h.rdb.Exists(ctx, keys.sid(over), keys.lock).Result(); err != nil || n != 0 {
		t.Errorf("a text over the limit left %d of its MessageSid and the phone's lock in Redis (err %v)", n, err)
	}
	if ttl, err := h.rdb.PTTL(ctx, keys.count).Result(); err != nil || ttl <= 0 || ttl > phoneLimitWindow {
		t.Errorf("the phone's count expires in %s (err %v), want within %s", ttl, err, phoneLimitWindow)
	}
	if got := h.text("+447700900456", "Hi"); len(got) == 0 {
		t.Error("another phone is limited too")
	}
	// When the hour is over, the phone may text again.
	if err := h.rdb.Del(ctx, keys.count).Err(); err != nil {
		t.Fatal(err)
	}
	if got := h.text(smsTestPhone, "no"); len(got) == 0 {
		t.Error("after the hour the phone is still limited")
	}
}

func TestSMSRateLimitPerIP(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t, func(c *Config) { c.IPRatePerMinute = 2 })
	// Forged requests from one address: refused, then over the limit they
	// cost nothing more than a 429 (never a 200, which Twilio's debugger
	// would show as delivered).
	for i := 0; i < 2; i++ {
		if rec := h.post(inboundForm(h.nextSID(), smsTestPhone, "Hi"), postOpt{unsigned: true}); rec.Code != http.StatusForbidden {
			t.Fatalf("forged request %d: status %d, want 403", i+1, rec.Code)
		}
	}
	rec := h.post(inboundForm(h.nextSID(), smsTestPhone, "Hi"), postOpt{token: "wrong"})
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("forged request over the limit: status %d %q, want 429 with Retry-After", rec.Code, rec.Body.String())
	}
	if rec := h.post(inboundForm(h.nextSID(), smsTestPhone, "Hi"), postOpt{unsigned: true, remote: "198.51.100.7:5555"}); rec.Code != http.StatusForbidden {
		t.Fatalf("a forged request from another address: status %d, want 403 (its own limit is not reached)", rec.Code)
	}
	// Twilio's signed requests, from the same shared address, are not held
	// back by it: every client texts through it.
	for i := 0; i < 4; i++ {
		if got := h.twiml(h.post(inboundForm(h.nextSID(), fmt.Sprintf("+4477009001%02d", i), "Hi"), postOpt{})); len(got) == 0 {
			t.Fatalf("signed request %d got no reply", i+1)
		}
	}
	if st := h.state("+447700900103"); st == nil || !st.open() {
		t.Fatal("the fourth signed text started no conversation")
	}
}

// TestSMSRedisDown: without Redis the client gets the apology with the
// helpline, nothing is written, and STOP is still honoured.
func TestSMSRedisDown(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	h := newSMSHarnessOn(t, env, coretest.UnreachableRedis(t), "onward-test-down:")
	for _, body := range []string{"Hi", "1", "YES", "", "🙂"} {
		got := h.text(smsTestPhone, body)
		if len(got) != 1 || !strings.Contains(got[0], "isn't working right now") || !strings.Contains(got[0], "0800 000 0000") {
			t.Fatalf("%q: replies %q, want the apology with the helpline", body, got)
		}
	}
	for _, table := range []string{"clients", "consents", "referrals", "events", "sms_optouts"} {
		if n := h.count(table); n != 0 {
			t.Errorf("%d rows in %s", n, table)
		}
	}
	if n := len(coretest.OutboxRows(t, h.env.Engine)); n != 0 {
		t.Errorf("%d rows in outbox", n)
	}
	if got := h.text(smsTestPhone, "STOP"); len(got) != 1 || !strings.Contains(got[0], "won't get any more texts") {
		t.Fatalf("STOP without Redis: %q", got)
	}
	if !h.optedOut(smsTestPhone) {
		t.Fatal("STOP without Redis was not recorded")
	}
	if got := h.text(smsTestPhone, "help"); len(got) != 1 || !strings.Contains(got[0], "Samaritans") {
		t.Fatalf("HELP without Redis: %q", got)
	}
}

// TestSMSDatabaseDownAtYes: Postgres does not answer when the client says
// YES; they are asked to send again and the conversation waits at
// consent, so the next YES makes the referral.
func TestSMSDatabaseDownAtYes(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	rdb, prefix := coretest.NewRedis(t)
	pool, err := pgxpool.New(context.Background(), env.URL)
	if err != nil {
		t.Fatal(err)
	}
	downEnv := *env
	downEnv.Pool = pool
	downEnv.Engine, _, _, _ = coretest.NewEngine(t, pool)
	down := newSMSHarnessOn(t, &downEnv, rdb, prefix)
	for _, b := range []string{"Hi", "1", "1", "KY1 1AB", "no", "no", "Ailsa Fictional", "1", "1"} {
		down.text(smsTestPhone, b)
	}
	pool.Close() // the database is gone for this engine
	got := down.text(smsTestPhone, "yes")
	if len(got) != 1 || !strings.Contains(got[0], "couldn't save your reply") || !strings.Contains(got[0], "0800 000 0000") {
		t.Fatalf("replies %q, want the apology", got)
	}
	if st := down.state(smsTestPhone); st.Conv.Step != "consent" {
		t.Fatalf("step %s, want consent", st.Conv.Step)
	}
	up := newSMSHarnessOn(t, env, rdb, prefix)
	up.seq = down.seq
	if got := up.text(smsTestPhone, "yes"); len(got) != 1 || !strings.Contains(got[0], "ONW-T00001") {
		t.Fatalf("second YES: %q", got)
	}
	if n := up.count("referrals"); n != 1 {
		t.Fatalf("%d referrals", n)
	}
}

func TestSMSContactCheckAndFeedback(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	r := h.referByText(smsTestPhone)
	if _, err := h.env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: h.env.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	week := h.env.Clock.Now().Add(7 * 24 * time.Hour)
	if err := h.env.Engine.AwaitReply(ctx, r.ID, core.AwaitContactCheck, week); err != nil {
		t.Fatal(err)
	}
	got := h.text(smsTestPhone, " 1.")
	if len(got) != 1 || !strings.Contains(got[0], "glad an adviser has been in touch") {
		t.Fatalf("contact check answer: %q", got)
	}
	r, _ = h.env.Engine.Referral(ctx, r.ID)
	if r.Status != core.StatusInProgress || r.ContactedAt == nil {
		t.Fatalf("referral %s contacted %v, want in-progress", r.Status, r.ContactedAt)
	}
	// Answered: a second "1" is the conversation's again.
	if got := h.text(smsTestPhone, "1"); len(got) != 1 || !strings.Contains(got[0], "already have your answers") {
		t.Fatalf("after the answer: %q", got)
	}

	if err := h.env.Engine.AwaitReply(ctx, r.ID, core.AwaitFeedback, week); err != nil {
		t.Fatal(err)
	}
	if got := h.text(smsTestPhone, "4"); len(got) != 1 || !strings.Contains(got[0], "a few words about the help") {
		t.Fatalf("feedback answer: %q", got)
	}
	var score int
	if err := h.env.Pool.QueryRow(ctx, "SELECT feedback_score FROM referrals WHERE id = $1", r.ID).Scan(&score); err != nil || score != 4 {
		t.Fatalf("feedback score %d (%v), want 4", score, err)
	}
}

func TestSMSContactCheckNo(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	r := h.referByText(smsTestPhone)
	if _, err := h.env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: h.env.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	if err := h.env.Engine.AwaitReply(ctx, r.ID, core.AwaitContactCheck, h.env.Clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// "3" is no answer to a contact check: the question is asked again.
	if got := h.text(smsTestPhone, "3"); len(got) != 1 || !strings.Contains(got[0], "Reply 1 for yes, 2 for no") {
		t.Fatalf("3: %q", got)
	}
	if got := h.text(smsTestPhone, "2"); len(got) != 1 || !strings.Contains(got[0], "follow this up") {
		t.Fatalf("2: %q", got)
	}
	var alerts int
	for _, o := range coretest.OutboxRows(t, h.env.Engine) {
		if o.Kind == core.OutboxAlert && o.ReferralID != nil && *o.ReferralID == r.ID {
			alerts++
		}
	}
	if alerts != 1 {
		t.Fatalf("%d not-contacted alerts, want 1", alerts)
	}
}

// TestSMSStopIsNotConsentWithdrawal: STOP after a referral stops texts and
// leaves the referral and its consent alone.
func TestSMSStopIsNotConsentWithdrawal(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	for _, b := range []string{"Hi", "1", "1", "KY1 1AB", "no", "no", "Ailsa Fictional", "1", "1", "yes", "STOP"} {
		h.text(smsTestPhone, b)
	}
	if !h.optedOut(smsTestPhone) {
		t.Fatal("STOP not recorded")
	}
	var withdrawn int
	var status string
	if err := h.env.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM consents WHERE withdrawn_at IS NOT NULL),
		(SELECT status FROM referrals)`).Scan(&withdrawn, &status); err != nil {
		t.Fatal(err)
	}
	if withdrawn != 0 || status != string(core.StatusRequested) {
		t.Fatalf("STOP withdrew %d consents; referral %s", withdrawn, status)
	}
	if got := h.text(smsTestPhone, "1"); len(got) != 0 {
		t.Fatalf("an opted-out phone got %q", got)
	}
}

// TestSMSTwilioOptOutType: with Twilio's Advanced Opt-Out, Twilio marks
// the texts it read as opt-out keywords, in any language it was set up
// for; our record follows Twilio's.
func TestSMSTwilioOptOutType(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	h.text(smsTestPhone, "Hi")
	form := append(inboundForm(h.nextSID(), smsTestPhone, "ARRET"), twilioField{"OptOutType", "STOP"})
	h.twiml(h.post(form, postOpt{}))
	if !h.optedOut(smsTestPhone) {
		t.Fatal("Twilio's STOP was not recorded")
	}
	form = append(inboundForm(h.nextSID(), smsTestPhone, "DEMARRER"), twilioField{"OptOutType", "START"})
	if got := h.twiml(h.post(form, postOpt{})); len(got) != 1 || !strings.Contains(got[0], "Welcome back") {
		t.Fatalf("Twilio's START: %q", got)
	}
	if h.optedOut(smsTestPhone) {
		t.Fatal("Twilio's START was not recorded")
	}
}

// TestSMSExpiredInRedis: Redis dropped the conversation at its TTL; the
// next text starts again with an apology, and a first-ever text without.
func TestSMSExpiredInRedis(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	h.text(smsTestPhone, "Hi")
	h.text(smsTestPhone, "1")
	keys := h.sms.phoneKeys(hex.EncodeToString(h.env.Crypt.PhoneHash(smsTestPhone)))
	ttl, err := h.rdb.PTTL(context.Background(), keys.conv).Result()
	if err != nil || ttl <= 23*time.Hour || ttl > 24*time.Hour {
		t.Fatalf("conversation TTL %s (%v), want 24h", ttl, err)
	}
	if err := h.rdb.Del(context.Background(), keys.conv).Err(); err != nil { // what the TTL does
		t.Fatal(err)
	}
	got := h.text(smsTestPhone, "KY1 1AB")
	if len(got) != 3 || !strings.Contains(got[0], "started again") || !strings.Contains(got[1], "Hello from") {
		t.Fatalf("after expiry: %q", got)
	}
	if got := h.text("+447700900555", "Hi"); len(got) != 2 || strings.Contains(got[0], "started again") {
		t.Fatalf("first text: %q", got)
	}
}

// TestSMSLockBusy: a text that cannot take the phone's lock within
// LockWait gets the fault apology and forgets its MessageSid, so Twilio's
// retry of the same text is answered once the lock is free.
func TestSMSLockBusy(t *testing.T) {
	t.Parallel()
	const lockWait = 300 * time.Millisecond
	h := newSMSHarness(t, func(c *Config) { c.LockWait = lockWait })
	ctx := context.Background()
	keys := h.sms.phoneKeys(hex.EncodeToString(h.env.Crypt.PhoneHash(smsTestPhone)))
	if err := h.rdb.Set(ctx, keys.lock, "another text", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	sid := h.nextSID()
	start := time.Now()
	got := h.textSID(sid, smsTestPhone, "Hi")
	took := time.Since(start)
	if len(got) != 1 || !strings.Contains(got[0], "couldn't save your reply") {
		t.Fatalf("while the lock is held: %q, want the fault apology", got)
	}
	if took < lockWait || took > lockWait+5*time.Second {
		t.Errorf("gave up after %s, want about the lock wait (%s)", took, lockWait)
	}
	if err := h.rdb.Del(ctx, keys.lock).Err(); err != nil {
		t.Fatal(err)
	}
	if got := h.textSID(sid, smsTestPhone, "Hi"); len(got) == 0 || strings.Contains(got[0], "couldn't save your reply") {
		t.Fatalf("Twilio's retry once the lock is free: %q, want the greeting", got)
	}
}

// Keywords work in every shipped language (Twilio and the carriers know
// only the English ones, so these are Onward's own records): Ukrainian
// СТОП opts out and СТАРТ back in; Polish POMOC gets the help text; a
// Polish client's WYCOFAJ withdraws consent like the network's WITHDRAW.
func TestSMSKeywordsInEveryLanguage(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	h.text(smsTestPhone, "Привіт")
	h.text(smsTestPhone, "СТОП")
	if !h.optedOut(smsTestPhone) {
		t.Fatal("СТОП not recorded as an opt-out")
	}
	h.text(smsTestPhone, "старт")
	if h.optedOut(smsTestPhone) {
		t.Fatal("СТАРТ did not opt back in")
	}

	const polish = "+447700900456"
	for _, b := range []string{"POLSKI", "dług i czynsz", "KY1 1AB", "nie", "nie", "Ania Fikcyjna", "1", "tak", "rano", "TAK"} {
		h.text(polish, b)
	}
	if got := strings.Join(h.text(polish, "Pomoc!"), " "); !strings.Contains(got, "pomaga znaleźć bezpłatną poradę") {
		t.Errorf("POMOC answered %q, want the Polish help text", got)
	}
	var withdrawn int
	count := func() {
		t.Helper()
		if err := h.env.Pool.QueryRow(ctx, `SELECT count(*) FROM consents WHERE withdrawn_at IS NOT NULL`).Scan(&withdrawn); err != nil {
			t.Fatal(err)
		}
	}
	count()
	if withdrawn != 0 || h.count("referrals") != 1 {
		t.Fatalf("before WYCOFAJ: %d withdrawn, %d referrals", withdrawn, h.count("referrals"))
	}
	h.text(polish, "WYCOFAJ")
	count()
	if withdrawn != 1 {
		t.Errorf("WYCOFAJ withdrew %d consents, want 1", withdrawn)
	}
}

// After a conversation has ended — finished, dropped by STOP or expired —
// the client's texts are answered in the language on their record: START
// and HELP in Polish, and a new conversation starts in Polish with no
// language menu.
func TestSMSRepliesAfterTheConversationInTheClientsLanguage(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	const polish = "+447700900456"
	for _, b := range []string{"POLSKI", "dług i czynsz", "KY1 1AB", "nie", "nie", "Ania Fikcyjna", "1", "tak", "rano", "TAK"} {
		h.text(polish, b)
	}
	h.text(polish, "STOP")
	for _, c := range []struct{ body, want string }{
		{"START", "Witamy ponownie"},
		{"HELP", "pomaga znaleźć bezpłatną poradę"},
	} {
		if got := strings.Join(h.text(polish, c.body), " "); !strings.Contains(got, c.want) {
			t.Errorf("%s answered %q, want Polish (%q)", c.body, got, c.want)
		}
	}
	h.env.Clock.Advance(25 * time.Hour)
	got := h.text(polish, "mam znowu problem z czynszem")
	if len(got) == 0 || !strings.HasPrefix(got[0], "Dzień dobry") || strings.Contains(strings.Join(got, " "), "1 English") {
		t.Errorf("a new conversation for a Polish client = %q, want Polish with no language menu", got)
	}
	if st := h.state(polish); st == nil || st.Conv.Lang != "pl" {
		t.Errorf("new conversation's language = %+v, want pl", st)
	}
}

// TestSMSYesOptsBackIn: Twilio opts a phone back in on a lone YES as on
// START, so Onward does too, for a phone that opted out; for any other
// phone YES is an answer, and "yes please" is not a keyword.
func TestSMSYesOptsBackIn(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	h.text(smsTestPhone, "STOP")
	if got := h.text(smsTestPhone, "yes please"); len(got) != 0 || !h.optedOut(smsTestPhone) {
		t.Fatalf("'yes please' from an opted-out phone: replies %q, opted out %v; want none, still out", got, h.optedOut(smsTestPhone))
	}
	if got := h.text(smsTestPhone, "Yes."); len(got) == 0 || h.optedOut(smsTestPhone) {
		t.Fatalf("YES from an opted-out phone: replies %q, opted out %v; want it opted back in and answered", got, h.optedOut(smsTestPhone))
	}
	if got := h.text(smsTestPhone, "Hi"); len(got) == 0 {
		t.Fatal("no reply after YES")
	}
}

// TestTwilioWebhooksTakeOnlyForms: Twilio posts its webhooks as a form,
// and the server's edge checks only form bodies for bytes no column can
// store, so a signed body of any other type is refused (415) before it
// is read, on both webhooks, and nothing is done; the form type with a
// charset is Twilio's own and is taken.
func TestTwilioWebhooksTakeOnlyForms(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	sid := h.nextSID()
	h.sentSMS("t-content-type", sid)
	for _, ct := range []string{"text/plain", "application/json", "multipart/form-data; boundary=x", "nonsense/"} {
		if rec := h.post(inboundForm(h.nextSID(), smsTestPhone, "Hi"), postOpt{contentType: ct}); rec.Code != http.StatusUnsupportedMediaType {
			t.Errorf("/twilio/sms as %s: status %d, want 415", ct, rec.Code)
		}
		if rec := h.post(statusForm(sid, "failed", "3\x00", smsTestPhone), postOpt{path: "/twilio/status", contentType: ct}); rec.Code != http.StatusUnsupportedMediaType {
			t.Errorf("/twilio/status as %s: status %d, want 415", ct, rec.Code)
		}
	}
	if s, _ := h.delivery(sid); s != "" {
		t.Errorf("a refused callback was recorded: %q", s)
	}
	if got := h.state(smsTestPhone); got != nil {
		t.Errorf("a refused text started a conversation: %+v", got.Conv)
	}
	rec := h.post(inboundForm(h.nextSID(), smsTestPhone, "Hi"), postOpt{contentType: "application/x-www-form-urlencoded; charset=UTF-8"})
	if got := h.twiml(rec); rec.Code != http.StatusOK || len(got) == 0 {
		t.Errorf("the form type with a charset: %d %q, want a reply", rec.Code, got)
	}
}
