package bot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
)

// Staff sessions live on the server, in Redis: the cookie carries only a
// random session id (32 bytes from the bot's random source), and each
// request looks the session up and reads the member of staff afresh. So
// signing out, being deactivated (StaffByID no longer finds them) or a
// change of role takes effect on the very next request. Each member of
// staff's sessions are also listed in a sorted set, to show them and to
// end them all at once.
//
// Redis never holds the id itself, only its keyed hash (sessionHash):
// the session's key and its member in the sorted set. Whoever can read
// Redis, its append-only file or a backup learns no cookie to sign in
// with, as for the client's form (intake/web/session.go). The session's
// value (sessionRecord) is encrypted, bound to that hash, as the client's
// form session is.

// session is a signed-in member of staff.
type session struct {
	staff  core.Staff
	claims claims // ID is the session id
	csrf   string
}

// staffHandler is an inbox handler for a signed-in member of staff.
type staffHandler func(w http.ResponseWriter, r *http.Request, s session)

// signedIn wraps a handler: no valid session, no page; a form post
// without the session's form token is refused.
func (b *Bot) signedIn(h staffHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := b.sessionOrSignIn(w, r)
		if !ok {
			return
		}
		if r.Method == http.MethodPost {
			if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(s.csrf)) != 1 {
				// Most often a page opened before signing in again: what
				// it held is shown back, as for an ended session.
				p := unsavedPage(r, "web.csrf")
				p.Staff, p.CSRF = &s.staff, s.csrf
				b.renderPage(w, http.StatusForbidden, "message", p)
				return
			}
		}
		h(w, r, s)
	}
}

// sessionOrSignIn is the request's session; without one it answers
// the request itself, asking to sign in (or, when the session store does
// not answer, saying so), and ok is false.
func (b *Bot) sessionOrSignIn(w http.ResponseWriter, r *http.Request) (s session, ok bool) {
	s, err := b.session(r)
	if err == nil {
		return s, true
	}
	if errors.Is(err, errSessionStore) {
		b.log.Error("read staff session", "err", err)
		b.message(w, http.StatusServiceUnavailable, nil, "", sayWeb("web.signin.title", nil), sayWeb("web.signin.unavailable", nil))
		return s, false
	}
	b.askToSignIn(w, r)
	return s, false
}

var (
	errNoSession    = errors.New("no session")
	errSessionStore = errors.New("the session store did not answer")
)

// sessionHash is what Redis keeps of a session id: HMAC-SHA-256 under the
// session secret, hex. A hash cannot be sent back as a cookie, and without
// the secret nobody can work out which hash a cookie has; changing the
// secret ends every session, as it ends every sign-in link.
func (b *Bot) sessionHash(id string) string {
	m := hmac.New(sha256.New, b.auth.secret)
	m.Write([]byte("onward-staff:session:" + id))
	return hex.EncodeToString(m.Sum(nil))
}

// sessionKey is the Redis key of a session, from the hash of its id.
func sessionKey(prefix, hash string) string { return prefix + "bot:session:" + hash }

func (b *Bot) staffSessionsKey(staff core.StaffID) string { return staffSessionsKey(b.prefix, staff) }

// staffSessionsKey is the sorted set of a member of staff's sessions: the
// hashes of their ids, scored by when each began.
func staffSessionsKey(prefix string, staff core.StaffID) string {
	return prefix + "bot:sessions:" + strconv.FormatInt(int64(staff), 10)
}

// sessionIDLen is the length of a session id: 32 random bytes, base64url;
// sessionHashLen that of its hash in Redis (sessionHash).
const (
	sessionIDLen   = 43
	sessionHashLen = 2 * sha256.Size
)

