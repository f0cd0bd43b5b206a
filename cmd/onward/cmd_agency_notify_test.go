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

func TestAgencyNotifyCommand(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENV", "dev") // the test engines chain events with the stand-in audit key
	cab, err := env.Engine.Agency(ctx, env.Net.CAB)
	if err != nil {
		t.Fatal(err)
	}
	recipients := func() []string {
		t.Helper()
		to, err := env.Engine.EmailRecipients(ctx, core.EmailNewReferral, cab.ID, 0, false, false, false)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range to {
			out = append(out, r.Address)
		}
		return out
	}
	staffOnly := len(recipients())
	if staffOnly == 0 {
		t.Fatal("the seeded agency's staff get no new-referral email before any change")
	}

	// Flags after the short name, as the usage shows them.
	var out bytes.Buffer
	if err := runAgency(ctx, []string{"notify", cab.Slug, "--email", "Team@CAB.example.org", "--email-staff", "never"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	a, _ := env.Engine.Agency(ctx, cab.ID)
	if a.NotifyEmail != "Team@CAB.example.org" || a.EmailStaff != core.StaffEmailNever {
		t.Fatalf("after notify: shared %q, staff %q", a.NotifyEmail, a.EmailStaff)
	}
	if !strings.Contains(out.String(), "emailed to Team@CAB.example.org") || !strings.Contains(out.String(), "not emailed at their own addresses") {
		t.Errorf("notify said:\n%s", out.String())
	}
	if got := recipients(); len(got) != 1 || got[0] != "Team@CAB.example.org" {
		t.Errorf("new-referral email goes to %q, want only the shared address", got)
	}

	// Flags before the short name; a setting not given is kept.
	if err := runAgency(ctx, []string{"notify", "--email-staff", "always", cab.Slug}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	a, _ = env.Engine.Agency(ctx, cab.ID)
	if a.NotifyEmail != "Team@CAB.example.org" || a.EmailStaff != core.StaffEmailAlways {
		t.Fatalf("after --email-staff alone: shared %q, staff %q", a.NotifyEmail, a.EmailStaff)
	}
	if got := recipients(); len(got) != staffOnly+1 {
		t.Errorf("new-referral email goes to %q, want the %d staff and the shared address", got, staffOnly)
	}

	// No flags: it says where notifications go and changes nothing.
	out.Reset()
	if err := runAgency(ctx, []string{"notify", cab.Slug}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "Team@CAB.example.org") {
		t.Fatalf("notify without flags = %v:\n%s", err, out.String())
	}
	out.Reset()
	if err := runAgency(ctx, []string{"list"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "Team@CAB.example.org") {
		t.Fatalf("list = %v:\n%s", err, out.String())
	}

	// An empty address takes the shared address away.
	if err := runAgency(ctx, []string{"notify", cab.Slug, "--email", ""}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if a, _ = env.Engine.Agency(ctx, cab.ID); a.NotifyEmail != "" || a.EmailStaff != core.StaffEmailAlways {
		t.Fatalf("after --email \"\": shared %q, staff %q", a.NotifyEmail, a.EmailStaff)
	}

	// Bad input is refused in plain words and changes nothing.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"notify", cab.Slug, "--email", "team at cab"}, `notify email must be one email address, like team@agency.example.org; "team at cab" is not`},
		{[]string{"notify", cab.Slug, "--email", "a@cab.example\r\nBcc: b@elsewhere.example"}, "notify email must be one email address"},
		{[]string{"notify", cab.Slug, "--email-staff", "yes"}, `email staff must be one of always, without-slack, never; "yes" is not`},
		{[]string{"notify", "no-such-agency", "--email-staff", "never"}, "no agency has the short name"},
		{[]string{"notify", "--email-staff", "never"}, "one agency's short name"},
		{[]string{"notify", cab.Slug, "cats", "--email-staff", "never"}, "one agency's short name"},
		{[]string{"notify", cab.Slug, "--colour", "red"}, "flag provided but not defined"},
	} {
		err := runAgency(ctx, c.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("agency %q: %v, want it to say %q", c.args, err, c.want)
		}
	}
	if a, _ = env.Engine.Agency(ctx, cab.ID); a.NotifyEmail != "" || a.EmailStaff != core.StaffEmailAlways {
		t.Errorf("refused changes were written: shared %q, staff %q", a.NotifyEmail, a.EmailStaff)
	}

	// Each change is in the agency's audit chain, and the chain holds.
	var changes int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE agency_id = $1 AND kind = $2`,
		cab.ID, core.EventNotificationsChanged).Scan(&changes); err != nil || changes != 3 {
		t.Errorf("%d notification changes in the audit log (%v), want 3", changes, err)
	}
	if res, err := core.VerifyAuditLog(ctx, env.Pool); err != nil || res.Break != nil {
		t.Errorf("audit log broken after notification changes: %+v %v", res, err)
	}
}
