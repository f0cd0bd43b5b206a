package sms

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
)

// Every reply the webhook sends is counted for the texts report in the
// language it was written in, with its encoding and segments: a Polish
// conversation's replies after the switch are Polish and UCS-2, the
// first reply (the language menu) English; WhatsApp replies are not
// SMS and are not counted.
func TestSMSRepliesCountedForTheTextsReport(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	want := map[[2]string][2]int64{} // language, encoding → texts, segments
	add := func(code string, replies []string) {
		for _, r := range replies {
			n, enc := core.SMSSegments(r)
			w := want[[2]string{code, enc}]
			want[[2]string{code, enc}] = [2]int64{w[0] + 1, w[1] + int64(n)}
		}
	}
	add("en", h.text(smsTestPhone, "Hi"))
	add("pl", h.text(smsTestPhone, "POLSKI"))
	add("pl", h.text(smsTestPhone, "dług i czynsz"))
	if len(want) == 0 {
		t.Fatal("no replies")
	}
	// Not counted: a WhatsApp message.
	if got, _ := h.whatsApp("whatsapp:+447700900999", "Hi"); len(got) == 0 {
		t.Fatal("no WhatsApp reply")
	}
	if err := h.env.Engine.SentTexts().Flush(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := h.env.Pool.Query(ctx, `SELECT language, encoding, texts, segments FROM sms_segments`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[[2]string][2]int64{}
	for rows.Next() {
		var l, e string
		var n, s int64
		if err := rows.Scan(&l, &e, &n, &s); err != nil {
			t.Fatal(err)
		}
		got[[2]string{l, e}] = [2]int64{n, s}
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if len(got) != len(want) {
		t.Fatalf("counted %v, want %v", got, want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%v: counted %v, want %v", k, got[k], w)
		}
	}
	if _, ok := got[[2]string{"pl", core.SMSEncodingUCS2}]; !ok {
		t.Errorf("no Polish UCS-2 texts counted: %v", got)
	}
}