// session reads the cookie's session from Redis and the member of staff
// it belongs to; staff who have since been deactivated are signed out.
func (b *Bot) session(r *http.Request) (session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || len(c.Value) != sessionIDLen || strings.ContainsFunc(c.Value, notTokenChar) {
		return session{}, errNoSession
	}
	hash := b.sessionHash(c.Value)
	v, err := b.rdb.Get(r.Context(), sessionKey(b.prefix, hash)).Bytes()
	if errors.Is(err, redis.Nil) {
		return session{}, errNoSession
	}
	if err != nil {
		return session{}, fmt.Errorf("%w: %v", errSessionStore, err)
	}
	rec, err := b.openSession(hash, v)
	if err != nil {
		return session{}, errNoSession
	}
	st, err := b.engine.StaffByID(r.Context(), rec.Staff)
	if err != nil {
		if errors.Is(err, core.ErrNotFound) {
			b.endSession(r.Context(), rec.Staff, c.Value)
		}
		return session{}, errNoSession
	}
	b.noteSessionUsed(r.Context(), hash, rec)
	cl := claims{Staff: st.ID, ID: c.Value}
	return session{staff: st, claims: cl, csrf: b.auth.csrfToken(cl)}, nil
}

// sessionRecord is what Redis keeps under a session's key, encrypted
// (sealSession): whose session it is, and what the settings page says of
// it so that its owner can tell it from their others. Device is a
// description (deviceName), never the User-Agent itself; Started is also
// the session's score in the owner's sorted set.
type sessionRecord struct {
	Staff   core.StaffID `json:"staff"`
	Device  string       `json:"device"`
	Started time.Time    `json:"started"`
	Used    time.Time    `json:"used"`
}

// sessionUseStep is how stale a session's "last used" may grow before a
// request writes it afresh: the page shows it to the minute, and most
// requests then read Redis without writing to it.
const sessionUseStep = time.Minute

// sessionField binds a session's ciphertext to its key: one session's
// value copied under another's key does not open.
func sessionField(hash string) string { return "bot.session." + hash }

// sealSession is a session's value as Redis keeps it.
func (b *Bot) sealSession(hash string, rec sessionRecord) ([]byte, error) {
	plain, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("encode staff session: %w", err)
	}
	ct, err := b.engine.Crypter().EncryptBytes(sessionField(hash), plain)
	if err != nil {
		return nil, fmt.Errorf("encrypt staff session: %w", err)
	}
	return ct, nil
}

// openSession reads a session's value. A value kept before sessions were
// encrypted holds the staff id alone: it still signs in, its device
// unknown, until it expires (sessionTTL after it began).
func (b *Bot) openSession(hash string, v []byte) (sessionRecord, error) {
	if id, err := strconv.ParseInt(string(v), 10, 64); err == nil {
		return sessionRecord{Staff: core.StaffID(id)}, nil
	}
	plain, err := b.engine.Crypter().DecryptBytes(sessionField(hash), v)
	if err != nil {
		return sessionRecord{}, fmt.Errorf("open staff session: %w", err)
	}
	var rec sessionRecord
	if err := json.Unmarshal(plain, &rec); err != nil {
		return sessionRecord{}, fmt.Errorf("decode staff session: %w", err)
	}
	return rec, nil
}

// noteSessionUsed records that the session was used now, unless it was
// within sessionUseStep. The write keeps the key's expiry and happens only
// while the key exists, so a session signed out of meanwhile (Sign out of
// this, from another device) is not brought back. A failed write costs
// only the page's "last used", so it is logged, not answered.
func (b *Bot) noteSessionUsed(ctx context.Context, hash string, rec sessionRecord) {
	now := b.clock.Now()
	if rec.Started.IsZero() || now.Sub(rec.Used) < sessionUseStep {
		return
	}
	rec.Used = now.UTC()
	ct, err := b.sealSession(hash, rec)
	if err == nil {
		err = b.rdb.SetArgs(ctx, sessionKey(b.prefix, hash), ct, redis.SetArgs{Mode: "XX", KeepTTL: true}).Err()
	}
	if err != nil && !errors.Is(err, redis.Nil) {
		b.log.Warn("note staff session used", "staff", rec.Staff, "err", err)
	}
}

