package web

import (
	"context"
	"net/http"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
)

// noticeNoLocal is the session's Notice after a postcode no advice
// service may serve: the next page says so once, plainly, and the client
// carries on (a coordinator still looks at every request).
const noticeNoLocal = "no_local"

// areaUnserved reports whether, as far as the directory says now, no
// advice service serves the client's postcode area for what they need:
// the rule the confirmation follows (core.SelfReferralResult.NoLocalService), asked with the
// query core makes when the request is sent (core.Engine.SelfRefer), so
// the client hears it at the postcode rather than only at the end. A
// client who chose a service in the directory, or gave no postcode, is
// told nothing.
func (w *Web) areaUnserved(ctx context.Context, s *webSession) (bool, error) {
	if s.Answers.Postcode == "" || s.Service != 0 {
		return false, nil
	}
	district, err := core.ParseDistrict(s.Answers.Postcode)
	if err != nil {
		return false, nil
	}
	m, err := w.engine.Suggest(ctx, core.MatchQuery{Needs: s.Answers.Needs, District: district,
		Language: s.Answers.Language, SelfReferral: true})
	if err != nil {
		return false, err
	}
	return core.SelfReferralResult{Match: m, Referral: core.Referral{PostcodeDistrict: district}}.NoLocalService(), nil
}

// noticeArea sets or clears the no-local-service notice after the
// postcode question st was answered. When the directory does not answer,
// the notice is left out: the confirmation page still says it.
func (w *Web) noticeArea(r *http.Request, s *webSession, st flow.Step) {
	if st.Type != flow.AnswerPostcodeOrUnknown {
		return
	}
	if s.Notice == noticeNoLocal {
		s.Notice = ""
	}
	unserved, err := w.areaUnserved(r.Context(), s)
	if err != nil {
		w.log.Warn("web: the directory, for the postcode's notice", "err", err)
		return
	}
	if unserved {
		s.Notice = noticeNoLocal
	}
}

// takeNotice puts the session's one-off notice about the client's area
// on page p and forgets it, so it is shown once. It reports false when
// the session could not be saved (and has answered).
func (w *Web) takeNotice(rw http.ResponseWriter, r *http.Request, s *webSession, p *webPage) bool {
	if s.Notice != noticeNoLocal {
		return true
	}
	p.Notice, s.Notice = noticeNoLocal, ""
	if err := w.saveSession(r.Context(), s); err != nil {
		w.unavailable(rw, r, err)
		return false
	}
	return true
}
