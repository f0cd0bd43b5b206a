package sim

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/sms"
	"github.com/onward-network/onward/notify/twiliofake"
)

// newTwilio is the simulator's Twilio: the shared fake of Twilio's
// Messages API (twiliofake), where notify's twilio-go client sends when
// ONWARD_TWILIO_API_URL points at "/dev/twilio" on the dev server's own
// address. It accepts texts only to the simulator's drama-range phones,
// refuses opted-out phones as Twilio does, keeps each text for the phone's
// thread, and reports it sent and delivered to its StatusCallback, signed,
// through the real status handler.
func (s *Simulator) newTwilio() *twiliofake.Fake {
	return twiliofake.New(twiliofake.Options{
		AccountSID: s.cfg.AccountSID, AuthToken: s.cfg.AuthToken,
		ValidTo: func(to string) bool {
			_, _, ok := simPhone(strings.TrimPrefix(to, simDramaPrefix))
			return ok && strings.HasPrefix(to, simDramaPrefix)
		},
		OptedOut: func(ctx context.Context, to string) (bool, error) {
			return s.cfg.Engine.OptedOut(ctx, core.Phone(to))
		},
		OnAccept: func(ctx context.Context, m twiliofake.Message) error {
			to, whatsApp := strings.CutPrefix(m.To, sms.WhatsAppPrefix)
			ch := simSMS
			if whatsApp {
				ch = simWhatsApp
			}
			e := simEntry{Dir: simOut, Body: m.Rendered, SID: m.SID, Status: "queued"}
			if m.ContentSID != "" {
				e.Template = true
			}
			if m.OutsideWindow {
				e.Refused = "not delivered: free text outside the 24-hour window (63016)"
			}
			return s.record(ctx, threadID(ch, strings.TrimPrefix(to, simDramaPrefix)), e)
		},
		WhatsAppWindowOpen: s.windowOpen,
		Content:            s.content,
		StatusCallback:     s.statusCallback,
		CallbackDelay:      s.cfg.CallbackDelay,
		Segments:           func(body string) int { n, _ := core.SMSSegments(body); return n },
		Now:                s.cfg.Engine.Clock().Now,
		NewSID:             s.newSID,
	})
}

// statusCallback posts one of the fake's status callbacks, signed, to the
// real status handler in-process. Only callbacks to our own public URL are
// followed.
func (s *Simulator) statusCallback(ctx context.Context, callback string, form url.Values) error {
	base := strings.TrimRight(s.cfg.PublicURL, "/")
	if !strings.HasPrefix(callback, base+"/") {
		s.log.Warn("simulator: status callback outside the public URL ignored")
		return errors.New("status callback outside the public URL")
	}
	u, err := url.Parse(callback)
	if err != nil {
		return err
	}
	rec := &simRecorder{header: http.Header{}}
	if err := s.deliver(ctx, u.RequestURI(), form, rec, s.sms.Status); err != nil || rec.status >= 300 {
		s.log.Warn("simulator: status callback failed", "status", rec.status, "err", err)
		return errors.New("status callback failed")
	}
	return nil
}

// Close waits for the simulator's pending status callbacks.
func (s *Simulator) Close() { s.twilio.Close() }
