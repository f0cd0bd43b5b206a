package sms

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// A client no local service can take (a postcode outside every agency's
// area) is told at the end that a coordinator will say where to get
// help, not that a local advice service will text them; a client inside
// the network's area still is.
func TestSMSDoneWithNoLocalService(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	end := func(phone, postcode string) string {
		var last []string
		for _, body := range []string{"hi", "1", "1", postcode, "no", "no", "Sam", "1", "1", "yes"} {
			last = h.text(phone, body)
		}
		return strings.Join(last, "\n")
	}
	if got := end("+447700900531", "EH1 1AA"); !strings.Contains(got, "may not have an advice service for your area") ||
		strings.Contains(got, "A local advice service will") {
		t.Errorf("out of the network's area, the end says %q", got)
	}
	if got := end("+447700900532", "KY1 1AB"); !strings.Contains(got, "A local advice service will") {
		t.Errorf("inside the network's area, the end says %q", got)
	}
}

// The data sharing page a Polish client is sent to, Onward's own, opens
// in Polish (?lang=pl) whatever their phone's browser asks for.
func TestSMSDataSharingLinkInTheClientsLanguage(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	n, err := h.env.Engine.Network(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.env.Engine.SetNetwork(ctx, h.env.Pool, core.NetworkSettings{Name: n.Name, Phone: n.Phone, OpeningHours: n.OpeningHours,
		CrisisLines: n.CrisisLines, DirectoryURL: n.DirectoryURL, DataSharingURL: smsTestPublicURL + "/data-sharing", Timezone: n.Timezone}); err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, body := range []string{"dług", "KY1 1AB", "nie", "nie", "Ania", "1", "nie", "1"} {
		all = append(all, h.text("+447700900533", body)...)
	}
	got := strings.Join(all, "\n")
	if !strings.Contains(got, smsTestPublicURL+"/data-sharing?lang=pl") {
		t.Errorf("the Polish consent texts give no Polish data sharing page:\n%s", got)
	}
}
