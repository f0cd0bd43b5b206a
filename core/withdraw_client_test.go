package core_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestWithdrawalAskCheckedOffThePage: the withdrawal page's ask writes the
// same one row whether or not the reference and phone belong together,
// with the phone sealed; the worker's answer makes a code only for the
// pair that does.
func TestWithdrawalAskCheckedOffThePage(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	ref := selfReferAs(t, env, "ask-checked", "Morag Baird")
	coretest.MarkOutboxSent(t, env.Pool)
	before := len(coretest.OutboxRows(t, env.Engine))
	for _, a := range []struct{ ref, phone string }{
		{"ONW-NOSUCH1", "07700 900123"}, {ref.Reference, "07700 900999"}, {ref.Reference, "07700 900123"},
	} {
		if err := env.Engine.SendWithdrawalCode(ctx, a.ref, a.phone, "ask-session", "en"); err != nil {
			t.Fatal(err)
		}
	}
	rows := coretest.OutboxRows(t, env.Engine)[before:]
	if len(rows) != 3 || coretest.CountRows(t, env.Pool, "phone_codes") != 0 {
		t.Fatalf("%d outbox rows and %d codes after three asks, want three asks and no code", len(rows), coretest.CountRows(t, env.Pool, "phone_codes"))
	}
	for _, o := range rows {
		b, _ := json.Marshal(o.Payload)
		if o.Kind != core.OutboxWithdrawalAsk || strings.Contains(string(b), "7700") || strings.Contains(string(b), ref.Reference) {
			t.Errorf("an ask wrote %s with payload %s, want a withdrawal ask with nothing typed in clear", o.Kind, b)
		}
	}
	answerWithdrawalAsks(t, env)
	if n := coretest.CountRows(t, env.Pool, "phone_codes"); n != 1 {
		t.Fatalf("%d codes after the worker answered the asks, want one (the matching pair's)", n)
	}
	var codes []core.OutboxEntry
	for _, o := range coretest.OutboxRows(t, env.Engine) {
		if o.Kind == core.OutboxPhoneCode {
			codes = append(codes, o)
		}
	}
	if len(codes) != 1 {
		t.Fatalf("%d code texts queued, want one", len(codes))
	}
	if phone, code, err := env.Engine.PhoneCodeText(ctx, codes[0].Payload.PhoneCodeID); err != nil || phone != "+447700900123" || code == "" {
		t.Errorf("the code goes to %s (%v), want the referral's phone", phone, err)
	}
}
