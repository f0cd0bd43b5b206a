package bot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
)

// A referral page's form, or the Refer a client form, sent once its
// session has ended is not saved (askToSignIn), but it is kept for a
// while, so that its member of staff need not type a rejection's
// feedback, a completion's outcome and gains, or a client's details,
// needs and note again after signing in: the form's fields, sealed in
// Redis as sessions are (encrypted, bound to their key) for keptFormTTL,
// under a random id that only a short-lived cookie of that browser holds.
// Which forms are kept, and the page each comes back on, is keptPage.
//
// It is kept for its writer alone. The session's record is gone, and a
// session that simply ran out took its cookie with it, but the form
// still carries the session's form token: each sign-in notes whose that
// token is (noteFormOwner), for a while past the session's end, so the
// kept form is bound to that member of staff as it is kept. Whoever signs
// in next in that browser: its writer finds it filled in on its page,
// once; anyone else's sign-in deletes it. It is never sent by itself.
//
// The form's contents are never logged; only that one was kept, deleted
// or restored, with the staff id.

// keptFormCookie holds the kept form's random id, for keptFormTTL.
const keptFormCookie = "onward_staff_kept"

// keptFormTTL is how long a kept form waits for its member of staff.
const keptFormTTL = 15 * time.Minute

// keptFormLimit bounds a kept form, encoded: more than any referral
// page's form or the refer form holds. A larger one is not kept (the
// page behaves as before: its free text is shown back to copy).
const keptFormLimit = 64 << 10

// pageMadeFields are what the page put in its form, not the member of
// staff: never kept. The refilled page makes them afresh.
var pageMadeFields = []string{"csrf", "version", "token", "next"}

// witnessedFields are what the member of staff confirmed they witnessed
// as the form was sent: never kept. The refer form's tick that the client
// agreed to the consent wording is evidence of that moment, so after
// signing in again it is confirmed afresh, with the client.
var witnessedFields = []string{"consent"}

// keptForm is what Redis keeps of a form, sealed (sealKeptForm).
type keptForm struct {
	Path   string     `json:"path"`   // where the form was posted
	Page   string     `json:"page"`   // where it comes back (keptPage)
	Method string     `json:"method"` // POST
	At     time.Time  `json:"at"`     // when
	Fields url.Values `json:"fields"` // what it held, but pageMadeFields and witnessedFields
	// Staff wrote it (formOwner): only their session restores it.
	Staff core.StaffID `json:"staff"`
}

// keptButton is the referral page's action the form was sent to, and
// whether the page refills it: every action of its forms but those that
// only show something (details, the completion note).
func keptButton(path string) (button, bool) {
	parts := strings.Split(strings.TrimPrefix(path, "/staff/referrals/"), "/")
	if !strings.HasPrefix(path, "/staff/referrals/") || len(parts) != 2 || !referenceLike(strings.ToUpper(parts[0])) {
		return "", false
	}
	btn := button(parts[1])
	return btn, inboxActions[btn] && btn != btnDetails && btn != btnNote
}

// referPath is the Refer a client page: its form posts to its own address.
const referPath = "/staff/refer"

// keptPage is the page a form posted to path with these fields comes back
// on, filled in, after signing in, and whether such a form is kept at
// all: a referral's action comes back on that referral's page; the refer
// form on the refer page, and a "Refer this client on" form on the page
// it was opened as (?from= the referral it refers the client on from),
// which checks afresh that the member of staff may see that referral.
// Every other form is not kept.
func keptPage(path string, fields url.Values) (string, bool) {
	if _, ok := keptButton(path); ok {
		page, _ := formPage(path)
		return page, true
	}
	if path != referPath {
		return "", false
	}
	parent := strings.ToUpper(strings.TrimSpace(fields.Get("parent")))
	if parent == "" {
		return referPath, true
	}
	if !referenceLike(parent) {
		return "", false
	}
	return referPath + "?from=" + parent, true
}

// openedPage is the page r opens, named as keptPage names pages: its path
// and, for the refer page, the referral it refers a client on from.
func openedPage(r *http.Request) string {
	if from := r.URL.Query().Get("from"); r.URL.Path == referPath && from != "" {
		return referPath + "?from=" + strings.ToUpper(from)
	}
	return r.URL.Path
}

// keptFormKey is the Redis key of a kept form: the keyed hash of its id,
// so that whoever reads Redis learns no cookie to restore it with.
func (b *Bot) keptFormKey(id string) (key, field string) {
	m := hmac.New(sha256.New, b.auth.secret)
	m.Write([]byte("onward-staff:kept-form:" + id))
	hash := hex.EncodeToString(m.Sum(nil))
	return b.prefix + "bot:kept-form:" + hash, "bot.kept-form." + hash
}