// setSession signs the member of staff in: a new random session id in an
// HttpOnly, SameSite=Lax cookie, Secure everywhere but a developer's
// machine; the session itself is kept in Redis for sessionTTL, with a
// description of the device (deviceName of userAgent, the sign-in
// request's User-Agent).
func (b *Bot) setSession(ctx context.Context, w http.ResponseWriter, st core.Staff, userAgent string) error {
	raw := make([]byte, 32)
	if _, err := io.ReadFull(b.auth.random, raw); err != nil {
		return fmt.Errorf("make session id: %w", err)
	}
	id := base64.RawURLEncoding.EncodeToString(raw)
	hash := b.sessionHash(id)
	now := b.clock.Now().UTC()
	ct, err := b.sealSession(hash, sessionRecord{Staff: st.ID, Device: deviceName(userAgent), Started: now, Used: now})
	if err != nil {
		return err
	}
	_, err = b.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, sessionKey(b.prefix, hash), ct, sessionTTL)
		set := b.staffSessionsKey(st.ID)
		p.ZRemRangeByScore(ctx, set, "-inf", strconv.FormatInt(now.Add(-sessionTTL).Unix(), 10))
		p.ZAdd(ctx, set, redis.Z{Score: float64(now.Unix()), Member: hash})
		p.Expire(ctx, set, sessionTTL)
		b.noteFormOwner(ctx, p, b.auth.csrfToken(claims{Staff: st.ID, ID: id}), st.ID)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store session: %w", err)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/staff", MaxAge: int(sessionTTL.Seconds()),
		HttpOnly: true, Secure: !b.cfg.Dev(), SameSite: http.SameSiteLaxMode})
	return nil
}

// endSession forgets one session, named by its id (the cookie).
func (b *Bot) endSession(ctx context.Context, staff core.StaffID, id string) {
	hash := b.sessionHash(id)
	if _, err := b.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, sessionKey(b.prefix, hash))
		p.ZRem(ctx, b.staffSessionsKey(staff), hash)
		return nil
	}); err != nil {
		b.log.Warn("end staff session", "staff", staff, "err", err)
	}
}

func (b *Bot) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/staff", MaxAge: -1,
		HttpOnly: true, Secure: !b.cfg.Dev(), SameSite: http.SameSiteLaxMode})
}

// StaffSession is one open session of a member of staff, as the settings
// page shows it.
type StaffSession struct {
	ID      string // the hash of the session id (sessionHash), never the id
	Device  string // deviceName of the browser it signed in with
	Started time.Time
	Used    time.Time // when it last opened a page; zero when not known
	Current bool      // the session the page is shown in (settingsPage)
}

// StaffSessions lists a member of staff's open sessions, newest first.
func (b *Bot) StaffSessions(ctx context.Context, staff core.StaffID) ([]StaffSession, error) {
	zs, err := b.rdb.ZRevRangeByScoreWithScores(ctx, b.staffSessionsKey(staff),
		&redis.ZRangeBy{Min: strconv.FormatInt(b.clock.Now().Add(-sessionTTL).Unix(), 10), Max: "+inf"}).Result()
	if err != nil {
		return nil, fmt.Errorf("list sessions of staff %d: %w", staff, err)
	}
	var out []StaffSession
	for _, z := range zs {
		hash, _ := z.Member.(string)
		if len(hash) != sessionHashLen {
			continue // a session id kept in clear before hashing: it no longer signs in
		}
		v, err := b.rdb.Get(ctx, sessionKey(b.prefix, hash)).Bytes()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("list sessions of staff %d: %w", staff, err)
		}
		rec, err := b.openSession(hash, v)
		if err != nil || rec.Staff != staff {
			continue // it signs nobody in (session), so it is not listed either
		}
		ss := StaffSession{ID: hash, Device: rec.Device, Started: time.Unix(int64(z.Score), 0).UTC(), Used: rec.Used}
		if ss.Device == "" {
			ss.Device = unknownBrowser
		}
		out = append(out, ss)
	}
	return out, nil
}

