package bot

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// maxSlackBody bounds what we read from Slack; real payloads are a few KB.
const maxSlackBody = 1 << 20

// verifiedBody reads the raw body and checks Slack's signature over it.
// On failure it answers 401 and the request is not processed at all.
func (b *Bot) verifiedBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, ok := readSlackBody(w, r)
	if !ok || !b.verified(w, r, body) {
		return nil, false
	}
	return body, true
}

// readSlackBody reads the raw body, within maxSlackBody; over it, it
// answers 413.
func readSlackBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSlackBody))
	if err != nil {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return nil, false
	}
	return body, true
}

// verified checks Slack's signature over body, answering 401 when it
// does not match.
func (b *Bot) verified(w http.ResponseWriter, r *http.Request, body []byte) bool {
	if err := verifySlack(r.Header, body, b.cfg.SlackSigningSecret); err != nil {
		b.log.Warn("refused Slack request", "path", r.URL.Path, "why", err.Error())
		http.Error(w, "invalid Slack signature", http.StatusUnauthorized)
		return false
	}
	if n := r.Header.Get(headerRetryNum); n != "" {
		b.log.Info("Slack retry", "path", r.URL.Path, "retry", n, "reason", r.Header.Get("X-Slack-Retry-Reason"))
	}
	return true
}

// handleInteractions serves POST /slack/interactions: every button press
// and modal submission. Slack gets its answer at once; slow work goes on
// afterwards and reports back ephemerally.
func (b *Bot) handleInteractions(w http.ResponseWriter, r *http.Request) {
	body, ok := b.verifiedBody(w, r)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		http.Error(w, "no payload", http.StatusBadRequest)
		return
	}
	payload := []byte(form.Get("payload"))
	var cb slack.InteractionCallback
	if err := json.Unmarshal(payload, &cb); err != nil {
		http.Error(w, "unreadable payload", http.StatusBadRequest)
		return
	}
	if err := core.UnstorableJSON(payload); err != nil {
		// A modal stays open and names the box; a button's value is
		// Onward's own, so anything else is a bad request.
		if cb.Type == slack.InteractionTypeViewSubmission {
			writeJSON(w, unstorableModal(payload, cb.View.CallbackID))
			return
		}
		http.Error(w, "unreadable payload: "+err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), b.answerWithin)
	defer cancel()
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		b.blockActions(w, ctx, &cb)
	case slack.InteractionTypeViewSubmission:
		b.viewSubmission(w, ctx, &cb)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// press is one button press on a card.
type press struct {
	button  button
	id      core.ReferralID
	version int
	trigger string
	to      replyTo
}

// stateChanging buttons change a referral at once, without a modal.
var stateChanging = map[button]bool{btnAccept: true, btnHold: true, btnResume: true, btnContact: true, btnFail: true, btnClaim: true}

func (b *Bot) blockActions(w http.ResponseWriter, ctx context.Context, cb *slack.InteractionCallback) {
	if len(cb.ActionCallback.BlockActions) == 0 {
		w.WriteHeader(http.StatusOK)
		return
	}
	act := cb.ActionCallback.BlockActions[0]
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	p := press{button: button(act.ActionID), trigger: cb.TriggerID,
		to: replyTo{channel: channel, user: cb.User.ID, responseURL: cb.ResponseURL}}
	var err error
	p.id, p.version, err = parseButtonValue(act.Value)
	if err != nil {
		w.WriteHeader(http.StatusOK)
		b.async("bad button", func(ctx context.Context) { b.ephemeral(ctx, p.to, b.slackReply(ctx, errBadButton).text) })
		return
	}
	switch {
	case stateChanging[p.button]:
		// Slack gets the same answer whether or not the press is new, so
		// it gets it before anything else is asked of Redis or PostgreSQL.
		// Then one press per person, button and card version: a Slack
		// retry and a double click carry the same value, and are dropped.
		busy := pressKey(cb.User.ID, act.ActionID, act.Value)
		w.WriteHeader(http.StatusOK)
		b.async(string(p.button), func(ctx context.Context) {
			if b.firstFor(ctx, busy, pressWorkTTL) {
				b.pressed(ctx, p, busy)
			}
		})
		return
	case !b.first(ctx, "req:"+cb.User.ID+":"+act.ActionID+":"+act.Value+":"+act.ActionTs):
		// A retried request carries the same action_ts.
		w.WriteHeader(http.StatusOK)
		return
	case p.button == btnDetails:
		w.WriteHeader(http.StatusOK)
		b.async("details", func(ctx context.Context) { b.showDetails(ctx, p) })
	case p.button == btnClientData:
		if err := b.openClientData(ctx, p); err != nil {
			b.async("modal refused", func(ctx context.Context) { b.ephemeral(ctx, p.to, b.slackReply(ctx, err).text) })
		}
		w.WriteHeader(http.StatusOK)
	case p.button == btnReject || p.button == btnRedirect || p.button == btnAssign || p.button == btnComplete:
		// views.open must use the trigger within its three seconds, so
		// the modal opens before the acknowledgement; it takes
		// milliseconds.
		if err := b.openModal(ctx, p); err != nil {
			b.async("modal refused", func(ctx context.Context) { b.ephemeral(ctx, p.to, b.slackReply(ctx, err).text) })
		}
		w.WriteHeader(http.StatusOK)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// pressed runs a state-changing button: who is this, then core. Success
// needs no reply: the card itself changes (through the outbox). A failure
// is explained to the presser alone.
func (b *Bot) pressed(ctx context.Context, p press, busyKey string) {
	defer func() {
		if v := recover(); v != nil {
			// A fault, not a decision: the press may be made again (the
			// job's own recovery logs the panic).
			b.pressAgain(context.WithoutCancel(ctx), busyKey)
			panic(v)
		}
	}()
	staff, err := b.staffForSlack(ctx, p.to.user)
	if err == nil {
		_, err = b.engine.Act(ctx, core.TransitionRequest{Referral: p.id, Action: p.button.action(),
			Actor: staff.Actor(), ExpectedVersion: p.version})
	}
	if err == nil {
		b.remember(ctx, busyKey)
		return
	}
	reply := b.slackReply(ctx, err)
	if reply.definite {
		b.remember(ctx, busyKey)
	} else {
		b.pressAgain(ctx, busyKey) // nothing was decided
	}
	b.ephemeral(ctx, p.to, reply.text)
}

// pressKey names a state-changing press for its dedupe key: one press per
// person, button and card version (the button's value holds the version).
func pressKey(user, actionID, value string) string {
	return "busy:" + user + ":" + actionID + ":" + value
}

// pressAgain forgets a press (first's key) so the same press is taken
// again: after a fault nothing was decided.
func (b *Bot) pressAgain(ctx context.Context, busyKey string) {
	b.rdb.Del(ctx, b.prefix+"bot:once:"+busyKey)
}

// writeJSON answers Slack with a JSON body (view submission responses,
// immediate slash command replies).
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
