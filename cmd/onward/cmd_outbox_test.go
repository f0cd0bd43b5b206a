package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// After an outage an operator retries the dead letters it left, several
// at once: each named is retried, a row that is only waiting for its time
// is named and the others go all the same; a word that is no row id
// refuses the whole command before anything is retried.
func TestOutboxRetryTakesSeveralRows(t *testing.T) {
	env, _ := clientCLIEnv(t, "outbox-retry")
	ctx := context.Background()
	if _, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("outbox-retry-2")); err != nil {
		t.Fatal(err)
	}
	o := core.NewOutbox(env.Pool, env.Clock)
	claimed, err := o.Claim(ctx, env.Clock.Now(), time.Minute, 3)
	if err != nil || len(claimed) < 3 {
		t.Fatalf("claim the self-referral's rows: %d, %v", len(claimed), err)
	}
	dead := []core.OutboxID{claimed[0].ID, claimed[1].ID}
	for _, c := range claimed[:2] {
		if err := o.DeadLetter(ctx, c, env.Clock.Now(), "provider refused our credentials", "could not deliver", nil); err != nil {
			t.Fatal(err)
		}
	}
	waiting := claimed[2]
	if err := o.RetryLater(ctx, waiting, env.Clock.Now().Add(time.Hour), "status 500"); err != nil {
		t.Fatal(err)
	}
	deadNow := func() map[core.OutboxID]bool {
		t.Helper()
		es, err := o.List(ctx, core.OutboxFilter{State: core.OutboxDead, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		m := map[core.OutboxID]bool{}
		for _, e := range es {
			m[e.ID] = true
		}
		return m
	}

	var out bytes.Buffer
	err = runOutbox(ctx, []string{"retry", fmt.Sprint(dead[0]), "12x"}, &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `"12x"`) {
		t.Fatalf("retry with a word that is no id: %v, want it named", err)
	}
	if d := deadNow(); !d[dead[0]] || !d[dead[1]] {
		t.Fatalf("a refused command retried rows: dead now %v", d)
	}

	out.Reset()
	err = runOutbox(ctx, []string{"retry", fmt.Sprint(dead[0]), fmt.Sprint(waiting.ID), fmt.Sprint(dead[1])}, &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("outbox row %d is not a dead letter", waiting.ID)) ||
		!strings.Contains(err.Error(), "1 of the 3 rows named were not retried") {
		t.Errorf("retry of two dead letters and a waiting row: %v, want the waiting row named and the count", err)
	}
	for _, id := range dead {
		if !strings.Contains(out.String(), fmt.Sprintf("outbox row %d queued again", id)) {
			t.Errorf("output %q does not say row %d was queued again", out.String(), id)
		}
	}
	if d := deadNow(); d[dead[0]] || d[dead[1]] {
		t.Errorf("after the retry rows are still dead: %v", d)
	}
}

// An on-call review: `onward outbox list` printed the oldest hundred rows
// by id (reminders due in days) and no word of the rest, so a card
// failing now was not in it; dead letters oldest first; emails about a
// referral without its reference. Now waiting rows come soonest due
// first, dead letters newest first, with how many more there are, and
// every row about a referral names it.
func TestOutboxListShowsWhatMattersFirst(t *testing.T) {
	env, res := clientCLIEnv(t, "outbox-list")
	ctx := context.Background()
	o := core.NewOutbox(env.Pool, env.Clock)
	all, err := o.List(ctx, core.OutboxFilter{State: core.OutboxPending, Limit: 1000})
	if err != nil || len(all) < 3 {
		t.Fatalf("the self-referral's rows: %d, %v", len(all), err)
	}
	soonest := all[0]
	for _, e := range all {
		if e.AvailableAt.Before(soonest.AvailableAt) {
			soonest = e
		}
	}
	var out bytes.Buffer
	if err := runOutbox(ctx, []string{"list", "--limit", "1"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], fmt.Sprint(soonest.ID)+" ") ||
		!strings.Contains(lines[2], fmt.Sprintf("(%d more not shown: --limit %d lists them all)", len(all)-1, len(all))) {
		t.Errorf("outbox list --limit 1:\n%s\nwant row %d (due soonest) and %d more counted", out.String(), soonest.ID, len(all)-1)
	}
	out.Reset()
	if err := runOutbox(ctx, []string{"list", "--limit", "1000"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	emails := 0
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, "email.") {
			emails++
			if !strings.Contains(line, res.Referral.Reference) {
				t.Errorf("an email row about the referral does not name it: %q", line)
			}
		}
	}
	if emails == 0 {
		t.Errorf("no email rows about the referral listed:\n%s", out.String())
	}

	claimed, err := o.Claim(ctx, env.Clock.Now(), time.Minute, 2)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim two rows: %d, %v", len(claimed), err)
	}
	for i, c := range claimed {
		if err := o.DeadLetter(ctx, c, env.Clock.Now().Add(time.Duration(i)*time.Minute), "refused", "could not deliver", nil); err != nil {
			t.Fatal(err)
		}
	}
	out.Reset()
	if err := runOutbox(ctx, []string{"list", "--dead", "--limit", "1"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(out.String(), "\n"); len(lines) < 2 || !strings.HasPrefix(lines[1], fmt.Sprint(claimed[1].ID)+" ") {
		t.Errorf("outbox list --dead --limit 1:\n%s\nwant the newest dead letter, row %d", out.String(), claimed[1].ID)
	}
}

// An on-call review: a row waiting for the mail server, with no error of
// its own, was listed as "waiting: the mail server cannot be reached; "
// with nothing after the "; ".
func TestOutboxListJoinsStatusAndErrorOnlyWhenBothAreThere(t *testing.T) {
	env, _ := clientCLIEnv(t, "outbox-status")
	ctx := context.Background()
	o := core.NewOutbox(env.Pool, env.Clock)
	claimed, err := o.Claim(ctx, env.Clock.Now(), time.Minute, 2)
	if err != nil || len(claimed) < 2 {
		t.Fatalf("claim the self-referral's rows: %d, %v", len(claimed), err)
	}
	if err := o.Defer(ctx, claimed[0], env.Clock.Now().Add(time.Hour), core.DeliveryWaiting("the mail server cannot be reached")); err != nil {
		t.Fatal(err)
	}
	if err := o.RetryLater(ctx, claimed[1], env.Clock.Now().Add(time.Hour), "status 500"); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runOutbox(ctx, []string{"list"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(out.String(), "\n") {
		for _, c := range claimed[:2] {
			if strings.HasPrefix(l, fmt.Sprint(c.ID)+" ") {
				lines[fmt.Sprint(c.ID)] = l
			}
		}
	}
	if l := lines[fmt.Sprint(claimed[0].ID)]; !strings.HasSuffix(l, "  waiting: the mail server cannot be reached") {
		t.Errorf("a row waiting without an error: %q, want its status alone", l)
	}
	if l := lines[fmt.Sprint(claimed[1].ID)]; !strings.HasSuffix(l, "  status 500") {
		t.Errorf("a row retrying: %q, want its error", l)
	}
}
