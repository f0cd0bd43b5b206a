package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

func TestAgencyAndStaffCommands(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENV", "dev") // the test engines chain events with the stand-in audit key
	cab, err := env.Engine.Agency(ctx, env.Net.CAB)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runAgency(ctx, []string{"slack-channel", cab.Slug, "C0KIRKCAB"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if a, _ := env.Engine.Agency(ctx, cab.ID); a.SlackChannelID != "C0KIRKCAB" {
		t.Fatalf("channel %q, want C0KIRKCAB", a.SlackChannelID)
	}
	// With no Slack in the settings it says so (an on-call review: it
	// promised cards that no server would post).
	if !strings.Contains(out.String(), "Slack is not configured in these settings") {
		t.Errorf("slack-channel with Slack off:\n%s\nwant it said", out.String())
	}
	out.Reset()
	if err := runAgency(ctx, []string{"list"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "C0KIRKCAB") {
		t.Fatalf("list = %v:\n%s", err, out.String())
	}
	for _, bad := range [][]string{
		{"slack-channel", cab.Slug, "#general"},
		{"slack-channel", "no-such-agency", "C0KIRKCAB"},
		{"slack-channel", cab.Slug},
	} {
		if err := runAgency(ctx, bad, io.Discard, io.Discard); err == nil {
			t.Errorf("agency %q succeeded", bad)
		}
	}
	if err := runAgency(ctx, []string{"slack-channel", cab.Slug, "#general"}, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "C0123ABCD") {
		t.Errorf("a channel name instead of an id: %v, want a hint at the id's shape", err)
	}

	out.Reset()
	if err := runStaff(ctx, []string{"add", "--agency", cab.Slug, "--name", "Morag Fictional", "--role", "coordinator",
		"morag@cab.example.org"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	s, err := env.Engine.StaffByEmail(ctx, "morag@cab.example.org")
	if err != nil || s.Name != "Morag Fictional" || s.Role != core.RoleCoordinator || s.AgencyID != cab.ID {
		t.Fatalf("staff %+v, %v", s, err)
	}
	if err := runStaff(ctx, []string{"add", "--agency", cab.Slug, "--name", "Morag Again", "morag@cab.example.org"}, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "already uses that email") {
		t.Errorf("a second staff with the same email: %v", err)
	}
	if err := runStaff(ctx, []string{"add", "--agency", cab.Slug, "--name", "Ewan", "--role", "boss", "ewan@cab.example.org"}, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "role") {
		t.Errorf("an unknown role: %v", err)
	}
	out.Reset()
	if err := runStaff(ctx, []string{"list", "--agency", cab.Slug}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "Morag Fictional") {
		t.Fatalf("staff list = %v:\n%s", err, out.String())
	}
	// Both changes are in the audit log.
	var kinds []string
	rows, err := env.Pool.Query(ctx, `SELECT kind FROM events WHERE agency_id = $1 ORDER BY id`, cab.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, k)
	}
	got := strings.Join(kinds, " ")
	for _, want := range []string{string(core.EventChannelChanged), string(core.EventStaffAdded)} {
		if !strings.Contains(got, want) {
			t.Errorf("audit log of the agency lacks %s: %s", want, got)
		}
	}
	if res, err := core.VerifyAuditLog(ctx, env.Pool); err != nil || res.Break != nil {
		t.Errorf("audit log broken after admin changes: %+v %v", res, err)
	}
}
