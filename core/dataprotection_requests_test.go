package core_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestSubjectAccessDue: the month UK GDPR gives runs to the same date in
// the next month, or that month's last day, and past a weekend or bank
// holiday to the next day that is neither (the ICO's reading).
func TestSubjectAccessDue(t *testing.T) {
	t.Parallel()
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	holidays := map[string]bool{"2026-12-25": true, "2026-12-28": true}
	for _, c := range []struct{ received, due string }{
		{"2026-10-20", "2026-11-20"}, // a Friday
		{"2026-10-23", "2026-11-23"}, // a Monday
		{"2026-03-31", "2026-04-30"}, // April has no 31st: its last day
		{"2026-01-31", "2026-03-02"}, // 28 February 2026 is a Saturday
		{"2028-01-30", "2028-02-29"}, // a leap year's last day of February (a Tuesday)
		{"2026-11-21", "2026-12-21"}, // 21 December, a Monday
		{"2026-11-20", "2026-12-21"}, // 20 December is a Sunday
		{"2026-11-25", "2026-12-29"}, // Christmas, the weekend, then the bank holiday of 28 December
		{"2026-12-31", "2027-02-01"}, // into the new year: 31 January 2027 is a Sunday
	} {
		if got := core.SubjectAccessDue(day(c.received), holidays); !got.Equal(day(c.due)) {
			t.Errorf("received %s: due %s, want %s", c.received, got.Format(time.DateOnly), c.due)
		}
	}
}

