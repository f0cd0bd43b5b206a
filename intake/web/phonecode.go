package web

import (
	"errors"
	"net/http"

	"github.com/onward-network/onward/core"
)

// Proving the phone: on "check your answers" a client who gave a phone may
// ask for a one-time code by text and type it back. Only a proven phone
// gets the reference by text and has these details joined to the record
// kept for that phone; without it the request still goes, with its
// details kept with it alone. Core sends the code, limits how many a number
// and a session may get, and keeps the proof.
const (
	pathSendCode  = "/refer/check/send-code"
	pathCheckCode = "/refer/check/code"
)

// phoneProven reports whether the phone now in the answers was proven in
// this session.
func (s *webSession) phoneProven() bool {
	return s.Answers.Phone != "" && s.ProvenPhone == s.Answers.Phone
}

func (w *Web) sendCode(rw http.ResponseWriter, r *http.Request, s *webSession) {
	if s.Answers.Phone == "" || s.phoneProven() {
		w.savedTo(rw, r, s, pathCheck)
		return
	}
	err := w.engine.SendPhoneCode(r.Context(), s.Answers.Phone, s.id, w.requestLang(r, s))
	var ve *core.ValidationError
	switch {
	case errors.Is(err, core.ErrPhoneCodeLimit):
		w.renderCheck(rw, r, s, http.StatusTooManyRequests, []formError{{Field: "send-code", Message: w.words(r, s, "check_code.limit")}})
		return
	case errors.Is(err, core.ErrLandline):
		w.renderCheck(rw, r, s, http.StatusUnprocessableEntity, []formError{{Field: "send-code", Message: w.words(r, s, "check_code.landline")}})
		return
	case errors.As(err, &ve):
		w.submitRefused(rw, r, s, ve)
		return
	case err != nil:
		w.unavailable(rw, r, err)
		return
	}
	s.CodeSentTo = s.Answers.Phone
	w.savedTo(rw, r, s, pathCheck+"#code")
}

func (w *Web) checkCode(rw http.ResponseWriter, r *http.Request, s *webSession) {
	code := core.Digits(r.PostFormValue("code"))
	if s.Answers.Phone == "" || s.CodeSentTo != s.Answers.Phone {
		w.savedTo(rw, r, s, pathCheck)
		return
	}
	err := w.engine.CheckPhoneCode(r.Context(), s.Answers.Phone, s.id, code)
	if errors.Is(err, core.ErrPhoneCodeWrong) {
		w.renderCheck(rw, r, s, http.StatusBadRequest, []formError{{Field: "code", Message: w.words(r, s, "check_code.wrong")}})
		return
	}
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	s.ProvenPhone = s.Answers.Phone
	w.savedTo(rw, r, s, pathCheck)
}

// isLandline reports whether the phone typed is a landline, which no code
// (and no text) reaches: the check page offers no code for one.
func isLandline(phone string) bool {
	p, err := core.ParsePhone(phone)
	return err == nil && core.Landline(p)
}
