package core_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestSubjectAccessShowsAreaFacts: the SIMD decile and ward a referral
// keeps from the client's postcode are data held about them, so their
// copy of it says them, in the JSON and on the page, with the ward's
// name when the names are imported and its code when not; a referral
// whose postcode the file does not have shows none.
func TestSubjectAccessShowsAreaFacts(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	if _, err := env.Engine.ImportPostcodes(ctx, strings.NewReader(onspdHeader+
		onspdRow("KY1 1AB", "", "S12000047", "S13002881", "S01009001", "140", "56.1120", "-3.1600")+
		onspdRow("KY2 5XY", "", "S12000047", "S13002883", "S01009003", "6976", "56.1250", "-3.1850"))); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.ImportWardNames(ctx, strings.NewReader("WD24CD,WD24NM\nS13002881,Kirkton Centre\n")); err != nil {
		t.Fatal(err)
	}
	in := coretest.SelfReferral("area-facts") // KY1 1AB
	first, err := env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	staffRefer := func(key, postcode string) core.Referral {
		t.Helper()
		c := in.Client
		c.Postcode = postcode
		r, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: key, By: n.WelfareAdviser.Actor(),
			Client: c, Needs: []core.Need{core.NeedHousing}, ToAgency: n.Housing, ConsentConfirmed: true, WordingVersion: n.ConsentVersion})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	second := staffRefer("area-facts-2", "KY2 5XY") // a ward with no name imported
	third := staffRefer("area-facts-3", "KY16 9AJ") // not in the file
	if second.ClientID != first.Referral.ClientID || third.ClientID != first.Referral.ClientID {
		t.Fatal("the referrals made clients of their own; the test needs one client")
	}

	sa, err := env.Engine.ExportClient(ctx, first.Referral.ClientID, n.Coordinator.Actor(), "web",
		core.SubjectAccessRequest{Channel: core.RequestLetter, Received: coretest.Epoch, Reference: "SAR-2026-099"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sa.Referrals) != 3 {
		t.Fatalf("the export has %d referrals, want 3", len(sa.Referrals))
	}
	got := map[string]string{}
	for _, r := range sa.Referrals {
		b, err := json.Marshal(struct {
			D *int   `json:"simd_decile"`
			W string `json:"ward"`
		}{r.SIMDDecile, r.Ward})
		if err != nil {
			t.Fatal(err)
		}
		got[r.Reference] = string(b)
	}
	for ref, want := range map[string]string{
		first.Referral.Reference: `{"simd_decile":1,"ward":"Kirkton Centre"}`,
		second.Reference:         `{"simd_decile":10,"ward":"S13002883"}`,
		third.Reference:          `{"simd_decile":null,"ward":""}`,
	} {
		if got[ref] != want {
			t.Errorf("referral %s: area facts %s, want %s", ref, got[ref], want)
		}
	}
	doc, err := json.Marshal(sa)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), `"simd_decile":1,"ward":"Kirkton Centre"`) {
		t.Errorf("the JSON does not carry the first referral's area facts:\n%s", doc)
	}
	if !strings.Contains(strings.Join(sa.About, " "), "simd_decile and ward") {
		t.Error("the export's note on its keys does not explain simd_decile and ward")
	}

	var page strings.Builder
	if err := core.WriteSubjectAccessHTML(&page, sa); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	for _, want := range []string{
		"deprivation decile 1 of 10 in the Scottish Index of Multiple Deprivation (1 is the most deprived tenth of Scotland&#39;s areas); council ward Kirkton Centre",
		"deprivation decile 10 of 10",
		"council ward S13002883",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	if c := strings.Count(html, "Facts of your area kept with it"); c != 2 {
		t.Errorf("the page tells area facts for %d referrals, want 2 (the third's postcode is not in the file)", c)
	}
}
