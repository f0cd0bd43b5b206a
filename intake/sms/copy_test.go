package sms

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
)

// TestTextKeysFollowTheSettings: the network keys are built once for
// settings that stay the same, and afresh when anything a text names
// changes: the helpline, the hours, the wording, the crisis lines, the
// example postcode and town.
func TestTextKeysFollowTheSettings(t *testing.T) {
	s := &SMS{}
	n := core.Network{Name: "Kingdom Advice Network", Phone: "0800 000 0000", OpeningHours: "9 to 5",
		DirectoryURL: "https://onward.example/directory", DataSharingURL: "https://onward.example/sharing"}
	w := core.ConsentWording{Version: "v1", Body: "We share your details with the agencies that can help."}
	ex := flow.AreaExample{Postcode: "KY1 1AB", Town: "Kirkcaldy"}
	first := s.keysFor(n, w, ex)
	if first["Helpline"] != n.Phone || first["ConsentWording"] != w.Body {
		t.Fatalf("keys %v", first)
	}
	same := n
	same.WorkingDays = []int32{1, 2, 3} // not a key texts use
	kept := s.textKeys.Load()
	if again := s.keysFor(same, w, ex); again["Network"] != n.Name || len(again) != len(first) || s.textKeys.Load() != kept {
		t.Fatalf("the same settings built the keys again, or others: %v", again)
	}
	if s.textKeys.Load().keys["Hours"] != "9 to 5" {
		t.Fatal("the kept keys lost the hours")
	}
	for name, change := range map[string]func(*core.Network, *core.ConsentWording, *flow.AreaExample){
		"Helpline": func(n *core.Network, _ *core.ConsentWording, _ *flow.AreaExample) { n.Phone = "0800 111 1111" },
		"Hours":    func(n *core.Network, _ *core.ConsentWording, _ *flow.AreaExample) { n.OpeningHours = "10 to 4" },
		"Network":  func(n *core.Network, _ *core.ConsentWording, _ *flow.AreaExample) { n.Name = "Fife Advice Network" },
		"DirectoryURL": func(n *core.Network, _ *core.ConsentWording, _ *flow.AreaExample) {
			n.DirectoryURL = "https://elsewhere.example"
		},
		"DataSharingURL": func(n *core.Network, _ *core.ConsentWording, _ *flow.AreaExample) {
			n.DataSharingURL = "https://elsewhere.example/s"
		},
		"ConsentWording": func(_ *core.Network, w *core.ConsentWording, _ *flow.AreaExample) { w.Body = "A new wording." },
		"CrisisLines": func(n *core.Network, _ *core.ConsentWording, _ *flow.AreaExample) {
			n.CrisisLines = "Breathing Space 0800 83 85 87."
		},
		"ExamplePostcode": func(_ *core.Network, _ *core.ConsentWording, ex *flow.AreaExample) { ex.Postcode = "PA1 1AB" },
		"ExampleTown":     func(_ *core.Network, _ *core.ConsentWording, ex *flow.AreaExample) { ex.Town = "Paisley" },
	} {
		n2, w2, ex2 := n, w, ex
		change(&n2, &w2, &ex2)
		got := s.keysFor(n2, w2, ex2)
		if want := networkKeys(n2, w2, ex2)[name]; got[name] != want {
			t.Errorf("after %s changed the keys give %v, want %v", name, got[name], want)
		}
		if back := s.keysFor(n, w, ex); back[name] != networkKeys(n, w, ex)[name] {
			t.Errorf("after %s changed back the keys give %v", name, back[name])
		}
	}
}

// The help text gives the network's opening hours in the client's
// language: Polish POMOC the Polish hours the network file gives; Arabic,
// which it gives none in, the English, as does English HELP.
func TestHelpGivesTheHoursInTheClientsLanguage(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	n, err := h.env.Engine.Network(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.env.Engine.SetNetwork(ctx, h.env.Pool, core.NetworkSettings{Name: n.Name, Phone: n.Phone,
		OpeningHours: n.OpeningHours, OpeningHoursTranslations: map[string]string{"pl": "od poniedziałku do piątku, 9:00–17:00"},
		CrisisLines: n.CrisisLines, DirectoryURL: n.DirectoryURL, DataSharingURL: n.DataSharingURL}); err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct{ body, want string }{
		{"POMOC", "Zadzwoń: 0800 000 0000, od poniedziałku do piątku, 9:00–17:00."},
		{"مساعدة", "اتصل على \u20660800 000 0000\u2069، Monday to Friday, 9am to 5pm."}, // the number kept left to right
		{"HELP", "Call 0800 000 0000, Monday to Friday, 9am to 5pm."},
	} {
		got := h.text(fmt.Sprintf("+4477009006%02d", i), c.body)
		if len(got) == 0 || !strings.Contains(got[0], c.want) {
			t.Errorf("%s answered %q, want the help text with %q", c.body, got, c.want)
		}
	}
}
