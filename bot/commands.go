package bot

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// slashCommand is one /onward or /refer invocation.
type slashCommand struct {
	command, text, user, channel, trigger string
	to                                    replyTo
}

// handleCommands serves POST /slack/commands. Quick answers (help, the
// /refer modal) come back at once; anything touching core or the Slack
// API for more than a modal goes on after the acknowledgement and replies
// through response_url.
func (b *Bot) handleCommands(w http.ResponseWriter, r *http.Request) {
	body, ok := readSlackBody(w, r)
	if !ok {
		return
	}
	form, formErr := url.ParseQuery(string(body))
	if formErr == nil && form.Get("ssl_check") == "1" {
		// Slack checking the certificate of a command's HTTPS address: no
		// one typed a command, and Slack wants only an empty 200. It is
		// answered before the signature is checked, as Slack's own SDKs
		// answer it, since the check may come unsigned; it reads nothing
		// and does nothing.
		w.WriteHeader(http.StatusOK)
		return
	}
	if !b.verified(w, r, body) {
		return
	}
	if formErr != nil {
		http.Error(w, "unreadable form", http.StatusBadRequest)
		return
	}
	c := slashCommand{command: form.Get("command"), text: strings.TrimSpace(form.Get("text")),
		user: form.Get("user_id"), channel: form.Get("channel_id"), trigger: form.Get("trigger_id")}
	c.to = replyTo{user: c.user, responseURL: form.Get("response_url")}
	ctx, cancel := context.WithTimeout(r.Context(), b.answerWithin)
	defer cancel()
	if c.trigger != "" && !b.first(ctx, "cmd:"+c.trigger) {
		w.WriteHeader(http.StatusOK)
		return
	}
	switch c.command {
	case "/refer":
		b.referCommand(w, ctx, c)
	case "/onward":
		b.onwardCommand(w, c)
	default:
		replyNow(w, say("cmd.unknown", c.command))
	}
}

// onwardCommand dispatches `/onward help|capacity|stats|login`.
func (b *Bot) onwardCommand(w http.ResponseWriter, c slashCommand) {
	sub, rest, _ := strings.Cut(c.text, " ")
	switch strings.ToLower(sub) {
	case "", "help":
		replyNow(w, say("cmd.help", nil))
	case "capacity":
		w.WriteHeader(http.StatusOK)
		b.async("capacity", func(ctx context.Context) { b.capacity(ctx, c, strings.TrimSpace(rest)) })
	case "stats":
		w.WriteHeader(http.StatusOK)
		b.async("stats", func(ctx context.Context) { b.stats(ctx, c, rest) })
	case "sent":
		w.WriteHeader(http.StatusOK)
		b.async("sent", func(ctx context.Context) { b.sentSlack(ctx, c) })
	case "login":
		w.WriteHeader(http.StatusOK)
		b.async("login", func(ctx context.Context) { b.sendLoginLink(ctx, c) })
	default:
		replyNow(w, say("cmd.unknown", "/onward "+c.text))
	}
}

// replyNow answers a slash command in the response body, visible only to
// the person who typed it.
func replyNow(w http.ResponseWriter, text string) {
	writeJSON(w, map[string]string{"response_type": "ephemeral", "text": text})
}
