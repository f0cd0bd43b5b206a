package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// subjectAccessStory makes a client's record with a little of everything
// told on the subject access page: a self-referral by text (in summer,
// British Summer Time) accepted, seen, worked and completed by Kirkton
// Citizens Advice; a second referral an adviser made for them to one
// agency, turned down; then the export answering their letter.
func subjectAccessStory(t *testing.T, env *coretest.Env) core.SubjectAccess {
	t.Helper()
	ctx := context.Background()
	n := env.Net
	act := func(req core.TransitionRequest) {
		t.Helper()
		if _, err := env.Engine.Act(ctx, req); err != nil {
			t.Fatalf("%s: %v", req.Action, err)
		}
	}
	env.Clock.Set(time.Date(2026, 10, 20, 9, 15, 0, 0, time.UTC))
	in := coretest.SelfReferral("plain-words")
	in.Client.PreferredContact, in.Client.ContactTime = "call", "any"
	res, err := env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Referral
	env.Clock.Advance(2 * time.Hour)
	act(core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: n.Adviser.Actor()})
	if _, _, err := env.Engine.DiscloseClient(ctx, r.ID, n.Adviser.Actor(), "slack"); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(24 * time.Hour)
	act(core.TransitionRequest{Referral: r.ID, Action: core.ActionContact, Actor: n.Adviser.Actor()})
	env.Clock.Set(time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC))
	act(core.TransitionRequest{Referral: r.ID, Action: core.ActionComplete, Actor: n.Adviser.Actor(), Outcome: core.OutcomeHelpGiven})

	env.Clock.Set(coretest.Epoch)
	second, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "plain-words-2", By: n.WelfareAdviser.Actor(),
		Client: in.Client, Needs: []core.Need{core.NeedHousing}, ToAgency: n.Housing, ConsentConfirmed: true, WordingVersion: n.ConsentVersion})
	if err != nil {
		t.Fatal(err)
	}
	if second.ClientID != r.ClientID {
		t.Fatal("the adviser's referral made a client of its own; the story needs one client")
	}
	env.Clock.Advance(time.Hour)
	act(core.TransitionRequest{Referral: second.ID, Action: core.ActionReject, Actor: n.HousingAdviser.Actor(),
		Reason: core.ReasonNoCapacity, Feedback: "No appointments free this month"})
	env.Clock.Advance(time.Hour)
	sa, err := env.Engine.ExportClient(ctx, r.ClientID, n.Coordinator.Actor(), "web",
		core.SubjectAccessRequest{Channel: core.RequestLetter, Received: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Reference: "SAR-2026-014"})
	if err != nil {
		t.Fatal(err)
	}
	return sa
}

// TestSubjectAccessInPlainWords (review ops F9): the page a data
// protection officer hands a client reads in plain English: each event
// as a sentence saying who did what, statuses, needs and contact choices
// in words, times in the network's own time (UK time, the zone named),
// never the audit log's codes. The JSON keeps the codes beside their
// words, under snake_case keys throughout, with its own note on them.
// Both are golden files (testdata/subject_access.*.golden).
func TestSubjectAccessInPlainWords(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	sa := subjectAccessStory(t, env)

	var page strings.Builder
	if err := core.WriteSubjectAccessHTML(&page, sa); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	for _, want := range []string{
		"You asked for help by text message, and it was sent to Kirkton Citizens Advice",
		"You gave consent to share your details with every agency of the network, by text message",
		"Kirkton Citizens Advice accepted your referral",
		"Kirkton Citizens Advice saw your details in Slack",
		"Kirkton Citizens Advice contacted you about your referral",
		"Kirkton Citizens Advice finished helping you: help given",
		"Kingdom Council Welfare Rights referred you to Kingdom Housing Options",
		"You gave consent to share your details with Kingdom Housing Options, to a member of staff, who recorded it",
		"Kingdom Housing Options could not take your referral: no capacity just now",
		"Kingdom Advice Network Team made a copy of everything we hold about you, on the staff website, answering your request SAR-2026-014",
		"Where it stands: Completed (how it ended: Help given)",
		"Where it stands: Not accepted (No capacity just now)",
		"What you asked for help with: Debt.",
		"<dd>Phone call, any time</dd>",
		"<dd>07700 900123 (you showed us this phone is yours)</dd>",
		"20 Oct 2026, 10:15 BST", "23 Nov 2026, 12:00 GMT",
		"made on 23 November 2026 at 12:00 GMT to answer your request SAR-2026-014, which we received on 20 November 2026 (by letter)",
		"UK time (Europe/London)",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	for _, code := range []string{"consent.given", "referral.", "client.exported", "requested", "→", "<dd>call", "UTC", "in-progress"} {
		if strings.Contains(html, code) {
			t.Errorf("the page shows the code %q", code)
		}
	}
	coretest.Golden(t, "testdata/subject_access.html.golden", html)

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sa); err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if !snake.MatchString(k) {
					t.Errorf("%s: key %q is not snake_case", path, k)
				}
				walk(path+"."+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path+"[]", x)
			}
		}
	}
	walk("export", doc)
	for _, ev := range sa.Events {
		if ev.What == "" || strings.Contains(ev.What, string(ev.Kind)) {
			t.Errorf("the %s event at %s says %q", ev.Kind, ev.At, ev.What)
		}
	}
	if sa.Format != core.SubjectAccessFormat || len(sa.About) == 0 || sa.ExportNumber == 0 || sa.TimeZone != "Europe/London" {
		t.Errorf("the export says format %q, %d notes on its keys, number %d, time zone %q", sa.Format, len(sa.About), sa.ExportNumber, sa.TimeZone)
	}
	coretest.Golden(t, "testdata/subject_access.json.golden", buf.String())
}

// A data protection review: a client with no contact preference (one
// referred through the partner API, or erased) was shown "How to contact
// you �" on their subject access page. Neither given is no words at all,
// which the page shows as "Not given".
func TestContactWordsForNeitherAreEmpty(t *testing.T) {
	t.Parallel()
	if got := core.ContactWords(nil, "", ""); got != "" {
		t.Errorf("ContactWords with neither given = %q, want empty", got)
	}
}
