package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestTextMeThisService: one text with the service's details goes
// through the outbox with the number encrypted; a bad number is named;
// the daily limit holds.
func TestTextMeThisService(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	s := e.serviceOf(e.env.Net.CAB)
	b := e.browser()
	page := b.get("/directory/services/" + s.UUID)
	if page.Status != 200 || !strings.Contains(page.Body, "Text me this service") {
		t.Fatalf("service page: %d", page.Status)
	}
	if old := b.get("/directory/services/" + strconvID(s.ID)); old.Path != "/directory/services/"+s.UUID {
		t.Errorf("numeric address ended at %s", old.Path)
	}
	bad := b.postRaw("/directory/services/"+s.UUID+"/text", url.Values{"phone": {"12345"}})
	if bad.Status != http.StatusBadRequest || !strings.Contains(bad.Body, "Enter a UK mobile number") {
		t.Errorf("bad number: %d", bad.Status)
	}
	ok := b.postRaw("/directory/services/"+s.UUID+"/text", url.Values{"phone": {"07700 900123"}})
	if ok.Status != 200 || !strings.Contains(ok.Body, "Text sent") || strings.Contains(ok.Path, "07700") {
		t.Fatalf("send: %d %s", ok.Status, ok.Path)
	}
	var texts []core.OutboxEntry
	for _, r := range coretest.OutboxRows(t, e.env.Engine) {
		if r.Kind == core.OutboxDirectoryText {
			texts = append(texts, r)
		}
	}
	if len(texts) != 1 || !strings.Contains(texts[0].Payload.Text, "Debt and money advice (Kirkton Citizens Advice)") ||
		!strings.Contains(texts[0].Payload.Text, "/directory/services/"+s.UUID) || strings.Contains(string(texts[0].Payload.PhoneEnc), "7700") {
		t.Fatalf("outbox texts = %+v", texts)
	}
	var dedupe string
	if err := e.env.Pool.QueryRow(context.Background(), `SELECT dedupe_key FROM outbox WHERE id = $1`, texts[0].ID).Scan(&dedupe); err != nil {
		t.Fatal(err)
	}
	if p, err := e.env.Engine.DirectoryTextPhone(texts[0].Payload, dedupe); err != nil || p != "+447700900123" {
		t.Errorf("phone = %q %v", p, err)
	}
	// The number is sealed to its row: moved to another, it does not open.
	if p, err := e.env.Engine.DirectoryTextPhone(texts[0].Payload, dedupe+"x"); err == nil {
		t.Errorf("a number moved to another outbox row opened as %q", p)
	}
	for i := 0; i < 6; i++ {
		b.postRaw("/directory/services/"+s.UUID+"/text", url.Values{"phone": {"07700 900123"}})
	}
	if last := b.postRaw("/directory/services/"+s.UUID+"/text", url.Values{"phone": {"07700 900123"}}); last.Status != http.StatusTooManyRequests {
		t.Errorf("after the daily limit: %d", last.Status)
	}
}

func strconvID(id core.ServiceID) string { return strconv.FormatInt(int64(id), 10) }