// EndStaffSessions signs a member of staff out everywhere (deactivation,
// `onward staff deactivate`) and says how many sessions it ended.
func EndStaffSessions(ctx context.Context, rdb redis.UniversalClient, prefix string, staff core.StaffID) (int, error) {
	set := staffSessionsKey(prefix, staff)
	ids, err := rdb.ZRange(ctx, set, 0, -1).Result()
	if err != nil {
		return 0, fmt.Errorf("end sessions of staff %d: %w", staff, err)
	}
	keys := []string{set}
	for _, hash := range ids {
		keys = append(keys, sessionKey(prefix, hash))
	}
	n, err := rdb.Del(ctx, keys...).Result()
	if err != nil {
		return 0, fmt.Errorf("end sessions of staff %d: %w", staff, err)
	}
	return max(int(n)-1, 0), nil
}

// RefuseStaff answers a request under /staff/ that the server's edge
// refused before any handler (characters PostgreSQL cannot store: a NUL,
// invalid UTF-8) with a staff page rather than bare text: for a form, one
// that names the box holding them, says nothing was saved, and sends the
// adviser Back, where what they typed still is; for an address, its
// page-not-found (404) or a plain "cannot be read" (400). It has
// wiring.Refusal's signature; title and detail, the edge's English for
// other systems, are not shown. No session is read: the edge runs before
// Redis is asked, so the page has no account bar.
func RefuseStaff(w http.ResponseWriter, r *http.Request, status int, _, _ string) {
	p := page{Title: "Not found", Message: "That page does not exist in Onward."}
	if status != http.StatusNotFound {
		p.Title, p.Message = "Nothing was saved", "The address holds characters Onward cannot read. Go back and try again."
		if field, ok := unreadableFormField(r); ok {
			box := "One of the boxes"
			if field != "" {
				box = "The “" + field + "” box"
			}
			p.Message = box + " holds characters Onward cannot store (a NUL character, or text that is not UTF-8, often pasted from another program), so nothing was saved. " +
				"Go Back: what you typed is still in the form. Retype what is in that box, then send the form again."
		}
	}
	staffHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeBarePage(w, status, p)
	})).ServeHTTP(w, r)
}

// writeBarePage writes a staff message page without the Bot (the edge's
// refusals, CrossOriginProtection's): rendered to a buffer first, and
// plain text if the template fails.
func writeBarePage(w http.ResponseWriter, status int, p page) {
	var buf bytes.Buffer
	if err := staffPages()["message"].ExecuteTemplate(&buf, "layout", p); err != nil {
		http.Error(w, strings.ToLower(http.StatusText(status)), status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// unreadableFormField reports whether r is a form whose body holds a
// field PostgreSQL cannot store, and that field's label: "" when its name
// cannot be shown either.
func unreadableFormField(r *http.Request) (string, bool) {
	if r.Body == nil {
		return "", false
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return "", false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return "", false
	}
	for _, pair := range strings.Split(string(body), "&") {
		k, v, _ := strings.Cut(pair, "=")
		key, kerr := url.QueryUnescape(k)
		value, verr := url.QueryUnescape(v)
		if kerr != nil || verr != nil || core.Storable(key) && core.Storable(value) {
			continue
		}
		if !core.Storable(key) {
			return "", true
		}
		return fieldLabel(r.URL.Path, key), true
	}
	return "", true
}

// staffFieldLabels name the staff forms' boxes whose labels a form
// field's name does not say well; other names are read as words
// ("opening_hours": "Opening hours").
var staffFieldLabels = map[string]string{"feedback": "Feedback", "evidence": "How did the client withdraw?",
	"outcome_note": "Note", "capacity-note": "Note for coordinators", "redirect-note": "Why", "q": "Reference"}

// fieldLabel is the label of the box named key on the staff form posted
// to path, as the page shows it, or "" for a name that is not a form's.
func fieldLabel(path, key string) string {
	if label, ok := referLabels[key]; ok && path == referPath {
		return label
	}
	if label, ok := staffFieldLabels[key]; ok {
		return label
	}
	if key == "" || len(key) > 40 || strings.ContainsFunc(key, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-')
	}) {
		return ""
	}
	words := []rune(strings.NewReplacer("_", " ", "-", " ").Replace(key))
	words[0] = unicode.ToUpper(words[0])
	return string(words)
}
