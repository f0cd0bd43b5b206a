package web

import (
	"context"
	"crypto/rand"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/intake/flow"
	"github.com/onward-network/onward/intake/leaflet"
)

func TestWebSelfReferralFromLeaflet(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	ctx := context.Background()
	l, err := leaflet.Create(ctx, e.env.Pool, e.env.Clock.Now(), rand.Reader, "GP surgeries spring 2026", "ky1", "")
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	check := b.fill(goodAnswers(), "/r/"+strings.ToUpper(l.Code))
	for _, want := range []string{"Morag Baird", "KY1 1AB", "07700 900123", "morag@example.com", "Debt", "How to contact you", "Text", "Best time to contact you", "Morning", "You agreed"} {
		if !strings.Contains(check.Body, want) {
			t.Errorf("check your answers lacks %q", want)
		}
	}
	e.assertNothingWritten()
	b.provePhone()

	done := b.send()
	if done.Status != http.StatusOK || done.Path != pathDone {
		t.Fatalf("send: status %d at %s:\n%s", done.Status, done.Path, done.Body)
	}
	rs := e.referrals()
	if len(rs) != 1 {
		t.Fatalf("%d referrals, want 1", len(rs))
	}
	r := rs[0]
	if !strings.Contains(done.Body, r.Reference) || !strings.Contains(done.Body, "Kirkton Citizens Advice") {
		t.Errorf("confirmation lacks the reference %s or the agency:\n%s", r.Reference, done.Body)
	}
	if r.Source != core.SourceWeb || r.LeafletCode != l.Code || r.Crisis || r.PostcodeDistrict != "KY1" {
		t.Errorf("referral source %s leaflet %q crisis %v district %q, want web %q false KY1", r.Source, r.LeafletCode, r.Crisis, r.PostcodeDistrict, l.Code)
	}
	if r.ToAgencyID == nil || *r.ToAgencyID != e.env.Net.CAB {
		t.Errorf("referral went to %v, want Kirkcaldy CAB %d", r.ToAgencyID, e.env.Net.CAB)
	}
	c, err := e.env.Engine.Consent(ctx, r.ConsentID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Channel != core.ChannelWeb || c.WordingVersion != "v1" || !strings.HasPrefix(c.Evidence, "web-form:") || c.Scope != core.ScopeNetwork {
		t.Errorf("consent %+v, want web, v1, web-form evidence, network scope", c)
	}
	client, err := e.env.Engine.ClientDetailsFor(ctx, r.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if client.Name != "Morag Baird" || client.Phone != "+447700900123" || client.Email != "morag@example.com" ||
		client.Postcode != "KY1 1AB" || client.PreferredContact != "text" || client.ContactTime != "morning" {
		t.Errorf("client %+v", client)
	}
	var texts int
	for _, o := range coretest.OutboxRows(t, e.env.Engine) {
		if o.Kind == core.OutboxClientSMS && o.Payload.Template == core.SMSConfirmation {
			texts++
		}
	}
	if texts != 1 {
		t.Errorf("%d confirmation texts queued, want 1", texts)
	}

	// Nothing the client typed reaches the log.
	logs := e.logs.String()
	for _, pii := range []string{"Morag", "Baird", "07700", "900123", "morag@", "1AB", "1ab"} {
		if strings.Contains(logs, pii) {
			t.Errorf("log holds personal data %q:\n%s", pii, logs)
		}
	}
	if !strings.Contains(logs, r.Reference) {
		t.Errorf("log lacks the reference:\n%s", logs)
	}
}

func TestWebUnknownLeafletStillWorks(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.fill(goodAnswers(), "/r/nosuch1")
	if p := b.send(); p.Path != pathDone {
		t.Fatalf("send ended at %s", p.Path)
	}
	rs := e.referrals()
	if len(rs) != 1 || rs[0].LeafletCode != "" || rs[0].Source != core.SourceWeb {
		t.Fatalf("referrals %+v, want one web referral with no leaflet", rs)
	}
}

func TestWebCrisisGoesToTriageWithHelpNumbers(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.get("/refer")
	a := goodAnswers()
	for _, st := range []string{pathNeeds, pathPostcode} {
		b.answer(st, a[st])
	}
	// The question itself already shows where to get help now.
	q := b.get(pathFood)
	if !strings.Contains(q.Body, "116 123") {
		t.Error("the crisis question does not show the Samaritans number")
	}
	next := b.answer(pathFood, map[string][]string{"no_food": {"yes"}})
	if next.Path != pathHome {
		t.Fatalf("after yes: at %s", next.Path)
	}
	for _, want := range []string{"If you need help now", "116 123", "tel:111", "tel:999", "0800 000 0000"} {
		if !strings.Contains(next.Body, want) {
			t.Errorf("page after a crisis answer lacks %q", want)
		}
	}
	for _, st := range []string{pathHome, pathName, pathContact, pathMethod, pathTime, pathConsent} {
		b.answer(st, a[st])
	}
	done := b.send()
	if !strings.Contains(done.Body, "If you need help now") || !strings.Contains(done.Body, "coordinator") {
		t.Errorf("confirmation of a crisis request lacks the help numbers or the coordinator:\n%s", done.Body)
	}
	rs := e.referrals()
	if len(rs) != 1 || !rs[0].Crisis || rs[0].ToAgencyID != nil || !rs[0].InTriage() {
		t.Fatalf("referrals %+v, want one crisis referral in triage", rs)
	}
	reasons, err := e.env.Engine.CrisisReasons(context.Background(), rs[0])
	if err != nil {
		t.Fatal(err)
	}
	noFood := flow.Answers{NoFood: true}.CrisisReasons()[0]
	losingHome := flow.Answers{LosingHome: true}.CrisisReasons()[0]
	if !slices.Contains(reasons, noFood) || slices.Contains(reasons, losingHome) {
		t.Errorf("crisis reasons %q, want only %q", reasons, noFood)
	}
}

func TestWebTownInsteadOfPostcode(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.get("/refer")
	a := goodAnswers()
	b.answer(pathNeeds, a[pathNeeds])
	p := b.get(pathPostcode)
	if !strings.Contains(p.Body, `href="/refer/town"`) {
		t.Fatal("postcode page has no way to say the postcode is unknown")
	}
	if p = b.answer(pathTown, map[string][]string{"town": {" st   andrews "}}); p.Path != pathFood {
		t.Fatalf("after the town: at %s", p.Path)
	}
	for _, st := range []string{pathFood, pathHome, pathName, pathContact, pathMethod, pathTime, pathConsent} {
		b.answer(st, a[st])
	}
	check := b.get(pathCheck)
	if !strings.Contains(check.Body, "st andrews") || strings.Contains(check.Body, "KY1 1AB") {
		t.Errorf("check your answers should show the town, not a postcode:\n%s", check.Body)
	}
	b.send()
	rs := e.referrals()
	if len(rs) != 1 || rs[0].PostcodeDistrict != "KY16" {
		t.Fatalf("referrals %+v, want one in KY16 (St Andrews)", rs)
	}
	client, err := e.env.Engine.ClientDetailsFor(context.Background(), rs[0].ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if client.Town != "st andrews" || client.Postcode != "" {
		t.Errorf("client town %q postcode %q", client.Town, client.Postcode)
	}
}

var _ = coretest.Epoch
