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
		if err := o.DeadLetter(ctx, c, env.Clock.Now(), "provider refused our credentials", "could not deliver"); err != nil {
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
