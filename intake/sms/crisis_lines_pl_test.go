package sms

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// The audit's Polish client: after greeting in Polish, they text "juz nie
// chce zyc, nie mam sily" to a network whose crisis lines are in English
// and give 999 and 116 123 themselves. The reply gives Samaritans and 999
// in Polish, each number once, then only the English line with a number
// of its own (Breathing Space); before, the English lines stood in for
// the Polish sentences.
func TestCrisisLinesPolishTextGetsPolishNumbers(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	n, err := h.env.Engine.Network(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lines := "If you are in danger now, call 999. Samaritans: 116 123, free, day or night. NHS 24: 111. " +
		"Breathing Space: 0800 83 85 87, evenings and weekends."
	if err := h.env.Engine.SetNetwork(ctx, h.env.Pool, core.NetworkSettings{Name: n.Name, Phone: n.Phone, OpeningHours: n.OpeningHours,
		CrisisLines: lines, DirectoryURL: n.DirectoryURL, DataSharingURL: n.DataSharingURL, Timezone: n.Timezone}); err != nil {
		t.Fatal(err)
	}
	phone := "+447700900520"
	// A Polish greeting as a first text: the questions in Polish, no menu.
	if got := strings.Join(h.text(phone, "Dzień dobry"), "\n"); !strings.Contains(got, "W czym potrzebujesz pomocy") {
		t.Fatalf("a first text in Polish answered %q; want Polish", got)
	}
	got := h.text(phone, "juz nie chce zyc, nie mam sily")
	if len(got) == 0 {
		t.Fatal("no reply to the crisis text")
	}
	reply := got[0]
	for _, want := range []string{
		"Nie musisz radzić sobie w pojedynkę.",
		"Samaritans, bezpłatnie, całą dobę: 116 123.",
		"Jeśli grozi Ci niebezpieczeństwo, dzwoń pod 999.",
		"Breathing Space: 0800 83 85 87, evenings and weekends.",
	} {
		if !strings.Contains(reply, want) {
			t.Errorf("the crisis reply %q lacks %q", reply, want)
		}
	}
	if strings.Count(reply, "999") != 1 || strings.Count(reply, "116 123") != 1 || strings.Contains(reply, "call 999") {
		t.Errorf("the crisis reply %q gives 999 or 116 123 twice, or in English", reply)
	}
}
