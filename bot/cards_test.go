package bot

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
)

// piiOfSeededClient is what coretest.SelfReferral's client tells us; none
// of it may appear on a card.
var piiOfSeededClient = []string{"Morag", "Baird", "07700", "900123", "7700900123", "1AB", "Rent arrears"}

func assertNoPII(t *testing.T, what string, s string) {
	t.Helper()
	// Random form tokens may spell a short piece of a postcode by chance.
	s = csrfRe.ReplaceAllString(s, `name="csrf" value=""`)
	s = tokenRe.ReplaceAllString(s, `name="token" value=""`)
	for _, p := range piiOfSeededClient {
		if strings.Contains(s, p) {
			t.Errorf("%s shows personal data %q:\n%s", what, p, s)
		}
	}
}

func TestCards(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	cfg := config.Config{SlackTriageChannel: "C0TRIAGE", SlackCrisisMention: "<!here>"}
	cards := NewCards(env.Engine, cfg)

	routed, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("cards-1"))
	if err != nil || routed.Agency == nil || routed.Agency.ID != n.CAB {
		t.Fatalf("self-referral should route to CAB: %+v %v", routed.Agency, err)
	}
	crisisIn := coretest.SelfReferral("cards-2")
	crisisIn.Crisis, crisisIn.LeafletCode = true, ""
	crisisIn.Client.Phone = "07700 900124"
	crisis, err := env.Engine.SelfRefer(ctx, crisisIn)
	if err != nil || crisis.Agency != nil {
		t.Fatalf("crisis self-referral should wait in triage: %v", err)
	}

	type want struct {
		channel, textPrefix string
	}
	check := func(name string, id core.ReferralID, kind string, w want) {
		t.Helper()
		channel, text, blocks, err := cards.Card(ctx, id, kind)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if channel != w.channel || !strings.HasPrefix(text, w.textPrefix) {
			t.Errorf("%s: channel %q text %q, want %q and text starting %q", name, channel, text, w.channel, w.textPrefix)
		}
		goldenJSON(t, "card_"+name, map[string]any{"channel": channel, "text": text, "blocks": blocks})
		b, _ := jsonString(blocks)
		assertNoPII(t, name, b+text)
	}

	check("agency_new", routed.Referral.ID, KindAgency, want{"C0CAB", "Referral ONW-T00001"})
	check("triage_crisis", crisis.Referral.ID, KindTriage, want{"C0TRIAGE", "<!here> Crisis referral"})

	env.Clock.Advance(65 * time.Minute)
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: crisis.Referral.ID, Action: core.ActionClaim, Actor: n.Coordinator.Actor()}); err != nil {
		t.Fatal(err)
	}
	check("triage_claimed", crisis.Referral.ID, KindTriage, want{"C0TRIAGE", "Crisis referral"})
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: crisis.Referral.ID, Action: core.ActionAssign, Actor: n.Coordinator.Actor(), ToAgency: n.Welfare}); err != nil {
		t.Fatal(err)
	}
	check("triage_assigned", crisis.Referral.ID, KindTriage, want{"C0TRIAGE", "Crisis referral"})
	check("agency_assigned", crisis.Referral.ID, KindAgency, want{"C0WELFARE", "Crisis referral"})

	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: routed.Referral.ID, Action: core.ActionAccept, Actor: n.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	check("agency_accepted", routed.Referral.ID, KindAgency, want{"C0CAB", "Referral ONW-T00001"})

	// Redirected: the card names where the client went and keeps no buttons.
	other, err := env.Engine.SelfRefer(ctx, func() core.SelfReferral {
		in := coretest.SelfReferral("cards-3")
		in.Client.Phone = "07700 900125"
		return in
	}())
	if err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(30 * time.Minute)
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: other.Referral.ID, Action: core.ActionRedirect, Actor: n.Adviser2.Actor(), ToAgency: n.Welfare}); err != nil {
		t.Fatal(err)
	}
	check("agency_redirected", other.Referral.ID, KindAgency, want{"C0CAB", "Referral"})

	// Overdue: the clock shows it.
	env.Clock.Advance(5 * 24 * time.Hour)
	check("triage_overdue", crisis.Referral.ID, KindAgency, want{"C0WELFARE", "Crisis referral"})

	if _, _, _, err := cards.Card(ctx, 999999, KindAgency); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("unknown referral: got %v, want ErrNotFound", err)
	}
	if _, _, _, err := NewCards(env.Engine, config.Config{}).Card(ctx, crisis.Referral.ID, KindTriage); !errors.Is(err, ErrNoChannel) {
		t.Errorf("no triage channel configured: got %v, want ErrNoChannel", err)
	}
}

func TestButtonValueRoundTrip(t *testing.T) {
	t.Parallel()
	id, ver, err := parseButtonValue(buttonValue(42, 7))
	if err != nil || id != 42 || ver != 7 {
		t.Fatalf("got %d %d %v", id, ver, err)
	}
	// Version 0 would be core's "whatever is current": no card has it
	// (review M2).
	for _, bad := range []string{"", "42", "x:1", "1:y", "-1:2", "1:2:3", "1:0", "1:-1"} {
		if _, _, err := parseButtonValue(bad); err == nil {
			t.Errorf("%q should not parse", bad)
		}
	}
}
