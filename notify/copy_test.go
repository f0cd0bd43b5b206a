package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// Every client status text fits in two SMS segments even with a long
// agency name, and says nothing it should not.
func TestStatusTextsFitThreeSegments(t *testing.T) {
	t.Parallel()
	cat, err := lang.Load(templates.FS, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &Worker{cat: cat}
	long := smsData{Reference: "ONW-7K3M9PX", Agency: "Dunfermline and West Fife Citizens Advice and Rights Bureau Ltd",
		Days: 3, NetworkName: "Kingdom Advice Network", NetworkPhone: "0800 000 0000"}
	triage := long
	triage.Agency = ""
	for _, name := range []string{core.SMSConfirmation, core.SMSConfirmationNoLocal, core.SMSAccepted, core.SMSRedirected, core.SMSRerouted, core.SMSRejected,
		core.SMSContactCheck, core.SMSFeedbackAsk, core.SMSCancelled, core.SMSConsentRemoved, core.SMSCouldNotContact} {
		for _, d := range []smsData{long, triage} {
			body, err := w.statusText(lang.English, name, d)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			n, enc := core.SMSSegments(body)
			if n > 2 {
				t.Errorf("%s is %d %s segments: %q", name, n, enc, body)
			}
			if !strings.Contains(body, d.Reference) {
				t.Errorf("%s does not give the reference: %q", name, body)
			}
			if strings.Contains(body, "{{") || strings.Contains(body, "<no value>") {
				t.Errorf("%s rendered badly: %q", name, body)
			}
		}
	}
	accepted, _ := w.statusText(lang.English, core.SMSAccepted, long)
	if want := long.Agency + " will contact you within 3 working days about your referral. Your reference is ONW-7K3M9PX."; accepted != want {
		t.Errorf("accepted text\n got %q\nwant %q", accepted, want)
	}
	check, _ := w.statusText(lang.English, core.SMSContactCheck, long)
	one := long
	one.Days = 1
	if got, _ := w.statusText(lang.English, core.SMSAccepted, one); !strings.Contains(got, "within 1 working day about") {
		t.Errorf("accepted text for one day %q: want the singular", got)
	}
	if !strings.Contains(check, "Reply 1 for yes, 2 for no") {
		t.Errorf("contact check text %q", check)
	}
}

func TestBackoffGrowsWithJitterAndHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	b := Backoff{Base: time.Second, Max: time.Minute, Rand: fixedRand(0.5)}
	for attempts, want := range map[int]time.Duration{1: 750 * time.Millisecond, 2: 1500 * time.Millisecond, 3: 3 * time.Second, 20: 45 * time.Second} {
		if got := b.Delay(attempts, 0); got != want {
			t.Errorf("Delay(%d) = %s, want %s", attempts, got, want)
		}
	}
	if got := b.Delay(1, 30*time.Second); got != 30*time.Second+500*time.Millisecond {
		t.Errorf("Retry-After 30s gave %s", got)
	}
	lo, hi := Backoff{Base: time.Second, Max: time.Minute, Rand: fixedRand(0)}, Backoff{Base: time.Second, Max: time.Minute, Rand: fixedRand(0.999)}
	if lo.Delay(3, 0) >= hi.Delay(3, 0) {
		t.Error("jitter does not spread the delay")
	}
}

type fixedRand float64

func (f fixedRand) Float64() float64 { return float64(f) }
