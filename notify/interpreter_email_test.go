package notify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify/smtpfake"
)

// A client texted in English who wants a Romanian interpreter: the
// agency's email says so, though texts are in English, and names nobody.
func TestInterpreterEmailSaysTheNeed(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{}, smtpfake.Options{}, nil)
	h.emailOnly(t)
	h.markAllSent(t)
	w := h.mailWorker(t)
	in := coretest.SelfReferral("mail-interp-ro")
	in.Client.Language, in.Client.Interpreter, in.Client.InterpreterLanguage = "", false, "ro"
	if _, err := h.engine.StaffRefer(context.Background(), core.StaffReferral{IdempotencyKey: "mail-interp-ro", By: h.net.WelfareAdviser.Actor(),
		Client: in.Client, Needs: []core.Need{core.NeedDebt}, ToAgency: h.net.CAB, ConsentConfirmed: true, WordingVersion: "v1"}); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	m := parse(t, byRecipient(h.smtp.Messages())["team@cab.example"][0])
	const want = "English · Interpreter wanted: Romanian"
	if !strings.Contains(m.Text, "Language: "+want) || !strings.Contains(m.HTML, "<td>"+want+"</td>") {
		t.Errorf("the email does not say %q:\n%s\n%s", want, m.Text, m.HTML)
	}
	if strings.Contains(m.Text+m.HTML, in.Client.Name) {
		t.Error("the email names the client")
	}
}
