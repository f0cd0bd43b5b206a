package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// `onward staff slack-unlink EMAIL` frees the Slack account a member of
// staff is linked to (Onward never moves it on its own), says so, and
// says when there is nothing to free.
func TestStaffSlackUnlink(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENV", "dev") // the test engines chain events with the stand-in audit key
	euan := env.Net.HousingAdviser
	if err := env.Engine.LinkSlackUser(ctx, euan, "U0EUAN"); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runStaff(ctx, []string{"slack-unlink", euan.Email}, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "Unlinked "+euan.Name) || !strings.Contains(out.String(), "U0EUAN") {
		t.Fatalf("slack-unlink = %v:\n%s", err, out.String())
	}
	if _, err := env.Engine.StaffBySlackUser(ctx, "U0EUAN"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("still linked after slack-unlink: %v", err)
	}
	out.Reset()
	if err := runStaff(ctx, []string{"slack-unlink", euan.Email}, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "not linked to a Slack account") {
		t.Errorf("slack-unlink of someone not linked = %v:\n%s", err, out.String())
	}
	if err := runStaff(ctx, []string{"slack-unlink", "nobody@nowhere.example"}, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "no current member of staff has the email address nobody@nowhere.example") {
		t.Errorf("slack-unlink of an unknown email: %v", err)
	}
	if err := runStaff(ctx, []string{"slack-unlink"}, io.Discard, io.Discard); err == nil {
		t.Error("slack-unlink without an email succeeded")
	}
}
