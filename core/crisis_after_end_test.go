package core_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// crisisPhone is coretest.SelfReferral's phone, as a text's sender.
const crisisPhone = core.Phone("+447700900123")

// crisisAlerts are the crisis-after-end alert rows queued so far.
func crisisAlerts(t *testing.T, env *coretest.Env) []core.OutboxEntry {
	t.Helper()
	var out []core.OutboxEntry
	for _, e := range coretest.OutboxRows(t, env.Engine) {
		if e.Kind == core.OutboxAlert && e.Payload.Level == core.AlertCrisisAfterEnd {
			out = append(out, e)
		}
	}
	return out
}

// crisisEvents counts the crisis-after-end events of a client.
func crisisEvents(t *testing.T, env *coretest.Env, client core.ClientID) int {
	t.Helper()
	var n int
	if err := env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM events WHERE kind = $1 AND client_id = $2`,
		core.EventCrisisAfterEnd, client).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCrisisAfterEndAlertsStaffOncePerWindow: a client whose referral is
// with Kirkton Citizens Advice texts that they want to kill themselves.
// The coordinators and Kirkton are alerted with the reference alone; a
// retry of the same text records and alerts nothing more; the same words
// again within the hour are recorded without a second alert; words of
// danger after that alert at once, and self-harm again after the hour
// alerts again.
func TestCrisisAfterEndAlertsStaffOncePerWindow(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := referralIn(t, env, core.StatusRequested, "crisis-after-end")
	coretest.MarkOutboxSent(t, env.Pool)
	record := func(sid string, selfHarm, danger bool) core.CrisisAfterEndOutcome {
		t.Helper()
		out, err := env.Engine.RecordCrisisAfterEnd(ctx, core.CrisisAfterEnd{Reference: r.Reference, Phone: crisisPhone,
			SelfHarm: selfHarm, Danger: danger, MessageSID: sid})
		if err != nil {
			t.Fatalf("%s: %v", sid, err)
		}
		return out
	}

	if got := record("SMcrisis1", true, false); got != core.CrisisAlerted {
		t.Fatalf("the first crisis text: %s, want %s", got, core.CrisisAlerted)
	}
	alerts := crisisAlerts(t, env)
	if len(alerts) != 2 {
		t.Fatalf("%d alerts, want one for the coordinators and one for Kirkton: %+v", len(alerts), alerts)
	}
	coord, cab := alerts[0], alerts[1]
	if coord.Payload.Channel != "" || coord.Payload.ReferralID != r.ID || coord.ReferralID != nil {
		t.Errorf("the coordinators' alert: %+v; want the triage channel, about the referral in its payload only", coord)
	}
	if cab.Payload.Channel != core.AlertToAgency || cab.Payload.AgencyID != env.Net.CAB || cab.Payload.ReferralID != r.ID {
		t.Errorf("Kirkton's alert: %+v; want its channel, about its referral", cab.Payload)
	}
	for _, a := range alerts {
		text := a.Payload.Text
		if !strings.Contains(text, r.Reference) || !strings.Contains(text, "self-harm") || !strings.Contains(text, "crisis lines") {
			t.Errorf("alert %q lacks the reference, the kind or the crisis lines", text)
		}
		for _, pii := range []string{"Morag", "Baird", "07700", "900123", "KY1 1AB", "kill"} {
			if strings.Contains(text, pii) {
				t.Errorf("alert %q carries %q", text, pii)
			}
		}
	}

	if got := record("SMcrisis1", true, false); got != core.CrisisReplayed {
		t.Errorf("the same text again: %s, want %s", got, core.CrisisReplayed)
	}
	env.Clock.Advance(10 * time.Minute)
	if got := record("SMcrisis2", true, false); got != core.CrisisAlertedBefore {
		t.Errorf("self-harm again within the hour: %s, want %s", got, core.CrisisAlertedBefore)
	}
	if n := len(crisisAlerts(t, env)); n != 2 {
		t.Errorf("%d alerts after a retry and a second text within the hour, want still 2", n)
	}
	if n := crisisEvents(t, env, r.ClientID); n != 2 {
		t.Errorf("%d events, want one per text (the retry is not one)", n)
	}

	env.Clock.Advance(10 * time.Minute)
	if got := record("SMcrisis3", false, true); got != core.CrisisAlerted {
		t.Errorf("danger after self-harm: %s, want %s", got, core.CrisisAlerted)
	}
	alerts = crisisAlerts(t, env)
	if len(alerts) != 4 || !strings.Contains(alerts[2].Payload.Text, "danger") || !strings.Contains(alerts[2].Payload.Text, "999") {
		t.Fatalf("danger after self-harm: %+v, want a new alert of danger for each", alerts)
	}
	env.Clock.Advance(50 * time.Minute) // past the hour since the self-harm alert, not the danger one
	if got := record("SMcrisis4", true, true); got != core.CrisisAlerted {
		t.Errorf("self-harm again after the hour: %s, want %s", got, core.CrisisAlerted)
	}
	if got := record("SMcrisis5", false, true); got != core.CrisisAlertedBefore {
		t.Errorf("danger again within the hour: %s, want %s", got, core.CrisisAlertedBefore)
	}
	if n := len(crisisAlerts(t, env)); n != 6 {
		t.Errorf("%d alerts, want 6", n)
	}

	// Kirkton's staff read it on their referral; the client's words are
	// nowhere in it.
	tl := timelineOf(t, env, r.ID, env.Net.Adviser2.Actor())
	var alerted, quiet int
	for _, en := range tl {
		if en.Kind != core.EventCrisisAfterEnd {
			continue
		}
		if en.Actor != "the client" || en.CrisisWords == "" {
			t.Errorf("timeline entry %+v: want the client and the kind of words", en)
		}
		if en.Alerted {
			alerted++
		} else {
			quiet++
		}
	}
	if alerted != 3 || quiet != 2 {
		t.Errorf("the timeline tells %d alerted and %d not, want 3 and 2:\n%+v", alerted, quiet, tl)
	}
}

// TestCrisisAfterEndOnlyFromTheClientsPhone: a text from another phone
// naming the reference, an unknown reference and an erased client record
// and alert nothing.
func TestCrisisAfterEndOnlyFromTheClientsPhone(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := referralIn(t, env, core.StatusAccepted, "crisis-not-theirs")
	coretest.MarkOutboxSent(t, env.Pool)
	for i, c := range []core.CrisisAfterEnd{
		{Reference: r.Reference, Phone: "+447700900999"},
		{Reference: "ONW-NOSUCH", Phone: crisisPhone},
	} {
		c.SelfHarm, c.MessageSID = true, fmt.Sprintf("SMother%d", i)
		if got, err := env.Engine.RecordCrisisAfterEnd(ctx, c); err != nil || got != core.CrisisNotTheirs {
			t.Errorf("%+v: %s, %v; want %s", c, got, err, core.CrisisNotTheirs)
		}
	}
	if err := env.Engine.EraseClient(ctx, r.ClientID, env.Net.Coordinator.Actor(), core.ErasureClientAsked, "web"); err != nil {
		t.Fatal(err)
	}
	got, err := env.Engine.RecordCrisisAfterEnd(ctx, core.CrisisAfterEnd{Reference: r.Reference, Phone: crisisPhone,
		Danger: true, MessageSID: "SMerased"})
	if err != nil || got != core.CrisisNotTheirs {
		t.Errorf("after erasure: %s, %v; want %s", got, err, core.CrisisNotTheirs)
	}
	if a := crisisAlerts(t, env); len(a) != 0 {
		t.Errorf("alerts queued: %+v", a)
	}
	if n := crisisEvents(t, env, r.ClientID); n != 0 {
		t.Errorf("%d events recorded, want none", n)
	}
}

// TestCrisisAfterEndFollowsTheClientOn: the client's self-referral was
// redirected from Kirkton to Housing. The alert goes to Housing, which
// holds the referral carried on, and Housing's staff read the event on
// their referral's timeline; Kirkton, which let it go, hears nothing.
// After the client withdraws their consent, only the coordinators are
// alerted and the event is on no referral's timeline.
func TestCrisisAfterEndFollowsTheClientOn(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	r := referralIn(t, env, core.StatusRequested, "crisis-redirected")
	res := actor(t, env)(core.TransitionRequest{Referral: r.ID, Action: core.ActionRedirect, Actor: n.Adviser.Actor(),
		ToAgency: n.Housing, Feedback: "Housing can help sooner"})
	if res.Child == nil {
		t.Fatal("the redirect made no referral")
	}
	coretest.MarkOutboxSent(t, env.Pool)
	if got, err := env.Engine.RecordCrisisAfterEnd(ctx, core.CrisisAfterEnd{Reference: r.Reference, Phone: crisisPhone,
		Danger: true, MessageSID: "SMredirected"}); err != nil || got != core.CrisisAlerted {
		t.Fatalf("%s, %v", got, err)
	}
	alerts := crisisAlerts(t, env)
	if len(alerts) != 2 || alerts[1].Payload.AgencyID != n.Housing || alerts[1].Payload.ReferralID != res.Child.ID ||
		!strings.Contains(alerts[1].Payload.Text, res.Child.Reference) {
		t.Fatalf("alerts %+v; want the coordinators' and Housing's, about its referral", alerts)
	}
	housing := timelineOf(t, env, res.Child.ID, n.HousingAdviser.Actor())
	if en := entryOf(t, housing, "", core.EventCrisisAfterEnd, ""); en.CrisisWords != "danger" || !en.Alerted {
		t.Errorf("Housing reads %+v, want danger, alerted", en)
	}

	coretest.MarkOutboxSent(t, env.Pool)
	if _, err := env.Engine.WithdrawByReference(ctx, r.Reference, core.ClientActor, "sms", "SMwithdraw"); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(2 * time.Hour)
	if got, err := env.Engine.RecordCrisisAfterEnd(ctx, core.CrisisAfterEnd{Reference: r.Reference, Phone: crisisPhone,
		SelfHarm: true, MessageSID: "SMwithdrawn"}); err != nil || got != core.CrisisAlerted {
		t.Fatalf("after withdrawal: %s, %v", got, err)
	}
	alerts = crisisAlerts(t, env)[2:]
	if len(alerts) != 1 || alerts[0].Payload.Channel != "" || !strings.Contains(alerts[0].Payload.Text, "withdrawn their consent") {
		t.Errorf("after withdrawal: %+v; want the coordinators' alert alone, saying why", alerts)
	}
	for _, id := range []core.ReferralID{r.ID, res.Child.ID} {
		if got := countEvents(t, env, core.EventCrisisAfterEnd, id); id == r.ID && got != 1 || id == res.Child.ID && got != 0 {
			t.Errorf("referral %d has %d crisis events, want only the one from before the withdrawal", id, got)
		}
	}
	if n := crisisEvents(t, env, r.ClientID); n != 2 {
		t.Errorf("%d crisis events of the client, want 2", n)
	}
}

// TestCrisisAfterEndRecordedLateSaysWhen: a text held while PostgreSQL
// was down and recorded twenty minutes later says when the client texted,
// in the network's time, so nobody reads it as news of this minute.
func TestCrisisAfterEndRecordedLateSaysWhen(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	r := referralIn(t, env, core.StatusRequested, "crisis-late")
	coretest.MarkOutboxSent(t, env.Pool)
	texted := env.Clock.Now()
	env.Clock.Advance(20 * time.Minute)
	if got, err := env.Engine.RecordCrisisAfterEnd(context.Background(), core.CrisisAfterEnd{Reference: r.Reference, Phone: crisisPhone,
		SelfHarm: true, MessageSID: "SMlate", At: texted}); err != nil || got != core.CrisisAlerted {
		t.Fatalf("%s, %v", got, err)
	}
	cal, err := env.Engine.Calendar(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := "They texted at " + texted.In(cal.Location).Format("15:04 on 2 January") + ";"
	for _, a := range crisisAlerts(t, env) {
		if !strings.Contains(a.Payload.Text, want) {
			t.Errorf("alert %q does not say %q", a.Payload.Text, want)
		}
	}
}

// crisisEmails are the agencies' crisis-text email causes queued so far,
// with their dedupe keys.
func crisisEmails(t *testing.T, env *coretest.Env) (map[string]core.OutboxPayload, []string) {
	t.Helper()
	rows, err := env.Pool.Query(context.Background(), `SELECT dedupe_key, payload FROM outbox WHERE kind = $1 AND payload->>'email' = $2 ORDER BY id`,
		core.OutboxEmail, core.EmailClientCrisis)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]core.OutboxPayload{}
	var keys []string
	for rows.Next() {
		var key string
		var p core.OutboxPayload
		if err := rows.Scan(&key, &p); err != nil {
			t.Fatal(err)
		}
		out[key] = p
		keys = append(keys, key)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out, keys
}

// TestCrisisAfterEndQueuesTheAgencyEmail: beside Kirkton's Slack alert,
// one email to Kirkton is queued, keyed as that alert is: urgent, about
// its referral, saying the kinds of words (and, when the text was
// recorded late, when it came), never the words. Twilio's retry of the
// text and the same words again within the hour queue no second email;
// danger words do. Once the client has withdrawn their consent, no agency
// email is queued.
func TestCrisisAfterEndQueuesTheAgencyEmail(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := referralIn(t, env, core.StatusAccepted, "crisis-email")
	coretest.MarkOutboxSent(t, env.Pool)
	texted := env.Clock.Now()
	env.Clock.Advance(5 * time.Minute)
	record := func(sid string, selfHarm, danger bool, at time.Time) core.CrisisAfterEndOutcome {
		t.Helper()
		out, err := env.Engine.RecordCrisisAfterEnd(ctx, core.CrisisAfterEnd{Reference: r.Reference, Phone: crisisPhone,
			SelfHarm: selfHarm, Danger: danger, MessageSID: sid, At: at})
		if err != nil {
			t.Fatalf("%s: %v", sid, err)
		}
		return out
	}

	if got := record("SMmail1", true, false, texted); got != core.CrisisAlerted {
		t.Fatalf("the crisis text: %s", got)
	}
	emails, keys := crisisEmails(t, env)
	key := fmt.Sprintf("mail:crisis-after-end:SMmail1:agency:%d", env.Net.CAB)
	p, ok := emails[key]
	if len(emails) != 1 || !ok {
		t.Fatalf("agency emails %v, want one keyed %s", keys, key)
	}
	if p.AgencyID != env.Net.CAB || p.ReferralID != r.ID || !p.UrgentAlert() || p.CrisisText == nil ||
		!p.CrisisText.SelfHarm || p.CrisisText.Danger || p.CrisisText.TextedAt == nil || !p.CrisisText.TextedAt.Equal(texted) {
		t.Errorf("Kirkton's email %+v (%+v); want Kirkton, its referral, urgent, self-harm, texted at %s", p, p.CrisisText, texted)
	}
	if p.Text != "" || p.Channel != "" {
		t.Errorf("Kirkton's email carries words %q or a channel %q", p.Text, p.Channel)
	}
	alerts := crisisAlerts(t, env)
	if len(alerts) != 2 || alerts[1].Payload.AgencyID != env.Net.CAB {
		t.Fatalf("alerts %+v: want the coordinators' and Kirkton's still", alerts)
	}

	if got := record("SMmail1", true, false, texted); got != core.CrisisReplayed {
		t.Errorf("Twilio's retry: %s, want %s", got, core.CrisisReplayed)
	}
	if got := record("SMmail2", true, false, time.Time{}); got != core.CrisisAlertedBefore {
		t.Errorf("the same words within the hour: %s, want %s", got, core.CrisisAlertedBefore)
	}
	if _, keys := crisisEmails(t, env); len(keys) != 1 {
		t.Errorf("after a retry and the same words within the hour: emails %v, want still one", keys)
	}
	if got := record("SMmail3", false, true, time.Time{}); got != core.CrisisAlerted {
		t.Fatalf("danger words: %s", got)
	}
	emails, keys = crisisEmails(t, env)
	p = emails[fmt.Sprintf("mail:crisis-after-end:SMmail3:agency:%d", env.Net.CAB)]
	if len(keys) != 2 || p.CrisisText == nil || p.CrisisText.SelfHarm || !p.CrisisText.Danger || p.CrisisText.TextedAt != nil {
		t.Errorf("after danger words: emails %v, the new one %+v; want a second, of danger, recorded on time", keys, p.CrisisText)
	}

	if _, err := env.Engine.WithdrawByReference(ctx, r.Reference, core.ClientActor, "sms", "SMmailwithdraw"); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(2 * time.Hour)
	if got := record("SMmail4", true, true, time.Time{}); got != core.CrisisAlerted {
		t.Fatalf("after withdrawal: %s", got)
	}
	if _, keys := crisisEmails(t, env); len(keys) != 2 {
		t.Errorf("after the client withdrew their consent: emails %v, want no new one", keys)
	}
}

// TestCrisisAfterEndFromAnOptedOutPhoneSaysNoReply: the client texted
// words of danger from a phone that had opted out of texts, so Onward
// could not reply (CrisisAfterEnd.OptedOut). Every alert says so, and
// what to do instead, never that the reply gave them anything; the
// agency's email cause, the event, the timeline and the client's own
// subject access page carry the same fact.
func TestCrisisAfterEndFromAnOptedOutPhoneSaysNoReply(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := referralIn(t, env, core.StatusRequested, "crisis-opted-out")
	coretest.MarkOutboxSent(t, env.Pool)
	if got, err := env.Engine.RecordCrisisAfterEnd(ctx, core.CrisisAfterEnd{Reference: r.Reference, Phone: crisisPhone,
		Danger: true, MessageSID: "SMout1", OptedOut: true}); err != nil || got != core.CrisisAlerted {
		t.Fatalf("%s, %v", got, err)
	}
	alerts := crisisAlerts(t, env)
	if len(alerts) != 2 {
		t.Fatalf("%d alerts, want the coordinators' and Kirkton's", len(alerts))
	}
	for _, a := range alerts {
		text := a.Payload.Text
		for _, want := range []string{r.Reference, "words of danger", "Onward could not reply, as their phone has opted out of texts (they texted STOP)",
			"not sent 999 and the domestic abuse helpline", "Please contact them another way now, and call 999 if you believe they are in immediate danger."} {
			if !strings.Contains(text, want) {
				t.Errorf("alert %q does not say %q", text, want)
			}
		}
		if strings.Contains(text, "reply gave them") || strings.Contains(text, "check on them") {
			t.Errorf("alert %q says Onward replied", text)
		}
	}
	emails, keys := crisisEmails(t, env)
	if len(emails) != 1 {
		t.Fatalf("agency emails %v, want one", keys)
	}
	for _, p := range emails {
		if p.CrisisText == nil || !p.CrisisText.OptedOut || !p.CrisisText.Danger {
			t.Errorf("Kirkton's email says %+v; want danger, and that Onward could not reply", p.CrisisText)
		}
	}
	var optedOut bool
	if err := env.Pool.QueryRow(ctx, `SELECT (data->>'opted_out')::boolean FROM events WHERE kind = $1 AND data->>'message_sid' = 'SMout1'`,
		core.EventCrisisAfterEnd).Scan(&optedOut); err != nil || !optedOut {
		t.Errorf("the event's opted_out: %v, %v; want true", optedOut, err)
	}
	var seen bool
	for _, en := range timelineOf(t, env, r.ID, env.Net.Adviser2.Actor()) {
		if en.Kind == core.EventCrisisAfterEnd {
			seen = true
			if !en.CrisisOptedOut || en.CrisisWords != "danger" {
				t.Errorf("timeline entry %+v: want danger, and that Onward could not reply", en)
			}
		}
	}
	if !seen {
		t.Error("the crisis text is not on the referral's timeline")
	}

	sa, err := env.Engine.ExportClient(ctx, r.ClientID, env.Net.Coordinator.Actor(), "web",
		core.SubjectAccessRequest{Channel: core.RequestLetter, Received: env.Clock.Now(), Reference: "SAR-2026-015"})
	if err != nil {
		t.Fatal(err)
	}
	var page strings.Builder
	if err := core.WriteSubjectAccessHTML(&page, sa); err != nil {
		t.Fatal(err)
	}
	if html := page.String(); !strings.Contains(html, "we could not reply, as your phone had opted out of our texts") ||
		strings.Contains(html, "we replied with the crisis helplines") {
		t.Errorf("the subject access page does not say Onward could not reply:\n%s", html)
	}
}

// TestCrisisAfterEndOptedOutIsNews: within the hour after staff were
// told a client's danger words got 999 and the helpline, the same words
// from the phone after it opted out alert again, since this time Onward
// could not reply and staff must reach the client another way; a second
// such text within the hour does not.
func TestCrisisAfterEndOptedOutIsNews(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := referralIn(t, env, core.StatusRequested, "crisis-opted-out-news")
	coretest.MarkOutboxSent(t, env.Pool)
	for i, c := range []struct {
		optedOut bool
		want     core.CrisisAfterEndOutcome
	}{
		{false, core.CrisisAlerted},
		{true, core.CrisisAlerted},
		{true, core.CrisisAlertedBefore},
	} {
		env.Clock.Advance(5 * time.Minute)
		got, err := env.Engine.RecordCrisisAfterEnd(ctx, core.CrisisAfterEnd{Reference: r.Reference, Phone: crisisPhone,
			Danger: true, MessageSID: fmt.Sprintf("SMnews%d", i), OptedOut: c.optedOut})
		if err != nil || got != c.want {
			t.Errorf("text %d (opted out %v): %s, %v; want %s", i, c.optedOut, got, err, c.want)
		}
	}
}
