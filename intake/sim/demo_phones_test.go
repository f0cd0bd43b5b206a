package sim

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/demo"
)

// The simulator's free numbers are never a seeded demo client's: a "new"
// phone that Onward answered in a demo client's language, with their
// area, looked like a bug in language handling.
func TestSimulatorFreeNumbersAreNotDemoClients(t *testing.T) {
	for n := simFreeFirst; n < demo.ClientPhoneFirst; n++ {
		if p := core.Phone(fmt.Sprintf("%s%03d", simDramaPrefix, n)); demo.IsClientPhone(p) {
			t.Fatalf("free number %s is a demo client's", p)
		}
	}
	for _, suffix := range SimPhones {
		if demo.IsClientPhone(core.Phone(simDramaPrefix + suffix)) {
			t.Errorf("the page offers 07700 900%s, a demo client's phone", suffix)
		}
	}
	if !demo.IsClientPhone(core.Phone(fmt.Sprintf("%s%03d", simDramaPrefix, demo.ClientPhoneFirst))) {
		t.Errorf("07700 900%03d should be a demo client's phone", demo.ClientPhoneFirst)
	}
}

func TestSimulatorPageNamesTheFreeNumbers(t *testing.T) {
	t.Parallel()
	_, _, srv := newSimHarness(t)
	for _, tc := range []struct {
		n     string
		known bool
	}{{"234", false}, {"499", false}, {"500", true}, {"678", true}} {
		res, err := http.Get(srv.URL + "/dev/phone?n=" + tc.n)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, res)
		if !strings.Contains(body, "pick from 07700 900002 to 900499") || !strings.Contains(body, "07700 900500 to 900999 belong to the demo network") {
			t.Errorf("n=%s: the hint does not name the free numbers and the demo clients':\n%s", tc.n, body)
		}
		if got := strings.Contains(body, "07700 900"+tc.n+" is a demo client's phone"); got != tc.known {
			t.Errorf("n=%s: warned of a demo client's phone = %v, want %v", tc.n, got, tc.known)
		}
	}
}
