package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
)

// sectionTexts are the texts of the section blocks of a message or view,
// in order, each checked against Slack's 3000 characters.
func sectionTexts(t *testing.T, where string, blocks []any) []string {
	t.Helper()
	var out []string
	for _, b := range blocks {
		if str(obj(b)["type"]) != "section" {
			continue
		}
		text := str(obj(obj(b)["text"])["text"])
		if n := len([]rune(text)); n > sectionMax {
			t.Errorf("%s: a section of %d characters, over Slack's %d", where, n, sectionMax)
		}
		out = append(out, text)
	}
	return out
}

// TestLongTextShownWholeInSlack: a section block takes 3000 characters,
// and View details used to cut everything past that, so the last part of
// a client's notes (the staff web and SMS take 4000) never reached the
// adviser, with nothing to say so. The same cut took the end off a long
// consent wording on /refer, the words the client is asked to agree to.
// Both are laid over as many sections as they need.
func TestLongTextShownWholeInSlack(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := t.Context()
	words := strings.Repeat("rent ", 797) + "LASTWORDS" // 3994 characters, broken at spaces
	amps := strings.Repeat("&", 3990) + "LAST"          // no space to break at: &amp; is never split
	for i, notes := range []string{words, amps} {
		in := coretest.SelfReferral(fmt.Sprint("long-notes-", i))
		in.Client.Phone = fmt.Sprintf("07700 9%05d", phoneSeq.Add(1))
		in.Client.Notes = notes
		res, err := tb.Engine.SelfRefer(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		r := res.Referral
		tb.slack.reset()
		wantStatus(t, tb.interact(tb.blockAction("U0AILSA", "C0CAB", "details", buttonValue(r.ID, r.Version))), 200)
		tb.bot.wait()
		eph := tb.slack.called("chat.postEphemeral")
		if len(eph) != 1 {
			t.Fatalf("want one details ephemeral, got %d", len(eph))
		}
		var blocks []any
		if err := json.Unmarshal([]byte(eph[0].Form.Get("blocks")), &blocks); err != nil {
			t.Fatal(err)
		}
		shown := strings.Join(sectionTexts(t, "View details", blocks), "")
		if want := escMrkdwn(notes); !strings.Contains(strings.ReplaceAll(shown, " ", ""), strings.ReplaceAll(want, " ", "")) {
			t.Errorf("View details does not show the notes whole (%d characters shown of the notes' %d)", len([]rune(shown)), len([]rune(want)))
		}
	}

	wording := strings.Repeat("We keep what you tell us to help you. ", 120) + "You can withdraw at any time."
	if err := tb.Engine.PublishConsentWording(ctx, tb.Engine.Pool(), "v-long", wording); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, tb.command("U0AILSA", "/refer", ""), 200)
	body := wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0LONGWORDS", cbReferStart, "",
		map[string]any{blkNeeds: multi("housing"), blkPostcode: typed("KY1 2CD")})), 200)
	step2 := checkResponseView(t, "/refer step two", body)
	blocks, _ := step2["blocks"].([]any)
	shown := strings.Join(sectionTexts(t, "/refer step two", blocks), " ")
	if !strings.Contains(strings.Join(strings.Fields(shown), " "), strings.TrimSpace(wording)) {
		t.Errorf("/refer does not show the consent wording whole:\n%s", shown)
	}
}
