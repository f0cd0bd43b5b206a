package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

func TestPartnerCommands(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENV", "dev") // the test engines chain events with the stand-in audit key
	var out bytes.Buffer
	if err := runPartner(ctx, []string{"add", "--name", "Kirkton casework", "--agency", "kirkton-cab", "--scopes", "read,act", "--by", "morven@network.example"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var clientID, secret string
	for _, line := range strings.Split(out.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "client_id="); ok {
			clientID = v
		}
		if v, ok := strings.CutPrefix(line, "client_secret="); ok {
			secret = v
		}
	}
	p, err := env.Engine.AuthenticatePartner(ctx, clientID, secret)
	if err != nil || p.AgencyID == nil || *p.AgencyID != env.Net.CAB || !p.Has(core.ScopeAct) || p.Has(core.ScopeRefer) {
		t.Fatalf("partner from the command: %+v, %v", p, err)
	}
	var stored []byte
	if err := env.Pool.QueryRow(ctx, `SELECT secret_sha256 FROM partners WHERE id = $1`, p.ID).Scan(&stored); err != nil || bytes.Contains(stored, []byte(secret)) {
		t.Fatalf("secret stored in clear: %v", err)
	}
	out.Reset()
	if err := runPartner(ctx, []string{"list"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "Kirkton casework") ||
		strings.Contains(out.String(), secret) {
		t.Fatalf("list: %v\n%s", err, out.String())
	}
	// A new secret: the old one stops, the new one (printed once) works.
	out.Reset()
	if err := runPartner(ctx, []string{"rotate-secret", "1", "--by", "morven@network.example"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	newSecret := ""
	for _, line := range strings.Split(out.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "client_secret="); ok {
			newSecret = v
		}
	}
	if !strings.Contains(out.String(), "client_id="+clientID) || newSecret == "" || newSecret == secret {
		t.Fatalf("rotate-secret printed:\n%s", out.String())
	}
	if _, err := env.Engine.AuthenticatePartner(ctx, clientID, secret); err == nil {
		t.Error("the old secret still authenticates after rotate-secret")
	}
	if _, err := env.Engine.AuthenticatePartner(ctx, clientID, newSecret); err != nil {
		t.Errorf("the new secret: %v", err)
	}
	secret = newSecret
	if err := runPartner(ctx, []string{"revoke", "--by", "morven@network.example", "1"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.AuthenticatePartner(ctx, clientID, secret); err == nil {
		t.Fatal("revoked partner still authenticates")
	}
	for _, bad := range [][]string{
		{"add", "--name", "X", "--scopes", "everything", "--by", "morven@network.example"},
		{"add", "--name", "X", "--agency", "no-such-agency", "--by", "morven@network.example"},
		{"add", "--scopes", "read", "--by", "morven@network.example"},
		{"revoke", "1", "--by", "morven@network.example"},
		{"revoke", "abc", "--by", "morven@network.example"},
		{"rotate-secret", "1", "--by", "morven@network.example"}, // revoked
		{"rotate-secret"},
		{"frobnicate"},
	} {
		if err := runPartner(ctx, bad, io.Discard, io.Discard); err == nil {
			t.Errorf("partner %q succeeded", bad)
		}
	}
}

// TestPartnerListShowsSubscriptions: `partner list` shows each webhook
// subscription's id (what webhook-resume takes), partner, address and
// whether it is paused; and `partner add --agency` refuses an agency that
// has left the network, saying so.
func TestPartnerListShowsSubscriptions(t *testing.T) {
	env, ctx, creds, paused := partnerWithPausedHook(t)
	live, _, err := env.Engine.Subscribe(ctx, creds.Partner.ID, "http://127.0.0.1:9/live")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runPartner(ctx, []string{"list"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	lineWith := func(url string) string {
		for _, l := range strings.Split(out.String(), "\n") {
			if strings.Contains(l, url) {
				return l
			}
		}
		t.Fatalf("list does not show the subscription to %s:\n%s", url, out.String())
		return ""
	}
	if l := lineWith("http://127.0.0.1:9/live"); !strings.HasPrefix(l, fmt.Sprint(live.ID)+" ") || strings.Contains(l, "paused") {
		t.Errorf("live subscription %d: %q", live.ID, l)
	}
	if l := lineWith("http://127.0.0.1:9/broken"); !strings.HasPrefix(l, fmt.Sprint(paused.ID)+" ") || !strings.Contains(l, "paused") ||
		!strings.Contains(l, fmt.Sprintf("after %d failed deliveries: webhook-resume %d --by EMAIL", core.WebhookAttempts, paused.ID)) {
		t.Errorf("paused subscription %d: %q", paused.ID, l)
	}

	if err := env.Engine.RetireAgency(ctx, env.Net.Housing, env.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	err = runPartner(ctx, []string{"add", "--name", "Housing casework", "--agency", "housing-options", "--by", "morven@network.example"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "has left the network") {
		t.Fatalf("a partner for a retired agency: %v, want refused as having left the network", err)
	}
	ps, _ := env.Engine.Partners(ctx)
	if len(ps) != 1 {
		t.Errorf("%d partners after the refusal, want 1", len(ps))
	}
}

// TestPartnerChangesNameWhoMadeThem: adding, revoking and giving a new
// secret to a partner system (who may receive clients' details) need
// --by, a current coordinator or admin, whom the audit log names; without
// it, or naming someone else, the change is refused, saying why, and
// nothing changes.
func TestPartnerChangesNameWhoMadeThem(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENV", "dev") // the test engines chain events with the stand-in audit key
	add := []string{"add", "--name", "Kirkton casework", "--agency", "kirkton-cab"}
	for _, c := range []struct {
		by   []string
		says string
	}{
		{nil, "onward partner add --by EMAIL"},
		{[]string{"--by", "nobody@example.org"}, "--by nobody@example.org: no current member of staff has that email"},
		{[]string{"--by", env.Net.Adviser.Email}, "only a coordinator or admin can change partner systems"},
	} {
		err := runPartner(ctx, append(add, c.by...), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("partner add %v: %v, want refused saying %q", c.by, err, c.says)
		}
	}
	if ps, _ := env.Engine.Partners(ctx); len(ps) != 0 {
		t.Fatalf("%d partners after the refusals, want none", len(ps))
	}
	for _, args := range [][]string{
		append(add, "--by", "morven@network.example"),
		{"rotate-secret", "1", "--by", "morven@network.example"},
		{"revoke", "1", "--by", "morven@network.example"},
	} {
		if err := runPartner(ctx, args, io.Discard, io.Discard); err != nil {
			t.Fatalf("partner %v: %v", args, err)
		}
	}
	for _, sub := range []string{"revoke", "rotate-secret"} {
		if err := runPartner(ctx, []string{sub, "1"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "--by EMAIL") {
			t.Errorf("partner %s without --by: %v, want refused asking for it", sub, err)
		}
	}
	rows, err := env.Pool.Query(ctx, `SELECT kind, actor_kind, coalesce(actor_id, 0) FROM events WHERE kind LIKE 'partner.%' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var (
			kind, actorKind string
			actor           int64
		)
		if err := rows.Scan(&kind, &actorKind, &actor); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s by %s %d", kind, actorKind, actor))
	}
	coord := env.Net.Coordinator.ID
	want := []string{fmt.Sprintf("partner.added by staff %d", coord), fmt.Sprintf("partner.secret-rotated by staff %d", coord),
		fmt.Sprintf("partner.revoked by staff %d", coord)}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("partner events: %v, want %v", got, want)
	}
}

// TestPartnerWebhookResumeNamesWhoDidIt: webhook-resume starts deliveries
// to a partner again, so it takes --by as add, revoke and rotate-secret
// do (a current coordinator or admin, named in the audit log); without
// it, or naming an adviser, it is refused and the subscription stays
// paused.
func TestPartnerWebhookResumeNamesWhoDidIt(t *testing.T) {
	env, ctx, creds, sub := partnerWithPausedHook(t)
	paused := func() bool {
		t.Helper()
		ss, err := env.Engine.Subscriptions(ctx, creds.Partner.ID)
		if err != nil || len(ss) != 1 {
			t.Fatalf("subscriptions: %v, %v", ss, err)
		}
		return ss[0].PausedAt != nil
	}
	id := fmt.Sprint(sub.ID)
	for _, c := range []struct {
		by   []string
		says string
	}{
		{nil, "onward partner webhook-resume --by EMAIL"},
		{[]string{"--by", env.Net.Adviser.Email}, "only a coordinator or admin can change partner systems"},
	} {
		err := runPartner(ctx, append([]string{"webhook-resume", id}, c.by...), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.says) || !paused() {
			t.Errorf("partner webhook-resume %v: %v (paused %v), want refused saying %q and still paused", c.by, err, paused(), c.says)
		}
	}
	if err := runPartner(ctx, []string{"webhook-resume", id, "--by", "morven@network.example"}, io.Discard, io.Discard); err != nil || paused() {
		t.Fatalf("partner webhook-resume by a coordinator: %v (paused %v)", err, paused())
	}
	var actorKind string
	var actor int64
	if err := env.Pool.QueryRow(ctx, `SELECT actor_kind, coalesce(actor_id, 0) FROM events WHERE kind = $1`,
		string(core.EventWebhookResumed)).Scan(&actorKind, &actor); err != nil || actorKind != "staff" || actor != int64(env.Net.Coordinator.ID) {
		t.Errorf("the resume's event: %s %d (%v), want staff %d", actorKind, actor, err, env.Net.Coordinator.ID)
	}
}

// partnerWithPausedHook is a network with one partner system of Kirkton
// Citizens Advice whose webhook subscription (to an address nothing
// answers) failed until it paused, and the CLI pointed at its database.
func partnerWithPausedHook(t *testing.T) (*coretest.Env, context.Context, core.PartnerCredentials, core.WebhookSubscription) {
	t.Helper()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENV", "dev") // the test engines chain events with the stand-in audit key
	env.Engine.UseWebhookReceivers(core.LocalReceivers)
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Kirkton casework", AgencyID: env.Net.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead}}, core.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	sub, _, err := env.Engine.Subscribe(ctx, creds.Partner.ID, "http://127.0.0.1:9/broken")
	if err != nil {
		t.Fatal(err)
	}
	coretest.PauseSubscription(t, env.Engine, sub.ID)
	return env, ctx, creds, sub
}
