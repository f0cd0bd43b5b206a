package bot

import (
	"encoding/hex"
	"errors"
	"net/http"

	"github.com/redis/go-redis/v9"
)

// endOtherSession handles the settings page's "Sign out of this" beside
// one of the member of staff's other sessions (a shared computer at a
// drop-in they forgot to sign out of): that session ends on the server at
// once, and its cookie signs in no more. The form names the session by the
// hash the list shows (never a session id), in its body, not the address.
// The session this request came with is ended by the ordinary Sign out,
// so it is refused here; a session that is not theirs, or ended already,
// is answered as gone. Logged, without the hash, as signing in is.
func (b *Bot) endOtherSession(w http.ResponseWriter, r *http.Request, s session) {
	hash := r.PostFormValue("session")
	if _, err := hex.DecodeString(hash); err != nil || len(hash) != sessionHashLen {
		b.message(w, http.StatusBadRequest, &s.staff, s.csrf, "Sign out of a session", "That is not one of the sessions Onward lists. Go back to your email settings and choose one there.")
		return
	}
	if hash == b.sessionHash(s.claims.ID) {
		b.message(w, http.StatusBadRequest, &s.staff, s.csrf, "Sign out of a session", "That is the session you are using now: press Sign out to end it.")
		return
	}
	ctx := r.Context()
	set := b.staffSessionsKey(s.staff.ID)
	err := b.rdb.ZScore(ctx, set, hash).Err()
	if errors.Is(err, redis.Nil) {
		// Not one of theirs (their list never held it), or ended already:
		// nothing of anyone else's is touched.
		b.message(w, http.StatusNotFound, &s.staff, s.csrf, "Sign out of a session", "That session has ended already.")
		return
	}
	if err == nil {
		_, err = b.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Del(ctx, sessionKey(b.prefix, hash))
			p.ZRem(ctx, set, hash)
			return nil
		})
	}
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	b.log.Info("staff signed out of another of their sessions", "staff", s.staff.ID)
	http.Redirect(w, r, "/staff/settings/email?done=session-ended#sessions", http.StatusSeeOther)
}
