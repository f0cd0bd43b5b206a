package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/onward-network/onward/core"
)

type webhookJSON struct {
	ID        int64      `json:"id"`
	URL       string     `json:"url"`
	Secret    string     `json:"secret,omitempty"` // only when created or rotated
	Failures  int        `json:"failures"`
	PausedAt  *time.Time `json:"paused_at,omitempty"`
	LastError string     `json:"last_error,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	// PreviousSecretExpiresAt is until when deliveries are also signed
	// under the secret the last rotation replaced.
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at,omitempty"`
}

func webhookOut(s core.WebhookSubscription) webhookJSON {
	return webhookJSON{ID: int64(s.ID), URL: s.URL, Failures: s.Failures, PausedAt: s.PausedAt, LastError: s.LastError, CreatedAt: s.CreatedAt,
		PreviousSecretExpiresAt: s.PreviousSecretUntil}
}

func (a *API) subscribe(w http.ResponseWriter, r *http.Request, p core.Partner) {
	var in struct {
		URL string `json:"url"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	// The deployment's rule (core.WebhookReceivers): in production an
	// https address of a public host or of a network the operator lists,
	// refused with a 422 naming url. The worker checks each address again
	// when it connects, after DNS.
	s, secret, err := a.engine.Subscribe(r.Context(), p.ID, in.URL)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeWithSecret(w, http.StatusCreated, s, secret)
}

// writeWithSecret answers with a subscription and its new secret, shown
// this once: never stored by a cache on the way (no-store, kept with the
// answer for a replay under its Idempotency-Key).
func writeWithSecret(w http.ResponseWriter, status int, s core.WebhookSubscription, secret string) {
	out := webhookOut(s)
	out.Secret = secret
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, out)
}

func (a *API) listWebhooks(w http.ResponseWriter, r *http.Request, p core.Partner) {
	ss, err := a.engine.Subscriptions(r.Context(), p.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data []webhookJSON `json:"data"`
	}{Data: []webhookJSON{}}
	for _, s := range ss {
		out.Data = append(out.Data, webhookOut(s))
	}
	writeJSON(w, http.StatusOK, out)
}

// noSubscription is the 404 for a subscription id the system has none
// of: another system's subscriptions are not told apart from none.
var noSubscription = probNotFound.problem(http.StatusNotFound, "no webhook subscription with that id that this system may see; GET /api/v1/webhooks lists this system's")

// ownSubscription finds one of the partner's own subscriptions by the id
// in the path.
func (a *API) ownSubscription(r *http.Request, p core.Partner) (core.WebhookSubscriptionID, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, noSubscription
	}
	ss, err := a.engine.Subscriptions(r.Context(), p.ID)
	if err != nil {
		return 0, err
	}
	for _, s := range ss {
		if int64(s.ID) == id {
			return s.ID, nil
		}
	}
	return 0, noSubscription
}

func (a *API) unsubscribe(w http.ResponseWriter, r *http.Request, p core.Partner) {
	id, err := a.ownSubscription(r, p)
	if err == nil {
		err = a.engine.Unsubscribe(r.Context(), p.ID, id)
	}
	if errors.Is(err, core.ErrNotFound) {
		err = noSubscription // gone since it was found
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// rotateWebhookSecret gives a subscription a new secret, shown once; for
// a day deliveries carry a signature under the old one too
// (core.Engine.RotateWebhookSecret), so the receiver changes over at
// its own pace.
func (a *API) rotateWebhookSecret(w http.ResponseWriter, r *http.Request, p core.Partner) {
	id, err := a.ownSubscription(r, p)
	var s core.WebhookSubscription
	var secret string
	if err == nil {
		s, secret, err = a.engine.RotateWebhookSecret(r.Context(), p.ID, id)
	}
	if errors.Is(err, core.ErrNotFound) {
		err = noSubscription // gone since it was found
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeWithSecret(w, http.StatusOK, s, secret)
}

func (a *API) resumeWebhook(w http.ResponseWriter, r *http.Request, p core.Partner) {
	id, err := a.ownSubscription(r, p)
	if err == nil {
		err = a.engine.ResumeSubscription(r.Context(), id, p.Actor())
	}
	if errors.Is(err, core.ErrNotFound) {
		err = noSubscription
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ss, err := a.engine.Subscriptions(r.Context(), p.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	for _, s := range ss {
		if s.ID == id {
			writeJSON(w, http.StatusOK, webhookOut(s))
			return
		}
	}
	a.fail(w, r, noSubscription)
}