// formOwnerTTL is how long a form token's owner is remembered: past its
// session's end (sessionTTL), as a page opened near the end of a day may
// be sent the next morning.
const formOwnerTTL = sessionTTL + 18*time.Hour

// formOwnerKey is the Redis key naming the member of staff whose session
// made a form token: its keyed hash, never the token.
func (b *Bot) formOwnerKey(csrf string) string {
	m := hmac.New(sha256.New, b.auth.secret)
	m.Write([]byte("onward-staff:form-owner:" + csrf))
	return b.prefix + "bot:form-owner:" + hex.EncodeToString(m.Sum(nil))
}

// noteFormOwner notes, in a sign-in's pipeline, that the session's form
// token csrf is staff's, for formOwnerTTL.
func (b *Bot) noteFormOwner(ctx context.Context, p redis.Pipeliner, csrf string, staff core.StaffID) {
	p.Set(ctx, b.formOwnerKey(csrf), int64(staff), formOwnerTTL)
}

// formOwner is the member of staff whose session made the form token of
// a form sent without one; 0 when none is known (no token, a session
// from before owners were noted, or long gone).
func (b *Bot) formOwner(ctx context.Context, csrf string) core.StaffID {
	if csrf == "" || len(csrf) > 64 {
		return 0
	}
	id, err := b.rdb.Get(ctx, b.formOwnerKey(csrf)).Int64()
	if err != nil {
		if !errors.Is(err, redis.Nil) {
			b.log.Warn("find whose form was sent after its session ended", "err", err)
		}
		return 0
	}
	return core.StaffID(id)
}

// keepForm keeps the form r posted without a session for the member of
// staff who wrote it, and returns it, or ok false when it did not keep
// it: not a form keptPage keeps, nor one whose writer is not known, nor
// one over keptFormLimit, nor when Redis does not answer (the page then
// says, as before, that nothing was kept).
func (b *Bot) keepForm(w http.ResponseWriter, r *http.Request) (keptForm, bool) {
	if r.ParseForm() != nil {
		return keptForm{}, false
	}
	page, ok := keptPage(r.URL.Path, r.PostForm)
	if !ok {
		return keptForm{}, false
	}
	ctx := r.Context()
	owner := b.formOwner(ctx, r.PostForm.Get("csrf"))
	if owner == 0 {
		return keptForm{}, false
	}
	fields := url.Values{}
	for name, vs := range r.PostForm {
		fields[name] = vs
	}
	for _, name := range slices.Concat(pageMadeFields, witnessedFields) {
		delete(fields, name)
	}
	if len(fields.Encode()) > keptFormLimit {
		return keptForm{}, false
	}
	raw := make([]byte, 16)
	if _, err := io.ReadFull(b.auth.random, raw); err != nil {
		b.log.Warn("keep a staff form after its session ended: make its id", "err", err)
		return keptForm{}, false
	}
	id := base64.RawURLEncoding.EncodeToString(raw)
	b.dropKeptForm(ctx, w, r) // one kept form per browser: the latest
	k := keptForm{Path: r.URL.Path, Page: page, Method: r.Method, At: b.clock.Now().UTC(), Fields: fields, Staff: owner}
	if err := b.saveKeptForm(ctx, id, k); err != nil {
		b.log.Warn("keep a staff form after its session ended", "err", err)
		return keptForm{}, false
	}
	http.SetCookie(w, &http.Cookie{Name: keptFormCookie, Value: id, Path: "/staff", MaxAge: int(keptFormTTL.Seconds()),
		HttpOnly: true, Secure: !b.cfg.Dev(), SameSite: http.SameSiteLaxMode})
	b.log.Info("staff form kept after its session ended", "staff", owner)
	return k, true
}

// saveKeptForm seals k under id for keptFormTTL.
func (b *Bot) saveKeptForm(ctx context.Context, id string, k keptForm) error {
	key, field := b.keptFormKey(id)
	plain, err := json.Marshal(k)
	if err != nil {
		return fmt.Errorf("encode kept form: %w", err)
	}
	ct, err := b.engine.Crypter().EncryptBytes(field, plain)
	if err != nil {
		return fmt.Errorf("encrypt kept form: %w", err)
	}
	if err := b.rdb.Set(ctx, key, ct, keptFormTTL).Err(); err != nil {
		return fmt.Errorf("store kept form: %w", err)
	}
	return nil
}

