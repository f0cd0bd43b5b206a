package core_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestAuditKindsCoverEveryKind: every kind of event core can write is in
// exactly one group of the audit search, so none is out of the DPO's
// reach by the kind filter.
func TestAuditKindsCoverEveryKind(t *testing.T) {
	t.Parallel()
	seen := map[core.EventKind]string{}
	for _, g := range core.AuditKinds() {
		for _, k := range g.Kinds {
			if other, ok := seen[k]; ok {
				t.Errorf("%s is in both %s and %s", k, other, g.Code)
			}
			seen[k] = g.Code
		}
	}
	for name, k := range eventKindsInSource(t) {
		if _, ok := seen[k]; !ok {
			t.Errorf("%s (%s) is in no group of core.AuditKinds", name, k)
		}
	}
}

// auditSearches counts the audit log's records of searches.
func auditSearches(t *testing.T, env *coretest.Env) int {
	t.Helper()
	var n int
	if err := env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM events WHERE kind = $1`, string(core.EventAuditSearched)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSearchAudit: the audit search answers the DPO's questions — which
// clients an adviser viewed in a month (by reference, never by name), all
// refused attempts, everything a partner system was given, consents by
// wording version — newest first, a page at a time with no row lost or
// repeated; it refuses an adviser and a wrong filter by name, and records
// every search it answers, with what was searched for.
func TestSearchAudit(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	coord := n.Coordinator.Actor()

	// Three clients refer themselves in March; Ailsa (CAB) views each
	// one's details, a Housing adviser is refused one, and in April Ailsa
	// views the first again.
	env.Clock.Set(time.Date(2027, 3, 2, 10, 0, 0, 0, time.UTC))
	var refs []core.Referral
	for i, key := range []string{"audit-a", "audit-b", "audit-c"} {
		in := coretest.SelfReferral(key)
		in.Client.Phone = []string{"07700 900201", "07700 900202", "07700 900203"}[i]
		res, err := env.Engine.SelfRefer(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, res.Referral)
	}
	holder := func(r core.Referral) core.Actor {
		for _, s := range []core.Staff{n.Adviser, n.WelfareAdviser} {
			if r.ToAgencyID != nil && *r.ToAgencyID == s.AgencyID {
				return s.Actor()
			}
		}
		t.Fatalf("referral %s went to agency %v", r.Reference, r.ToAgencyID)
		return core.Actor{}
	}
	viewer := holder(refs[0])
	viewerEmail := n.Adviser.Email
	if viewer.StaffID == n.WelfareAdviser.ID {
		viewerEmail = n.WelfareAdviser.Email
	}
	for _, r := range refs {
		env.Clock.Advance(time.Hour)
		if _, _, err := env.Engine.DiscloseClient(ctx, r.ID, holder(r), "web"); err != nil {
			t.Fatal(err)
		}
	}
	env.Clock.Advance(time.Hour)
	if _, _, err := env.Engine.DiscloseClient(ctx, refs[1].ID, n.HousingAdviser.Actor(), "slack"); err == nil {
		t.Fatal("the housing adviser was shown another agency's client")
	}
	env.Clock.Set(time.Date(2027, 4, 2, 10, 0, 0, 0, time.UTC))
	if _, _, err := env.Engine.DiscloseClient(ctx, refs[0].ID, viewer, "web"); err != nil {
		t.Fatal(err)
	}
	partner, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "WR casework", AgencyID: n.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead, core.ScopeRefer}}, coord)
	if err != nil {
		t.Fatal(err)
	}

	refsOf := func(p core.AuditPage) (out []string) {
		for _, e := range p.Entries {
			out = append(out, strings.Join(e.Referrals, " "))
		}
		return out
	}

	// Which clients did the adviser view in March: the three, newest
	// first, by reference, through the web.
	march, err := env.Engine.SearchAudit(ctx, core.AuditQuery{StaffEmail: strings.ToUpper(viewerEmail), Kind: "disclosed",
		From: "2027-03-01", To: "2027-03-31", Via: "web"}, coord)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range slices.Backward(refs) {
		if holder(r) == viewer {
			want = append(want, r.Reference)
		}
	}
	if got := refsOf(march); !slices.Equal(got, want) {
		t.Errorf("the adviser's views in March = %v, want %v", got, want)
	}
	for _, e := range march.Entries {
		if e.Via != "web" || e.By == "" || e.Agency == "" || e.Kind != core.EventDisclosed {
			t.Errorf("a view reads %+v, want who, their agency and through web", e)
		}
		for _, cell := range e.Cells(time.UTC) {
			if strings.Contains(cell, "Morag") || strings.Contains(cell, "900201") || strings.Contains(cell, "KY1 1AB") {
				t.Errorf("the search shows the client's details: %q", cell)
			}
		}
	}

	// All refused attempts: the housing adviser's, with what they tried.
	refused, err := env.Engine.SearchAudit(ctx, core.AuditQuery{Kind: "refused"}, coord)
	if err != nil {
		t.Fatal(err)
	}
	if len(refused.Entries) != 1 || refused.Entries[0].Referrals[0] != refs[1].Reference || refused.Entries[0].By != n.HousingAdviser.Name ||
		!strings.Contains(refused.Entries[0].Detail, "view-details") {
		t.Errorf("refused attempts = %+v, want the housing adviser's view of %s", refused.Entries, refs[1].Reference)
	}

	// The agency filter: CAB's staff and partner systems only.
	byAgency, err := env.Engine.SearchAudit(ctx, core.AuditQuery{AgencySlug: "housing-options"}, coord)
	if err != nil || len(byAgency.Entries) != 1 || byAgency.Entries[0].Kind != core.EventAccessDenied {
		t.Errorf("housing-options' events = %+v, %v, want its adviser's refusal alone", byAgency.Entries, err)
	}

	// The partner system: nothing seen yet; its connection is about it.
	byPartner, err := env.Engine.SearchAudit(ctx, core.AuditQuery{Partner: partner.Partner.ID}, coord)
	if err != nil || len(byPartner.Entries) != 0 {
		t.Errorf("the partner's events = %+v, %v, want none", byPartner.Entries, err)
	}
	changes, err := env.Engine.SearchAudit(ctx, core.AuditQuery{Kind: "partners"}, coord)
	if err != nil || len(changes.Entries) != 1 || changes.Entries[0].About != "WR casework (partner system)" || changes.Entries[0].By != n.Coordinator.Name {
		t.Errorf("partner changes = %+v, %v, want its connection by %s", changes.Entries, err, n.Coordinator.Name)
	}

	// Consents by wording version, over the whole search.
	consents, err := env.Engine.SearchAudit(ctx, core.AuditQuery{Kind: "consent-given", Limit: 1}, coord)
	if err != nil || len(consents.Entries) != 1 || !slices.Equal(consents.Versions, []core.AuditVersionCount{{Version: "v1", Count: 3}}) {
		t.Errorf("consents = %+v by version %+v, %v, want a page of one and 3 under v1", consents.Entries, consents.Versions, err)
	}
	if !strings.Contains(consents.Entries[0].Detail, "wording version v1") {
		t.Errorf("a consent's detail = %q, want its wording version", consents.Entries[0].Detail)
	}

	// Pages: keyset, newest first, every event once.
	all, err := env.Engine.SearchAudit(ctx, core.AuditQuery{Kind: "disclosed", Limit: 500}, coord)
	if err != nil || all.Next != "" {
		t.Fatalf("one big page: %v, next %q", err, all.Next)
	}
	var paged []core.EventID
	q := core.AuditQuery{Kind: "disclosed", Limit: 2}
	for pages := 0; ; pages++ {
		p, err := env.Engine.SearchAudit(ctx, q, coord)
		if err != nil || pages > 10 {
			t.Fatalf("page %d: %v", pages, err)
		}
		for _, e := range p.Entries {
			paged = append(paged, e.ID)
		}
		if p.Next == "" {
			break
		}
		if len(p.Entries) != 2 {
			t.Errorf("page %d has %d rows and a next page", pages, len(p.Entries))
		}
		q.After = p.Next
	}
	var whole []core.EventID
	for i, e := range all.Entries {
		whole = append(whole, e.ID)
		if i > 0 && e.At.After(all.Entries[i-1].At) {
			t.Errorf("event %d is newer than the one before it", e.ID)
		}
	}
	if len(whole) != 4 || !slices.Equal(paged, whole) {
		t.Errorf("paged by 2: %v, want %v (4 views)", paged, whole)
	}
	var downloaded []core.EventID
	if err := env.Engine.EachAuditEntry(ctx, core.AuditQuery{Kind: "disclosed", Via: "csv"}, coord, func(e core.AuditEntry) error {
		downloaded = append(downloaded, e.ID)
		return nil
	}); err != nil || !slices.Equal(downloaded, whole) {
		t.Errorf("download = %v, %v, want %v", downloaded, err, whole)
	}

	// An adviser is refused and nothing is recorded; a wrong filter is
	// named.
	before := auditSearches(t, env)
	var forbidden *core.ForbiddenError
	if _, err := env.Engine.SearchAudit(ctx, core.AuditQuery{}, n.Adviser.Actor()); !errors.As(err, &forbidden) {
		t.Errorf("an adviser's search: %v, want refused", err)
	}
	if err := env.Engine.EachAuditEntry(ctx, core.AuditQuery{}, n.Adviser.Actor(), func(core.AuditEntry) error { return nil }); !errors.As(err, &forbidden) {
		t.Errorf("an adviser's download: %v, want refused", err)
	}
	for _, c := range []struct {
		q     core.AuditQuery
		field string
	}{
		{core.AuditQuery{StaffEmail: "nobody@example.org"}, "staff"},
		{core.AuditQuery{AgencySlug: "no-such-agency"}, "agency"},
		{core.AuditQuery{Kind: "everything"}, "kind"},
		{core.AuditQuery{From: "March"}, "from"},
		{core.AuditQuery{From: "2027-04-01", To: "2027-03-01"}, "to"},
		{core.AuditQuery{After: "1; DROP TABLE events"}, "after"},
	} {
		_, err := env.Engine.SearchAudit(ctx, c.q, coord)
		var invalid *core.ValidationError
		if !errors.As(err, &invalid) || invalid.Field(c.field) == "" {
			t.Errorf("%+v: %v, want the %s named", c.q, err, c.field)
		}
	}
	if got := auditSearches(t, env); got != before {
		t.Errorf("%d searches recorded for refusals, want none", got-before)
	}

	// Every search answered is recorded, with who searched and for what.
	searches, err := env.Engine.SearchAudit(ctx, core.AuditQuery{Kind: "audit-read", Limit: 500}, coord)
	if err != nil {
		t.Fatal(err)
	}
	// The 6 above, 1 big page, the pages by 2, the download, and this one.
	if wantN := 6 + 1 + 2 + 1 + 1; len(searches.Entries) != wantN {
		t.Fatalf("%d searches recorded, want %d", len(searches.Entries), wantN)
	}
	first := searches.Entries[len(searches.Entries)-1]
	if first.By != n.Coordinator.Name || first.About == "" || !strings.Contains(first.Detail, "kind disclosed") ||
		!strings.Contains(first.Detail, "from 2027-03-01") || first.Via != "web" {
		t.Errorf("the first search is recorded as %+v, want the coordinator searching for the adviser's views in March", first)
	}
	if searches.Entries[0].Kind != core.EventAuditSearched || searches.Entries[0].Detail != "kind audit-read" {
		t.Errorf("this search is recorded as %+v", searches.Entries[0])
	}
}