// TestDataProtectionRequests: the data protection officer's list shows
// every subject access export and erasure, newest first, with who did it,
// how each export's request came in, when it was received, how many days
// it took and whether that was over UK GDPR's month, and its reference
// until the client is erased; erasures with their reason and the
// referrals they emptied. It filters by date and pages; advisers are
// refused it; every reading is audited.
func TestDataProtectionRequests(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	coord := env.Net.Coordinator.Actor()
	refer := func(key, name, phone string) core.Referral {
		t.Helper()
		in := coretest.SelfReferral(key)
		in.Client.Name, in.Client.Phone = name, phone
		res, err := env.Engine.SelfRefer(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return res.Referral
	}
	morag := refer("dp-list-morag", "Morag Baird", "07700 900123")
	eilidh := refer("dp-list-eilidh", "Eilidh Strachan", "07700 900456")
	fraser := refer("dp-list-fraser", "Fraser Loudon", "07700 900789")
	day := func(s string) time.Time {
		d, _ := time.Parse(time.DateOnly, s)
		return d
	}

	// Monday 23 November: an export answering a letter of the 20th.
	if _, err := env.Engine.ExportClient(ctx, morag.ClientID, coord, "web",
		core.SubjectAccessRequest{Channel: core.RequestLetter, Received: day("2026-11-20"), Reference: "SAR-2026-014"}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(time.Hour)
	if err := env.Engine.EraseClient(ctx, eilidh.ClientID, coord, core.ErasureClientAsked, "web"); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(time.Hour)
	if err := env.Engine.EraseClient(ctx, fraser.ClientID, core.SystemActor, core.ErasureRetention, "cli"); err != nil {
		t.Fatal(err)
	}
	// Wednesday 25 November: an export answering an email of 20 October,
	// due by 20 November.
	env.Clock.Advance(2 * 24 * time.Hour)
	if _, err := env.Engine.ExportClient(ctx, morag.ClientID, coord, "cli",
		core.SubjectAccessRequest{Channel: core.RequestEmail, Received: day("2026-10-20"), Reference: "SAR-2026-009"}); err != nil {
		t.Fatal(err)
	}

	all, err := env.Engine.DataProtectionRequests(ctx, core.DataProtectionQuery{Via: "web"}, coord)
	if err != nil {
		t.Fatal(err)
	}
	if all.Total != 4 || len(all.Rows) != 4 {
		t.Fatalf("%d rows of %d, want the 2 exports and 2 erasures", len(all.Rows), all.Total)
	}
	late, retention, erased, first := all.Rows[0], all.Rows[1], all.Rows[2], all.Rows[3]
	if !late.Export() || late.Reference != "SAR-2026-009" || late.Channel != core.RequestEmail || late.Via != "cli" ||
		late.Received == nil || !late.Received.Equal(day("2026-10-20")) || late.Days != 36 || !late.Late ||
		!late.Due.Equal(day("2026-11-20")) || late.By != env.Net.Coordinator.Name || late.Agency != env.Net.Coordinator.AgencyName {
		t.Errorf("the newest row is %+v, want the late export by the coordinator: 36 days, due 20 November", late)
	}
	if retention.Export() || retention.Reason != core.ErasureRetention || retention.By != "Onward" || retention.Agency != "" ||
		!slices.Equal(retention.Referrals, []string{fraser.Reference}) || retention.Through() != "the command line" {
		t.Errorf("the second row is %+v, want retention's erasure of %s by Onward", retention, fraser.Reference)
	}
	if erased.Export() || erased.Reason != core.ErasureClientAsked || erased.By != env.Net.Coordinator.Name ||
		!slices.Equal(erased.Referrals, []string{eilidh.Reference}) || erased.Reference != "" || erased.Received != nil ||
		erased.Through() != "the staff web" {
		t.Errorf("the third row is %+v, want the coordinator's erasure of %s", erased, eilidh.Reference)
	}
	if !first.Export() || first.Reference != "SAR-2026-014" || first.Channel != core.RequestLetter || first.Days != 3 || first.Late ||
		!first.Due.Equal(day("2026-12-21")) || first.ReferenceErased {
		t.Errorf("the oldest row is %+v, want the export 3 days after the letter, due 21 December", first)
	}

	// The date filter: on or after the 24th, and before it.
	cut := day("2026-11-24")
	after, err := env.Engine.DataProtectionRequests(ctx, core.DataProtectionQuery{From: &cut, Via: "web"}, coord)
	if err != nil || after.Total != 1 || len(after.Rows) != 1 || after.Rows[0].Reference != "SAR-2026-009" {
		t.Errorf("from the 24th: %+v (%v), want the late export alone", after.Rows, err)
	}
	before, err := env.Engine.DataProtectionRequests(ctx, core.DataProtectionQuery{To: &cut, Via: "web"}, coord)
	if err != nil || before.Total != 3 || len(before.Rows) != 3 || before.Rows[2].Reference != "SAR-2026-014" {
		t.Errorf("before the 24th: %+v (%v), want the first export and both erasures", before.Rows, err)
	}
	// Pages, and the whole period at once for the register.
	second, err := env.Engine.DataProtectionRequests(ctx, core.DataProtectionQuery{Page: 2, PerPage: 3, Via: "web"}, coord)
	if err != nil || second.Total != 4 || second.Pages() != 2 || len(second.Rows) != 1 || second.Rows[0].Reference != "SAR-2026-014" {
		t.Errorf("page 2 of 3 a page: %d rows of %d (%v), want the oldest alone", len(second.Rows), second.Total, err)
	}
	past, err := env.Engine.DataProtectionRequests(ctx, core.DataProtectionQuery{Page: 9, PerPage: 3, Via: "web"}, coord)
	if err != nil || past.Total != 4 || len(past.Rows) != 0 {
		t.Errorf("past the last page: %d rows of %d (%v), want none of 4", len(past.Rows), past.Total, err)
	}
	register, err := env.Engine.DataProtectionRequests(ctx, core.DataProtectionQuery{All: true, PerPage: 1, Via: "csv"}, coord)
	if err != nil || len(register.Rows) != 4 {
		t.Errorf("the register: %d rows (%v), want all 4", len(register.Rows), err)
	}

	// Once the client is erased, their requests' references are gone.
	if err := env.Engine.EraseClient(ctx, morag.ClientID, coord, core.ErasureWithdrewAndAsked, "web"); err != nil {
		t.Fatal(err)
	}
	now, err := env.Engine.DataProtectionRequests(ctx, core.DataProtectionQuery{Via: "web"}, coord)
	if err != nil || len(now.Rows) != 5 {
		t.Fatalf("after erasing Morag: %d rows (%v)", len(now.Rows), err)
	}
	for _, r := range now.Rows {
		if r.Export() && (!r.ReferenceErased || r.Reference != "" || r.Received == nil) {
			t.Errorf("an export after the client's erasure shows %+v, want its request without the reference, marked erased", r)
		}
	}
	if !slices.Equal(now.Rows[0].Referrals, []string{morag.Reference}) {
		t.Errorf("the newest erasure emptied %v, want %s", now.Rows[0].Referrals, morag.Reference)
	}

	// An adviser is refused, and nothing is read or recorded for them.
	views := func() int {
		t.Helper()
		var n int
		if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = $1`, string(core.EventDataProtectionRequestsViewed)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := views(); n != 7 {
		t.Errorf("%d readings audited, want the 7 made", n)
	}
	if _, err := env.Engine.DataProtectionRequests(ctx, core.DataProtectionQuery{Via: "web"}, env.Net.Adviser.Actor()); !isForbidden(err) {
		t.Errorf("an adviser reads the list: %v, want forbidden", err)
	}
	if n := views(); n != 7 {
		t.Errorf("%d readings audited after the adviser's refusal, want still 7", n)
	}
	var (
		actor     int64
		via, from string
	)
	if err := env.Pool.QueryRow(ctx, `SELECT actor_id, data->>'via', coalesce(data->>'from', '') FROM events WHERE kind = $1 ORDER BY id LIMIT 1 OFFSET 1`,
		string(core.EventDataProtectionRequestsViewed)).Scan(&actor, &via, &from); err != nil {
		t.Fatal(err)
	}
	if actor != int64(env.Net.Coordinator.ID) || via != "web" || from != "2026-11-24T00:00:00Z" {
		t.Errorf("the filtered reading is audited as by %d through %q from %q, want the coordinator's, web, the 24th", actor, via, from)
	}
}

// TestDataProtectionRequestsWithdrawals: the register lists withdrawals of
// consent beside exports and erasures — who recorded each and how (the
// client's text, the client's own web page, the staff web, the command
// line), known by the client's referrals' references and never by their
// details — but not the withdrawal an erasure makes on its way, which the
// erasure's row stands for.
func TestDataProtectionRequestsWithdrawals(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	coord := env.Net.Coordinator.Actor()
	refer := func(key, name, phone string) core.Referral {
		t.Helper()
		in := coretest.SelfReferral(key)
		in.Client.Name, in.Client.Phone = name, phone
		res, err := env.Engine.SelfRefer(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return res.Referral
	}
	texted := refer("dp-w-text", "Morag Baird", "07700 900321")
	online := refer("dp-w-web", "Eilidh Strachan", "07700 900654")
	rang := refer("dp-w-staff", "Fraser Loudon", "07700 900987")
	posted := refer("dp-w-cli", "Ailsa Cowie", "07700 900111")
	erased := refer("dp-w-erased", "Iona Munro", "07700 900222")

	if done, err := env.Engine.WithdrawByPhone(ctx, "+447700900321", "SMwithdraw"); !done || err != nil {
		t.Fatalf("withdraw by text: %v, %v", done, err)
	}
	steps := []struct {
		ref      string
		by       core.Actor
		via, why string
	}{
		{online.Reference, core.ClientActor, "web", "web request 41"},
		{rang.Reference, coord, "web", "Fraser Loudon rang on 3 Dec"},
		{posted.Reference, core.Actor{Kind: core.ActorSystem, Name: "onward command line"}, "cli", "letter from Ailsa Cowie"},
	}
	for _, s := range steps {
		env.Clock.Advance(time.Minute)
		if _, err := env.Engine.WithdrawByReference(ctx, s.ref, s.by, s.via, s.why); err != nil {
			t.Fatal(err)
		}
	}
	env.Clock.Advance(time.Minute)
	if err := env.Engine.EraseClient(ctx, erased.ClientID, coord, core.ErasureClientAsked, "web"); err != nil {
		t.Fatal(err)
	}

	all, err := env.Engine.DataProtectionRequests(ctx, core.DataProtectionQuery{Via: "web"}, coord)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		withdrawal  bool
		by, through string
		referrals   []string
	}
	want := []row{
		{false, env.Net.Coordinator.Name, "", []string{erased.Reference}},
		{true, "Onward", "the command line", []string{posted.Reference}},
		{true, env.Net.Coordinator.Name, "the staff web", []string{rang.Reference}},
		{true, "the client", "the client on the web (withdraw page)", []string{online.Reference}},
		{true, "the client", "the client's text (withdraw keyword)", []string{texted.Reference}},
	}
	if len(all.Rows) != len(want) || all.Total != len(want) {
		t.Fatalf("%d rows of %d, want the erasure and 4 withdrawals (not the erasure's own): %+v", len(all.Rows), all.Total, all.Rows)
	}
	for i, w := range want {
		r := all.Rows[i]
		got := row{r.Withdrawal(), r.By, r.Through(), r.Referrals}
		if got.withdrawal != w.withdrawal || got.by != w.by || (w.withdrawal && got.through != w.through) || !slices.Equal(got.referrals, w.referrals) {
			t.Errorf("row %d is %+v, want %+v", i, got, w)
		}
		for _, personal := range []string{"Morag", "Eilidh", "Fraser", "Ailsa", "Iona", "rang", "letter", "request 41", "SMwithdraw", "0770"} {
			if strings.Contains(fmt.Sprintf("%+v", r), personal) {
				t.Errorf("row %d shows %q: %+v", i, personal, r)
			}
		}
	}
}

// TestDataProtectionRequestsKeepTheExportNumber (review ops F11): once
// the client is erased their request's reference can no longer be read,
// so the register row of an export keeps what still links it to the copy
// handed over: the export's number, which the copy shows too, and the
// references of the client's referrals, none of which names anybody.
func TestDataProtectionRequestsKeepTheExportNumber(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	coord := env.Net.Coordinator.Actor()
	res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("dp-export-number"))
	if err != nil {
		t.Fatal(err)
	}
	r := res.Referral
	sa, err := env.Engine.ExportClient(ctx, r.ClientID, coord, "web",
		core.SubjectAccessRequest{Channel: core.RequestEmail, Received: env.Clock.Now(), Reference: "SAR-2026-031"})
	if err != nil {
		t.Fatal(err)
	}
	if sa.ExportNumber == 0 {
		t.Fatal("the export carries no number")
	}
	var page strings.Builder
	if err := core.WriteSubjectAccessHTML(&page, sa); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("Its export number is %d.", sa.ExportNumber); !strings.Contains(page.String(), want) {
		t.Errorf("the client's page does not say %q", want)
	}
	if err := env.Engine.EraseClient(ctx, r.ClientID, coord, core.ErasureWithdrewAndAsked, "web"); err != nil {
		t.Fatal(err)
	}
	list, err := env.Engine.DataProtectionRequests(ctx, core.DataProtectionQuery{All: true, Via: "csv"}, coord)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(list.Rows, core.DataProtectionRequest.Export)
	if i < 0 {
		t.Fatalf("no export among %+v", list.Rows)
	}
	if row := list.Rows[i]; !row.ReferenceErased || row.ExportNumber != sa.ExportNumber || !slices.Equal(row.Referrals, []string{r.Reference}) {
		t.Errorf("after the erasure the export's row is %+v, want its number %d and the referral %s beside the erased reference",
			row, sa.ExportNumber, r.Reference)
	}
}
