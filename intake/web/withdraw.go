package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-redis/redis_rate/v10"

	"github.com/onward-network/onward/core"
)

// The client's own withdrawal of consent (/withdraw), reached from their
// reference (the data-sharing page links here): they type the reference
// and their phone, we text a one-time code to that phone if it is the one
// the referral was made with, and they type it back and confirm. core
// does the same withdrawal as the WITHDRAW text. The page answers the same,
// after the same work, whether or not the reference exists or the phone
// matches (it only queues the ask; the outbox worker checks it and texts
// the code), so it tells nobody who asked for help.
const (
	pathWithdraw        = "/withdraw"
	pathWithdrawConfirm = "/withdraw/confirm"
	pathWithdrawRestart = "/withdraw/restart"
	// withdrawAsksPerHour is how many references and phones one IP address
	// may try in an hour, on top of core's per-number code limits.
	withdrawAsksPerHour = 10
)

// withdrawData is what the withdrawal page shows.
type withdrawData struct {
	CodeSent bool // step 2: type the code and confirm
	Done     bool // the withdrawal is recorded
}

// withdrawSession loads the form session (or starts one, on a GET) and
// checks the CSRF token of a POST. Unlike the self-referral's, it never
// sends the visitor elsewhere: a finished request for help does not stop
// a withdrawal.
func (w *Web) withdrawSession(h sessionHandler) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		s, _, err := w.loadSession(ctx, r)
		if errors.Is(err, errNoSession) {
			if r.Method == http.MethodPost {
				w.formExpired(rw, r, nil)
				return
			}
			if s, err = w.newSession(rw); err == nil {
				err = w.saveSession(ctx, s)
			}
		}
		if err != nil {
			w.unavailable(rw, r, err)
			return
		}
		if r.Method == http.MethodPost {
			if !w.readSessionForm(rw, r, s) {
				return
			}
		}
		h(rw, r, s)
	}
}

func (w *Web) renderWithdraw(rw http.ResponseWriter, r *http.Request, s *webSession, status int, errs []formError, form formValues) {
	p := w.page(r, s)
	p.Crisis = false
	p.Errors, p.Form = errs, form
	if p.Form == nil {
		p.Form = formValues{"reference": s.WithdrawRef}
	}
	p.Data = withdrawData{CodeSent: s.WithdrawPhone != "", Done: s.WithdrawDone}
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, status, "web/withdraw", p)
}

// showWithdraw is the page at its current step.
func (w *Web) showWithdraw(rw http.ResponseWriter, r *http.Request, s *webSession) {
	w.renderWithdraw(rw, r, s, http.StatusOK, nil, nil)
}

// withdrawAsk takes the reference and phone and queues the ask for a
// code (core.Engine.SendWithdrawalCode): the worker texts one when they
// belong together.
func (w *Web) withdrawAsk(rw http.ResponseWriter, r *http.Request, s *webSession) {
	typed := strings.TrimSpace(r.PostFormValue("reference"))
	phone := strings.TrimSpace(r.PostFormValue("phone"))
	// A reference as the client types it ("onw 4n2fc3b", "4N2FC3B") is
	// read as Onward prints it; what cannot be one is said at once, not
	// answered as a reference that did not match.
	ref, ok := core.NormaliseReference(typed)
	form := formValues{"reference": ref, "phone": phone}
	var errs []formError
	if !ok {
		form["reference"] = typed
		errs = append(errs, w.tError(r, s, "reference", "web.withdraw.error_reference"))
	}
	if _, err := core.ParsePhone(phone); err != nil {
		errs = append(errs, w.tError(r, s, "phone", "web.withdraw.error_phone"))
	}
	if len(errs) > 0 {
		w.renderWithdraw(rw, r, s, http.StatusUnprocessableEntity, errs, form)
		return
	}
	res, err := w.limiter.Allow(r.Context(), w.rateKey(r)+":withdraw", redis_rate.PerHour(withdrawAsksPerHour))
	if err == nil && res.Allowed == 0 {
		rw.Header().Set("Retry-After", strconv.Itoa(int(res.RetryAfter.Seconds())+1))
		// Ten an hour: the next try is minutes away, not one.
		w.fault(rw, r, http.StatusTooManyRequests, "rate_limited_longer")
		return
	}
	// A robot that filled the honeypot is answered as everyone is, and
	// nothing is texted.
	bot := s.Bot || r.PostFormValue(fieldHoneypot) != ""
	if err := w.sendWithdrawalCode(r, bot, ref, phone, s); err != nil {
		var ve *core.ValidationError
		if errors.As(err, &ve) {
			w.renderWithdraw(rw, r, s, http.StatusUnprocessableEntity, []formError{w.tError(r, s, "phone", "web.withdraw.error_phone")}, form)
			return
		}
		w.unavailable(rw, r, err)
		return
	}
	s.WithdrawRef, s.WithdrawPhone, s.WithdrawDone = ref, phone, false
	w.savedTo(rw, r, s, pathWithdraw+"#code")
}

func (w *Web) sendWithdrawalCode(r *http.Request, bot bool, ref, phone string, s *webSession) error {
	if bot {
		return nil
	}
	return w.engine.SendWithdrawalCode(r.Context(), ref, phone, s.id, w.requestLang(r, s))
}

// withdrawConfirm checks the code and records the withdrawal
// (core.Engine.WithdrawByClient).
func (w *Web) withdrawConfirm(rw http.ResponseWriter, r *http.Request, s *webSession) {
	if s.WithdrawPhone == "" {
		w.savedTo(rw, r, s, pathWithdraw)
		return
	}
	code := core.Digits(r.PostFormValue("code"))
	var errs []formError
	if code == "" {
		errs = append(errs, w.tError(r, s, "code", "web.withdraw.error_code"))
	}
	if r.PostFormValue("confirm") != "yes" {
		errs = append(errs, w.tError(r, s, "confirm", "web.withdraw.error_confirm"))
	}
	if len(errs) > 0 {
		w.renderWithdraw(rw, r, s, http.StatusUnprocessableEntity, errs, nil)
		return
	}
	_, err := w.engine.WithdrawByClient(r.Context(), s.WithdrawRef, s.WithdrawPhone, s.id, code,
		"the client on the withdrawal page, phone proven by a one-time code")
	if errors.Is(err, core.ErrPhoneCodeWrong) {
		w.renderWithdraw(rw, r, s, http.StatusBadRequest, []formError{w.tError(r, s, "code", "web.withdraw.error_code")}, nil)
		return
	}
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	s.WithdrawRef, s.WithdrawPhone, s.WithdrawDone = "", "", true
	w.savedTo(rw, r, s, pathWithdraw)
}

// withdrawRestart forgets the reference and phone typed, to start again.
func (w *Web) withdrawRestart(rw http.ResponseWriter, r *http.Request, s *webSession) {
	s.WithdrawRef, s.WithdrawPhone, s.WithdrawDone = "", "", false
	w.savedTo(rw, r, s, pathWithdraw)
}

// tError is a form error worded in the page's language.
func (w *Web) tError(r *http.Request, s *webSession, field, id string) formError {
	msg, err := w.page(r, s).T(id)
	if err != nil {
		msg = id
	}
	return formError{Field: field, Message: msg}
}
