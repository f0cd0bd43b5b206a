package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestAuditSearchCommand: `onward audit search` finds the views of a
// client's details by the adviser who made them, by reference and never
// the client's details, a page at a time (the --after it prints gives the
// rest), counts consents by wording version, writes the whole search as
// CSV, names who searched in the audit log, and refuses a search without
// --by, by an adviser, or with a wrong filter.
func TestAuditSearchCommand(t *testing.T) {
	env, res := clientCLIEnv(t, "cli-audit-search")
	ctx := context.Background()
	ref := res.Referral
	viewer := env.Net.Adviser
	if ref.ToAgencyID == nil || *ref.ToAgencyID != viewer.AgencyID {
		viewer = env.Net.WelfareAdviser
	}
	for range 3 {
		if _, _, err := env.Engine.DiscloseClient(ctx, ref.ID, viewer.Actor(), "slack"); err != nil {
			t.Fatal(err)
		}
	}
	search := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := runAudit(ctx, append([]string{"search"}, args...), &out, io.Discard)
		return out.String(), err
	}
	const by = "morven@network.example"

	out, err := search("--by", by, "--staff", viewer.Email, "--kind", "disclosed", "--limit", "2")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(out, ref.Reference) != 2 || !strings.Contains(out, viewer.Name) || !strings.Contains(out, "slack") {
		t.Errorf("first page:\n%s\nwant 2 views of %s by %s through slack", out, ref.Reference, viewer.Name)
	}
	after := regexp.MustCompile(`--after (\S+)`).FindStringSubmatch(out)
	if after == nil {
		t.Fatalf("no --after for the older events:\n%s", out)
	}
	if out, err = search("--by", by, "--staff", viewer.Email, "--kind", "disclosed", "--limit", "2", "--after", after[1]); err != nil ||
		strings.Count(out, ref.Reference) != 1 || strings.Contains(out, "--after") {
		t.Errorf("second page (%v):\n%s\nwant the last view and no more", err, out)
	}

	if out, err = search("--by", by, "--kind", "consent-given"); err != nil || !strings.Contains(out, "v1: 1") {
		t.Errorf("consents (%v):\n%s\nwant 1 under v1", err, out)
	}

	out, err = search("--by", by, "--kind", "disclosed", "--csv")
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(records) != 4 || strings.Join(records[0], ",") != strings.Join(core.AuditColumns, ",") || records[1][7] != ref.Reference {
		t.Errorf("CSV (%v): %v, want the columns and 3 views of %s", err, records, ref.Reference)
	}
	for _, p := range []string{"Morag", "Baird", "KY1 1AB", "Rent arrears"} {
		if strings.Contains(out, p) {
			t.Errorf("the search shows the client's %q", p)
		}
	}

	var searches, byCoordinator int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE actor_kind = 'staff' AND actor_id = $2 AND data->>'via' = 'cli')
		FROM events WHERE kind = $1`, string(core.EventAuditSearched), int64(env.Net.Coordinator.ID)).Scan(&searches, &byCoordinator); err != nil {
		t.Fatal(err)
	}
	if searches != 4 || byCoordinator != 4 {
		t.Errorf("%d searches recorded, %d naming the coordinator through cli; want 4 and 4", searches, byCoordinator)
	}

	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"--kind", "disclosed"}, "--by EMAIL"},
		{[]string{"--by", viewer.Email}, "only a coordinator or admin"},
		{[]string{"--by", "nobody@example.org"}, "no current member of staff"},
		{[]string{"--by", by, "--kind", "everything"}, "choose one of disclosed, refused"},
		{[]string{"--by", by, "--staff", "nobody@example.org"}, "nobody in Onward has the email address nobody@example.org"},
		{[]string{"--by", by, "--from", "March"}, "enter the date as year-month-day"},
		{[]string{"--by", by, "disclosed"}, "does not take \"disclosed\""},
	} {
		if _, err := search(c.args...); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("search %v: %v, want an error saying %q", c.args, err, c.says)
		}
	}
}
