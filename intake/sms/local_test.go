package sms

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// A network's texts speak of its own area and its own crisis lines: a
// client who writes about ending their life is given the network's crisis
// lines (here Breathing Space) beside Samaritans and 999, and the postcode
// and town questions give the network's first district and its town as
// the example, not the demo's Fife.
func TestTextsGiveTheNetworksOwnLinesAndArea(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	eng := h.env.Engine
	n, err := eng.Network(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lines := "Breathing Space: 0800 83 85 87, evenings and weekends"
	if err := eng.ChangeSettings(ctx, func(tx pgx.Tx) error {
		if err := eng.SetNetwork(ctx, tx, core.NetworkSettings{Name: n.Name, Phone: n.Phone, OpeningHours: n.OpeningHours,
			CrisisLines: lines, DirectoryURL: n.DirectoryURL, DataSharingURL: n.DataSharingURL}); err != nil {
			return err
		}
		return eng.AddDistrict(ctx, tx, core.District{District: "AB10", CouncilArea: "S12000033", Town: "Aberdeen"})
	}); err != nil {
		t.Fatal(err)
	}
	phone := "+447700900555"
	got := h.text(phone, "I want to kill myself")
	if len(got) == 0 || !strings.Contains(got[0], lines+".") || !strings.Contains(got[0], "116 123") || !strings.Contains(got[0], "999") {
		t.Fatalf("the crisis reply is %q; want the network's lines with 116 123 and 999", got)
	}
	for _, c := range []struct{ body, want string }{
		{"1", "What do you need help with?"}, // English, from the language menu
		{"1", "For example AB10 1AB."},
		{"xyzzy", "Please send it like this: AB10 1AB."},
		{"don't know", "For example Aberdeen."},
	} {
		got := strings.Join(h.text(phone, c.body), "\n")
		if !strings.Contains(got, c.want) || strings.Contains(got, "KY1 1AB") || strings.Contains(got, "Kirkcaldy") {
			t.Errorf("%q answered %q; want %q", c.body, got, c.want)
		}
	}
}