// loadKeptForm is the form kept in this browser, with its id; ok is false
// when there is none (no cookie, expired, or not readable).
func (b *Bot) loadKeptForm(ctx context.Context, r *http.Request) (k keptForm, id string, ok bool) {
	c, err := r.Cookie(keptFormCookie)
	if err != nil || len(c.Value) != 22 || strings.ContainsFunc(c.Value, notTokenChar) {
		return keptForm{}, "", false
	}
	key, field := b.keptFormKey(c.Value)
	v, err := b.rdb.Get(ctx, key).Bytes()
	if err != nil {
		if !errors.Is(err, redis.Nil) {
			b.log.Warn("read a kept staff form", "err", err)
		}
		return keptForm{}, "", false
	}
	plain, err := b.engine.Crypter().DecryptBytes(field, v)
	if err == nil {
		err = json.Unmarshal(plain, &k)
	}
	if err != nil || b.clock.Now().Sub(k.At) > keptFormTTL {
		return keptForm{}, "", false
	}
	return k, c.Value, true
}

// dropKeptForm deletes the form kept in this browser, if any, and its
// cookie.
func (b *Bot) dropKeptForm(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(keptFormCookie)
	if err != nil {
		return
	}
	key, _ := b.keptFormKey(c.Value)
	if err := b.rdb.Del(ctx, key).Err(); err != nil {
		b.log.Warn("delete a kept staff form", "err", err)
	}
	http.SetCookie(w, &http.Cookie{Name: keptFormCookie, Value: "", Path: "/staff", MaxAge: -1,
		HttpOnly: true, Secure: !b.cfg.Dev(), SameSite: http.SameSiteLaxMode})
}

// keptFormSignedIn is a sign-in's part in the form kept in its browser:
// it stays for its writer (restored on its page), and is deleted when
// anyone else signs in.
func (b *Bot) keptFormSignedIn(ctx context.Context, w http.ResponseWriter, r *http.Request, st core.Staff) {
	if _, err := r.Cookie(keptFormCookie); err != nil {
		return
	}
	if k, _, ok := b.loadKeptForm(ctx, r); ok && k.Staff == st.ID {
		return
	}
	b.dropKeptForm(ctx, w, r)
	b.log.Info("kept staff form deleted: someone else signed in", "staff", st.ID)
}

// restoreKeptForm is the form kept for the signed-in member of staff, when
// it was sent from the page r opens; it is deleted as it is handed over,
// so it is restored once. A form held for someone else is deleted; one of
// another page stays for that page.
func (b *Bot) restoreKeptForm(w http.ResponseWriter, r *http.Request, s session) (keptForm, bool) {
	ctx := r.Context()
	if _, err := r.Cookie(keptFormCookie); err != nil {
		return keptForm{}, false
	}
	k, id, ok := b.loadKeptForm(ctx, r)
	if !ok || k.Staff != s.staff.ID {
		b.dropKeptForm(ctx, w, r)
		return keptForm{}, false
	}
	page := k.Page
	if page == "" { // kept before kept forms named their page: a referral's
		page, _ = formPage(k.Path)
	}
	if !strings.EqualFold(page, openedPage(r)) {
		return keptForm{}, false
	}
	key, _ := b.keptFormKey(id)
	if n, err := b.rdb.Del(ctx, key).Result(); err != nil || n != 1 {
		return keptForm{}, false // handed over already (another tab), or Redis did not answer
	}
	b.dropKeptForm(ctx, w, r)
	b.log.Info("kept staff form restored after signing in", "staff", s.staff.ID)
	return k, true
}

// referralForm is the kept form as its referral page shows it again,
// read as a refused action's form is (referralFormValues,
// completionRequest), with the notice that it was not saved.
func (k keptForm) referralForm() referralForm {
	btn, _ := keptButton(k.Path)
	f := referralForm{status: http.StatusOK, values: referralFormValues(btn, k.Fields), restored: btn}
	f.typed = f.values.Reason != "" || f.values.Feedback != "" || f.values.Agency != ""
	if btn == btnComplete {
		c, _ := completionRequest(k.Fields.Get, &core.TransitionRequest{})
		f.complete = &c
		f.typed = c.Outcome != "" || c.AdviceType != "" || c.AdviceTopic != "" || c.Note != "" ||
			slices.ContainsFunc(c.Gains, func(g gainInput) bool { return g.Value != "" })
	}
	return f
}

// referForm is the kept refer form as the refer page shows it again, at
// the step it was sent from (find the client, show agencies, or send),
// read as a posted one is (referFormFrom), with the notice that it was
// not saved. The consent tick is never filled in (witnessedFields): the
// notice asks for it afresh.
func (k keptForm) referForm() (referForm, string) {
	f := referFormFrom(k.Fields)
	f.Consent = false
	step := k.Fields.Get("step")
	if step != "find" && step != "match" {
		step = "send"
	}
	return f, sayWeb("web.kept.refer", map[string]any{"Step": step})
}
