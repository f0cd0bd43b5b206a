package bot

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// TestCrisisBannerFollowsTheClock: a crisis referral made on a Saturday
// evening is due on Monday by the working-hours crisis clock, and its
// page says so ("acknowledge by 11:00 on Mon 30 Nov"), not "act today";
// while it is outside working hours the card names the network's
// helpline, and in working hours it does not.
func TestCrisisBannerFollowsTheClock(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	tb.Clock.Set(time.Date(2026, 11, 28, 19, 39, 0, 0, london)) // Saturday evening
	r, err := tb.Engine.StaffRefer(t.Context(), core.StaffReferral{IdempotencyKey: "crisis-banner", By: tb.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Fiona Fictional", Phone: "07700 900661", Postcode: "KY1 2BB"},
		Needs:  []core.Need{core.NeedFood}, ToAgency: tb.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1",
		Crisis: true, CrisisReason: "No food today"})
	if err != nil {
		t.Fatal(err)
	}
	if r.AckDueAt == nil || r.AckDueAt.In(london).Weekday() != time.Monday {
		t.Fatalf("the crisis is due %v, want on Monday (the crisis clock counts working hours)", r.AckDueAt)
	}
	due := "acknowledge by " + r.AckDueAt.In(london).Format("15:04 on Mon 2 Jan")
	banner := regexp.MustCompile(`<p class="badge crisis-badge">(.*?)</p>`)
	c := tb.signedIn(tb.Net.Adviser)
	_, body := c.get("/staff/referrals/" + r.Reference)
	m := banner.FindStringSubmatch(body)
	if m == nil || m[1] != "<strong>Crisis</strong> — "+due {
		t.Errorf("the crisis banner on Saturday reads %q, want %q", m, "Crisis — "+due)
	}
	if strings.Contains(body, "act today") {
		t.Errorf("the page says act today of a crisis due on Monday")
	}
	if !strings.Contains(body, "It is outside working hours: the network's helpline is 0800 000 0000 (Monday to Friday, 9am to 5pm).") {
		t.Errorf("out of hours, the crisis card does not name the network's helpline")
	}

	// Monday morning, in working hours: the same deadline, no helpline.
	tb.Clock.Set(time.Date(2026, 11, 30, 9, 30, 0, 0, london))
	_, body = c.get("/staff/referrals/" + r.Reference)
	if m := banner.FindStringSubmatch(body); m == nil || !strings.Contains(m[1], due) {
		t.Errorf("the crisis banner on Monday reads %q, want %q", m, due)
	}
	if strings.Contains(body, "the network's helpline is") {
		t.Errorf("in working hours, the crisis card names the helpline")
	}

	// Past the deadline it says so; once accepted, what comes next.
	tb.Clock.Set(r.AckDueAt.Add(time.Minute))
	if _, body = c.get("/staff/referrals/" + r.Reference); !strings.Contains(body, "<strong>Crisis</strong> — acknowledgement overdue") {
		t.Errorf("an overdue crisis does not say it is overdue")
	}
	tb.act(r, core.ActionAccept, tb.Net.Adviser)
	if _, body = c.get("/staff/referrals/" + r.Reference); !strings.Contains(body, "<strong>Crisis</strong> — contact the client as soon as you can") {
		t.Errorf("an accepted crisis does not say what comes next")
	}
}
