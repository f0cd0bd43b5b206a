package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// "Open now" honours the network's bank holidays: a service open Monday
// to Friday is not open on a bank holiday Monday, and is again on the
// Tuesday.
func TestDirectoryOpenNowOnABankHoliday(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	ctx := context.Background()
	svc := e.serviceOf(e.env.Net.CAB)
	if err := e.env.Engine.UpdateService(ctx, svc.ID, core.NewService{AgencyID: e.env.Net.CAB, Name: svc.Name, Needs: svc.Needs,
		PostcodeDistricts: svc.PostcodeDistricts, Languages: svc.Languages, OpeningHours: "Monday to Friday 9am to 5pm"},
		e.env.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	stAndrews := time.Date(2026, 11, 30, 11, 0, 0, 0, london) // a Monday
	listed := func(at time.Time) bool {
		t.Helper()
		e.env.Clock.Set(at)
		p := e.browser().get("/directory?need=debt&open=1")
		if p.Status != http.StatusOK {
			t.Fatalf("status %d", p.Status)
		}
		return strings.Contains(between(p.Body, `id="results"`, "</main>"), "Kirkton Citizens Advice")
	}
	if !listed(stAndrews) {
		t.Fatal("open Monday to Friday, yet not open on a Monday at 11:00")
	}
	if err := e.env.Engine.AddBankHoliday(ctx, e.env.Pool, stAndrews, "St Andrew's Day"); err != nil {
		t.Fatal(err)
	}
	if listed(stAndrews) {
		t.Error("shown open on a bank holiday")
	}
	if !listed(stAndrews.AddDate(0, 0, 1)) {
		t.Error("not open on the Tuesday after the bank holiday")
	}
}
