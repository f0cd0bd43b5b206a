package sms

import (
	"fmt"
	"strings"
	"testing"
)

// TestSMSPictureWithWords: an MMS whose words answer is taken as any
// text is, and the reply says first, in one short line in the client's
// language, that the picture could not be opened; a picture alone is
// asked for words instead (reply_media), and a text with no picture says
// nothing of pictures. Through the webhook, signed as Twilio signs.
func TestSMSPictureWithWords(t *testing.T) {
	t.Parallel()
	const (
		mediaWords   = "We couldn't open the picture you sent, but we have read your words."
		mediaWordsPL = "Nie możemy otworzyć zdjęcia, ale przeczytaliśmy Twoją wiadomość."
		mediaAlone   = "Please reply in words."
	)
	for i, c := range []struct {
		name    string
		first   []string // texts before, without pictures
		body    string
		media   int
		want    string // the first SMS of the reply starts with it; "" for neither note
		step    string // the conversation's step after it
		replies int
	}{
		{"answer with a picture", []string{"Hello", "English"}, "1", 1, mediaWords, "postcode", 2},
		{"answer with two pictures", []string{"Hello", "English"}, "debt", 2, mediaWords, "postcode", 2},
		{"answer alone", []string{"Hello", "English"}, "1", 0, "", "postcode", 1},
		{"picture alone", []string{"Hello", "English"}, "", 1, mediaAlone, "needs", 2},
		{"first text with a picture", nil, "Potrzebuję pomocy z długami", 1, mediaWordsPL, "postcode", 4},
		{"Polish answer with a picture", []string{"Hello", "POLSKI"}, "1", 1, mediaWordsPL, "postcode", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newSMSHarness(t)
			phone := fmt.Sprintf("+4477009009%02d", i)
			for _, b := range c.first {
				h.text(phone, b)
			}
			sid := h.nextSID()
			var media []string
			for j := range c.media {
				media = append(media, fmt.Sprintf("https://api.twilio.com/2010-04-01/Accounts/%s/Messages/%s/Media/ME%032x", smsTestAccount, sid, j+1))
			}
			got := h.textSID(sid, phone, c.body, media...)
			all := strings.Join(got, "\n")
			switch {
			case c.want == "" && (strings.Contains(all, "picture") || strings.Contains(all, "zdjęcia")):
				t.Errorf("a text with no picture answered %q", got)
			case c.want == mediaWords || c.want == mediaWordsPL:
				if got[0] != c.want {
					t.Errorf("answered %q; want it to say first %q", got, c.want)
				}
			case c.want != "" && !strings.Contains(got[0], c.want):
				t.Errorf("answered %q; want it to say first %q", got, c.want)
			}
			if len(got) != c.replies {
				t.Errorf("answered %d texts %q, want %d", len(got), got, c.replies)
			}
			if st := h.state(phone); !st.open() || st.Conv.Step != c.step {
				t.Errorf("conversation %+v; want it at %s", st, c.step)
			}
		})
	}
}
