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
