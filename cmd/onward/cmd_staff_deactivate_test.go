package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
)

// `onward staff deactivate EMAIL` deactivates the last person at an agency
// off Slack told of its new referrals (a leaver's access goes whatever the
// settings say) and says what follows; deactivating anyone else says
// nothing of it.
func TestStaffDeactivateSaysWhenNobodyIsLeftToBeTold(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENV", "dev")
	n := env.Net
	if _, err := env.Pool.Exec(ctx, `UPDATE agencies SET slack_channel_id = '', notify_email = '' WHERE id = $1`, n.CAB); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runStaff(ctx, []string{"deactivate", n.Adviser2.Email}, &out, io.Discard); err != nil ||
		strings.Contains(out.String(), "Nobody at") {
		t.Fatalf("deactivating one of two = %v:\n%s", err, out.String())
	}
	out.Reset()
	if err := runStaff(ctx, []string{"deactivate", n.Adviser.Email}, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "Nobody at Kirkton Citizens Advice is now told of its new referrals") {
		t.Fatalf("deactivating the last to be told = %v:\n%s", err, out.String())
	}
	if _, err := env.Engine.StaffByID(ctx, n.Adviser.ID); err == nil {
		t.Error("the last to be told is still active")
	}
}

// Deactivating someone already deactivated says they were deactivated, on what day and how to
// give them access again, not that nobody has the address (an on-call
// review); an address nobody has still says that.
func TestStaffDeactivateTwiceSaysAlreadyDeactivated(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENV", "dev")
	email := env.Net.Adviser2.Email
	if err := runStaff(ctx, []string{"deactivate", email}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	err := runStaff(ctx, []string{"deactivate", email}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), email+" ("+env.Net.Adviser2.Name) || !strings.Contains(err.Error(), "was deactivated on ") ||
		!strings.Contains(err.Error(), "onward staff reactivate "+email) {
		t.Errorf("deactivating twice = %v, want deactivated, on what day, and how to reactivate", err)
	}
	err = runStaff(ctx, []string{"deactivate", "nobody@nowhere.example"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no current member of staff has the email address nobody@nowhere.example") {
		t.Errorf("an unknown address = %v, want none has it", err)
	}
}
