package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/onward-network/onward/core"

	"github.com/redis/go-redis/v9"
)

// IdempotencyTTL is how long a POST's answer is kept for replays.
const IdempotencyTTL = 24 * time.Hour

// idempotencyPendingTTL bounds how long a POST being handled holds its
// key: longer than any request lives, so a retry cannot run alongside the
// first, and short, so a server that died mid-request does not answer
// "still working" to the partner's retries for the rest of the day.
const idempotencyPendingTTL = 2 * time.Minute

// stored is a POST's answer kept for a replay with the same key. It is
// encrypted in Redis (a webhook subscription's answer carries its secret).
type stored struct {
	Hash    string            `json:"h"`
	Status  int               `json:"s"`
	Headers map[string]string `json:"hd,omitempty"`
	Body    []byte            `json:"b"`
}

type capture struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (c *capture) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *capture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.buf.Write(b)
	return c.ResponseWriter.Write(b)
}

// idemKeyHeader is the request header that makes a POST safe to retry.
const idemKeyHeader = "Idempotency-Key"

// idempotent makes a POST safe to retry: the same Idempotency-Key and body
// get the first answer again; the same key with another body gets 409.
// The key is required on every POST.
func (a *API) idempotent(h Handler) Handler {
	rule := Idempotency{
		Reused:     func(w http.ResponseWriter, r *http.Request) { writeProblem(w, r, keyReused()) },
		InProgress: func(w http.ResponseWriter, r *http.Request) { writeProblem(w, r, inProgress()) },
		Fail:       a.fail,
	}
	return func(w http.ResponseWriter, r *http.Request, p core.Partner) {
		key := r.Header.Get(idemKeyHeader)
		if key == "" || len(key) > 200 {
			writeProblem(w, r, badIdempotencyKey())
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
		if err != nil {
			writeProblem(w, r, probTooLarge.problem(http.StatusRequestEntityTooLarge, "the body must be at most "+strconv.Itoa(MaxBody)+" bytes"))
			return
		}
		a.Once(w, r, p, key, body, rule, h)
	}
}

// Idempotency is how an interface answers, in its own format, a request
// its idempotency key cannot run, and where it keeps its keys. The rule
// itself is Once's, the same for the JSON API and FHIR.
type Idempotency struct {
	// Space keeps an interface's keys apart from the JSON API's (""), so
	// the same key sent to both never meets.
	Space string
	// Reused answers a key already used with another request (409).
	Reused func(w http.ResponseWriter, r *http.Request)
	// InProgress answers a key whose first request is still being
	// handled (409).
	InProgress func(w http.ResponseWriter, r *http.Request)
	// Fail answers a failure to read or claim the key (Redis down).
	Fail func(w http.ResponseWriter, r *http.Request, err error)
	// Meaning takes out of a JSON body, decoded (numbers as json.Number),
	// what a client may send afresh on a retry without making it another
	// request: FHIR's Bundle.timestamp, meta and urn:uuid names. Nil
	// keeps the whole body. Either way bodies are compared in canonical
	// form (canonicalBody).
	Meaning func(doc any) any
}

// requestHash is what makes two requests under one key the same request:
// the method, the path and the body in canonical form (canonicalBody).
func requestHash(r *http.Request, body []byte, meaning func(doc any) any) string {
	return hashOf(r, canonicalBody(body, meaning))
}

// bytesHash is the request's hash over its body byte for byte. The same
// bytes are always the same request, and answers kept before bodies were
// compared in canonical form carry this hash, so a retry across that
// change still finds its first answer.
func bytesHash(r *http.Request, body []byte) string { return hashOf(r, body) }

func hashOf(r *http.Request, body []byte) string {
	sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
	return hex.EncodeToString(sum[:])
}

// sameRequest reports whether a hash kept under a key is this request's:
// its canonical hash, or the hash of its very bytes.
type sameRequest struct{ canonical, bytes string }

func (s sameRequest) is(kept string) bool { return kept == s.canonical || kept == s.bytes }

// Once runs h for a request under a partner's idempotency key, once: the
// same request again (requestHash) gets the first answer, replayed with
// Idempotent-Replayed: true, for IdempotencyTTL; another request under
// the key is refused (rule.Reused), and so is one sent while the first is
// still being handled (rule.InProgress). Nothing h writes happens for a
// refused request. Only an answer that did something (2xx) is kept: a
// refusal (4xx: invalid, not allowed in the referral's status now, a
// stale If-Match) changed nothing, and kept it would be replayed after
// it stopped being true (an action sent again once the referral reached
// a status that allows it) or stop a corrected request under the same
// key; a server error is not kept either, so its retry runs again.
// body is the request's body, already read; h reads it again from r.
func (a *API) Once(w http.ResponseWriter, r *http.Request, p core.Partner, key string, body []byte, rule Idempotency, h Handler) {
	hash := sameRequest{canonical: requestHash(r, body, rule.Meaning), bytes: bytesHash(r, body)}
	ks := sha256.Sum256([]byte(key))
	space := ""
	if rule.Space != "" {
		space = rule.Space + ":"
	}
	rkey := a.prefix + "idem:" + space + strconv.FormatInt(int64(p.ID), 10) + ":" + hex.EncodeToString(ks[:16])
	ctx := r.Context()
	if !a.claimKey(w, r, rkey, hash, rule) {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	c := &capture{ResponseWriter: w}
	h(c, r, p)
	// The answer is kept even when the partner has stopped waiting for
	// it: that partner is the one that will retry.
	ctx = context.WithoutCancel(ctx)
	forget := func() {
		if err := a.rdb.Del(ctx, rkey).Err(); err != nil {
			a.log.Warn("forget idempotency key", "err", err)
		}
	}
	// Only a success is kept (see above): a 412's partner reads the
	// referral again and sends the same action with the new version, a
	// 422's sends it corrected, a 409's sends it again once the referral
	// allows it, each under the same key.
	if c.status < 200 || c.status >= 300 {
		forget()
		return
	}
	st := stored{Hash: hash.canonical, Status: c.status, Body: c.buf.Bytes(), Headers: map[string]string{}}
	// Cache-Control too: an answer carrying a webhook secret is no-store,
	// replayed or not.
	for _, k := range []string{"Content-Type", "Location", "ETag", "Cache-Control", "Last-Modified"} {
		if v := w.Header().Get(k); v != "" {
			st.Headers[k] = v
		}
	}
	raw, _ := json.Marshal(st)
	enc, err := a.engine.Crypter().Encrypt(storedContext(rkey), string(raw))
	if err != nil {
		a.log.Error("keep idempotent answer", "err", err)
		forget()
		return
	}
	if err := a.rdb.Set(ctx, rkey, enc, IdempotencyTTL).Err(); err != nil {
		// A retry is then handled afresh, and core's own idempotency
		// key makes it find the same referral.
		a.log.Warn("keep idempotent answer", "err", err)
		forget()
	}
}

// storedContext is the additional data a stored answer is sealed with:
// its own Redis key (the partner's and the Idempotency-Key's), so an
// answer copied under another partner's key does not open there.
func storedContext(rkey string) string { return "api.idempotency:" + rkey }

// claimKey marks the Idempotency-Key as being handled by this request and
// reports true, or answers the request from what the key holds and
// reports false.
func (a *API) claimKey(w http.ResponseWriter, r *http.Request, rkey string, hash sameRequest, rule Idempotency) bool {
	ctx := r.Context()
	ok, err := a.rdb.SetNX(ctx, rkey, "pending:"+hash.canonical, idempotencyPendingTTL).Result()
	if err != nil {
		rule.Fail(w, r, err)
		return false
	}
	if ok {
		return true
	}
	held, err := a.rdb.Get(ctx, rkey).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		// Its answer expired between the two calls: handled afresh.
	case err != nil:
		rule.Fail(w, r, err)
		return false
	default:
		if a.replay(w, r, held, rkey, hash, rule) {
			return false
		}
		// What the key holds cannot be opened (kept by an earlier
		// version, or sealed under another key): handled afresh. Core's
		// own idempotency makes a retried referral find the first one.
		a.log.Warn("unreadable idempotent answer, handling the request afresh")
	}
	taken, err := takeOverScript.Run(ctx, a.rdb, []string{rkey}, held, "pending:"+hash.canonical, idempotencyPendingTTL.Milliseconds()).Int()
	if err != nil {
		rule.Fail(w, r, err)
		return false
	}
	if taken == 1 {
		return true
	}
	// Another retry took the key in between: it is being handled.
	rule.InProgress(w, r)
	return false
}

// takeOverScript claims a key only while it still holds ARGV[1] (""
// when it was gone), so of two retries that found the same unusable
// answer, one handles the request.
var takeOverScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if (v or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`)

// replay answers from a stored answer, or from a pending mark. It
// reports false, answering nothing, when the stored answer cannot be
// opened.
func (a *API) replay(w http.ResponseWriter, r *http.Request, held []byte, rkey string, hash sameRequest, rule Idempotency) bool {
	if rest, pending := bytes.CutPrefix(held, []byte("pending:")); pending {
		if !hash.is(string(rest)) {
			rule.Reused(w, r)
			return true
		}
		rule.InProgress(w, r)
		return true
	}
	plain, err := a.engine.Crypter().Decrypt(storedContext(rkey), held)
	if err != nil {
		return false
	}
	var st stored
	if err := json.Unmarshal([]byte(plain), &st); err != nil {
		return false
	}
	if !hash.is(st.Hash) {
		rule.Reused(w, r)
		return true
	}
	for k, v := range st.Headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(st.Status)
	_, _ = w.Write(st.Body)
	return true
}

// badIdempotencyKey is the answer to a POST without an Idempotency-Key,
// or with one over 200 characters: a malformed request (400), as the
// OpenAPI document has the header required, not an invalid field of the
// body (422).
func badIdempotencyKey() problem {
	detail := "send an Idempotency-Key header (a unique value of at most 200 characters, such as a UUID) with every POST, and the same one when you retry"
	return probIdempotencyKey.problem(http.StatusBadRequest, detail).withErrors(fieldIssue{Field: idemKeyHeader, Detail: detail})
}

func inProgress() problem {
	return probInProgress.problem(http.StatusConflict, "a request with this Idempotency-Key is still being handled; retry in a moment")
}

func keyReused() problem {
	return probKeyReused.problem(http.StatusConflict, "this Idempotency-Key was used with a different request; use a new key for a new request").
		withErrors(fieldIssue{Field: idemKeyHeader, Detail: "already used with a different body"})
}
