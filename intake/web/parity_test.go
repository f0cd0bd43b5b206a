package web

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/intake/flow"
	"github.com/onward-network/onward/intake/sms"
	"github.com/onward-network/onward/templates"
)

// The parity test: the same person, giving the same answers by text and on
// the web form, is referred the same way — the same needs, district,
// crisis flag and reasons, routing and consent scope. Each answer set is
// what a client texts and what they post, page by page, malformed answers
// included; both channels run against one database, so routing sees the
// same directory.

const (
	parityPublicURL = "https://onward.example.org"
	parityToken     = "parity-twilio-auth-token"
	parityOurNumber = "+447700900000"
)

// paritySet is one client's answers on both channels. sms is what they
// text after the greeting, in order; web is what they post, page by page
// (a page may be posted more than once: the first posts may be refused).
type paritySet struct {
	name     string
	sms      []string
	web      []parityPost
	nothing  bool   // consent declined: neither channel may create anything
	district string // where the referral must be placed, when the set is about the place
	// smsUnsure is what the text conversation adds to the crisis reasons
	// for an answer it read as yes from "not sure" (the web form's
	// questions have no such answer), checked and then left out of the
	// comparison.
	smsUnsure string
}

type parityPost struct {
	page   string
	values url.Values
}

func post(page string, kv ...string) parityPost {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return parityPost{page: page, values: v}
}

// webTail is the web's answers after the crisis questions for a client
// with a phone who wants a text in the morning, and agrees.
func webTail(name string) []parityPost {
	return []parityPost{
		post(pathName, "name", name),
		post(pathContact, "phone", "07700 900555"),
		post(pathMethod, "contact_method", "text"),
		post(pathTime, "contact_time", "morning"),
		post(pathConsent, "consent", "yes", "version", "v1"),
	}
}

// smsTail is the same by text.
func smsTail(name string) []string { return []string{name, "text", "morning", "yes"} }

func join[T any](parts ...[]T) []T {
	var out []T
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func paritySets() []paritySet {
	crisisNo := func(pc string) []parityPost {
		return []parityPost{post(pathPostcode, "postcode", pc), post(pathFood, "no_food", "no"), post(pathHome, "losing_home", "no")}
	}
	town := func(t string) []parityPost {
		return []parityPost{post(pathTown, "town", t), post(pathFood, "no_food", "no"), post(pathHome, "losing_home", "no")}
	}
	needs := func(vs ...string) parityPost {
		p := parityPost{page: pathNeeds, values: url.Values{"needs": vs}}
		return p
	}
	sets := []paritySet{
		{name: "one need by number, full postcode",
			sms: join([]string{"1", "KY1 1AB", "no", "no"}, smsTail("Ailsa Fictional")),
			web: join([]parityPost{needs("debt")}, crisisNo("KY1 1AB"), webTail("Ailsa Fictional"))},
		{name: "two needs by synonym",
			sms: join([]string{"debt and rent", "ky1 1ab", "no", "no"}, smsTail("Jo")),
			web: join([]parityPost{needs("debt", "housing")}, crisisNo("ky1 1ab"), webTail("Jo"))},
		{name: "three needs by number",
			sms: join([]string{"1 3 4", "KY2 5XY", "no", "no"}, smsTail("Sam Roe")),
			web: join([]parityPost{needs("debt", "income-maximisation", "housing")}, crisisNo("KY2 5XY"), webTail("Sam Roe"))},
		{name: "synonym for benefits",
			sms: join([]string{"universal credit sanction", "KY1 2AB", "no", "no"}, smsTail("Morag")),
			web: join([]parityPost{needs("benefits")}, crisisNo("KY1 2AB"), webTail("Morag"))},
		{name: "food need only",
			sms: join([]string{"food bank", "KY11 4AA", "no", "no"}, smsTail("Lee")),
			web: join([]parityPost{needs("food")}, crisisNo("KY11 4AA"), webTail("Lee"))},
		{name: "district only", district: "KY1",
			sms: join([]string{"2", "KY1", "no", "no"}, smsTail("Pat")),
			web: join([]parityPost{needs("benefits")}, crisisNo("KY1"), webTail("Pat"))},
		{name: "postcode in a sentence",
			sms: join([]string{"1", "it's KY16 9AJ thanks", "no", "no"}, smsTail("Alex")),
			web: join([]parityPost{needs("debt")}, crisisNo("it's KY16 9AJ thanks"), webTail("Alex"))},
		{name: "postcode outside the network", district: "EH1",
			sms: join([]string{"1", "EH1 1AA", "no", "no"}, smsTail("Robin")),
			web: join([]parityPost{needs("debt")}, crisisNo("EH1 1AA"), webTail("Robin"))},
		{name: "town in one district", district: "KY11",
			sms: join([]string{"1", "don't know", "Dunfermline", "no", "no"}, smsTail("Kim")),
			web: join([]parityPost{needs("debt")}, town("Dunfermline"), webTail("Kim"))},
		{name: "town in two districts goes to the first in natural order", district: "KY3",
			sms: join([]string{"1", "no idea", "Burntisland", "no", "no"}, smsTail("Ola")),
			web: join([]parityPost{needs("debt")}, town("Burntisland"), webTail("Ola"))},
		{name: "town spread over KY1 and KY2", district: "KY1",
			sms: join([]string{"4", "dunno", "I live in Kirkcaldy", "no", "no"}, smsTail("Ewan")),
			web: join([]parityPost{needs("housing")}, town("I live in Kirkcaldy"), webTail("Ewan"))},
		{name: "Saint and punctuation in a town", district: "KY12",
			sms: join([]string{"1", "dont know", "St. Serfs", "no", "no"}, smsTail("Isla")),
			web: join([]parityPost{needs("debt")}, town("St. Serfs"), webTail("Isla"))},
		{name: "Saint written out", district: "KY16",
			sms: join([]string{"1", "not sure", "Saint Andrews", "no", "no"}, smsTail("Finn")),
			web: join([]parityPost{needs("debt")}, town("Saint Andrews"), webTail("Finn"))},
		{name: "unknown town goes to triage", district: "-",
			sms: join([]string{"1", "no postcode", "Atlantis", "no", "no"}, smsTail("Nia")),
			web: join([]parityPost{needs("debt")}, town("Atlantis"), webTail("Nia"))},
		{name: "postcode typed where the town is asked",
			sms: join([]string{"1", "don't know", "KY1 1AB", "no", "no"}, smsTail("Rory")),
			web: join([]parityPost{needs("debt")}, []parityPost{post(pathTown, "town", "KY1 1AB"), post(pathFood, "no_food", "no"), post(pathHome, "losing_home", "no")}, webTail("Rory"))},
		{name: "crisis: no food",
			sms: join([]string{"1", "KY1 1AB", "yes", "no"}, smsTail("Cal")),
			web: join([]parityPost{needs("debt"), post(pathPostcode, "postcode", "KY1 1AB"), post(pathFood, "no_food", "yes"), post(pathHome, "losing_home", "no")}, webTail("Cal"))},
		{name: "crisis: losing home",
			sms: join([]string{"4", "KY1 1AB", "no", "yes"}, smsTail("Bea")),
			web: join([]parityPost{needs("housing"), post(pathPostcode, "postcode", "KY1 1AB"), post(pathFood, "no_food", "no"), post(pathHome, "losing_home", "yes")}, webTail("Bea"))},
		{name: "crisis: both questions",
			sms: join([]string{"1 4 8", "KY1 1AB", "yes", "yes"}, smsTail("Dee")),
			web: join([]parityPost{needs("debt", "housing", "food"), post(pathPostcode, "postcode", "KY1 1AB"), post(pathFood, "no_food", "yes"), post(pathHome, "losing_home", "yes")}, webTail("Dee"))},
		{name: "crisis: not sure counts as yes by text", smsUnsure: ", client unsure",
			sms: join([]string{"1", "KY1 1AB", "not sure", "no"}, smsTail("Gus")),
			web: join([]parityPost{needs("debt"), post(pathPostcode, "postcode", "KY1 1AB"), post(pathFood, "no_food", "yes"), post(pathHome, "losing_home", "no")}, webTail("Gus"))},
		{name: "crisis words typed as a name",
			sms: join([]string{"1", "KY1 1AB", "no", "no", "I am being evicted tomorrow"}, smsTail("Hal")),
			web: join([]parityPost{needs("debt")}, crisisNo("KY1 1AB"), []parityPost{post(pathName, "name", "I am being evicted tomorrow")}, webTail("Hal"))},
		{name: "self-harm words typed as a town",
			sms: join([]string{"1", "don't know", "i want to kill myself", "Dunfermline", "no", "no"}, smsTail("Ivy")),
			web: join([]parityPost{needs("debt")}, []parityPost{post(pathTown, "town", "i want to kill myself")}, town("Dunfermline"), webTail("Ivy"))},
		{name: "malformed needs first",
			sms: join([]string{"banana", "99", "1", "KY1 1AB", "no", "no"}, smsTail("Jay")),
			web: join([]parityPost{needs(), needs("astrology"), needs("debt")}, crisisNo("KY1 1AB"), webTail("Jay"))},
		{name: "malformed postcode first",
			sms: join([]string{"1", "12345", "KY1 1AB", "no", "no"}, smsTail("Kit")),
			web: join([]parityPost{needs("debt"), post(pathPostcode, "postcode", "12345")}, crisisNo("KY1 1AB"), webTail("Kit"))},
		{name: "malformed yes-no first",
			sms: join([]string{"1", "KY1 1AB", "purple", "no", "no"}, smsTail("Lou")),
			web: join([]parityPost{needs("debt"), post(pathPostcode, "postcode", "KY1 1AB"), post(pathFood, "no_food", "purple")}, crisisNo("KY1 1AB"), webTail("Lou"))},
		{name: "name with a lead-in",
			sms: join([]string{"1", "KY1 1AB", "no", "no"}, smsTail("my name is Mo Dee")),
			web: join([]parityPost{needs("debt")}, crisisNo("KY1 1AB"), webTail("my name is Mo Dee"))},
		{name: "too long a name first",
			sms: join([]string{"1", "KY1 1AB", "no", "no", strings.Repeat("long ", 20)}, smsTail("Ned")),
			web: join([]parityPost{needs("debt")}, crisisNo("KY1 1AB"), []parityPost{post(pathName, "name", strings.Repeat("long ", 20))}, webTail("Ned"))},
		{name: "phone call in the afternoon",
			sms: []string{"1", "KY1 1AB", "no", "no", "Oona", "call me", "afternoon", "yes please"},
			web: join([]parityPost{needs("debt")}, crisisNo("KY1 1AB"), []parityPost{post(pathName, "name", "Oona"), post(pathContact, "phone", "07700 900555"),
				post(pathMethod, "contact_method", "call"), post(pathTime, "contact_time", "afternoon"), post(pathConsent, "consent", "yes", "version", "v1")})},
		{name: "any time by synonym",
			sms: []string{"1", "KY1 1AB", "no", "no", "Pip", "1", "whenever", "yes"},
			web: join([]parityPost{needs("debt")}, crisisNo("KY1 1AB"), []parityPost{post(pathName, "name", "Pip"), post(pathContact, "phone", "07700 900555"),
				post(pathMethod, "contact_method", "text"), post(pathTime, "contact_time", "any"), post(pathConsent, "consent", "yes", "version", "v1")})},
		{name: "call-back keyword",
			sms: []string{"CALL", "Quin", "yes"},
			web: join([]parityPost{needs("other")}, town("Atlantis"), []parityPost{post(pathName, "name", "Quin"), post(pathContact, "phone", "07700 900555"),
				post(pathMethod, "contact_method", "call"), post(pathTime, "contact_time", "any"), post(pathConsent, "consent", "yes", "version", "v1")})},
		{name: "malformed consent first",
			sms: join([]string{"1", "KY1 1AB", "no", "no", "Ray", "text", "morning", "maybe", "yes"}),
			web: join([]parityPost{needs("debt")}, crisisNo("KY1 1AB"), []parityPost{post(pathName, "name", "Ray"), post(pathContact, "phone", "07700 900555"),
				post(pathMethod, "contact_method", "text"), post(pathTime, "contact_time", "morning"), post(pathConsent, "version", "v1"), post(pathConsent, "consent", "yes", "version", "v1")})},
		{name: "consent declined",
			sms:     []string{"1", "KY1 1AB", "no", "no", "Sol", "text", "morning", "no"},
			web:     join([]parityPost{needs("debt")}, crisisNo("KY1 1AB"), []parityPost{post(pathName, "name", "Sol"), post(pathContact, "phone", "07700 900555"), post(pathMethod, "contact_method", "text"), post(pathTime, "contact_time", "morning"), post(pathConsent, "version", "v1")}),
			nothing: true},
		{name: "other need with a crisis and an unknown town",
			sms: join([]string{"something else", "no idea", "Nowhere Special", "yes", "yes"}, smsTail("Tam")),
			web: join([]parityPost{needs("other"), post(pathTown, "town", "Nowhere Special"), post(pathFood, "no_food", "yes"), post(pathHome, "losing_home", "yes")}, webTail("Tam"))},
	}
	return sets
}

// parityOutcome is what a referral's routing depends on and what the
// issue names: the same for both channels, or the channels disagree.
type parityOutcome struct {
	Needs    []core.Need
	District string
	Crisis   bool
	Reasons  string
	Agency   string // "" in triage
	Triaged  bool
	Scope    core.ConsentScope
}

func TestParitySMSAndWeb(t *testing.T) {
	t.Parallel()
	sets := paritySets()
	if len(sets) < 30 {
		t.Fatalf("only %d answer sets; the parity test needs at least 30", len(sets))
	}
	for _, set := range sets {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			p := newParityEnv(t)
			p.textAll(t, "+447700900111", set.sms)
			p.webAll(t, set.web)
			got := p.outcomes(t)
			if set.nothing {
				if len(got) != 0 {
					t.Fatalf("consent declined, yet referrals were made: %+v", got)
				}
				return
			}
			sms, web := got[core.SourceSMS], got[core.SourceWeb]
			if sms == nil || web == nil {
				t.Fatalf("want one referral from each channel, got %+v", got)
			}
			if want := strings.TrimPrefix(set.district, "-"); set.district != "" && sms.District != want {
				t.Errorf("placed in %q, want %q", sms.District, want)
			}
			if set.smsUnsure != "" {
				reasons, ok := strings.CutSuffix(sms.Reasons, set.smsUnsure)
				if !ok {
					t.Errorf("the text's crisis reasons %q do not say the client was unsure (%q)", sms.Reasons, set.smsUnsure)
				}
				bare := *sms
				bare.Reasons = reasons
				sms = &bare
			}
			if fmt.Sprintf("%+v", *sms) != fmt.Sprintf("%+v", *web) {
				t.Errorf("the channels disagree:\n sms %+v\n web %+v", *sms, *web)
			}
		})
	}
}

type parityEnv struct {
	web *webEnv
	sms http.Handler
	seq atomic.Int64
	b   *browser
	ctx context.Context
}

func newParityEnv(t *testing.T, fl ...*flow.Flow) *parityEnv {
	t.Helper()
	var f *flow.Flow
	if len(fl) > 0 {
		f = fl[0]
	}
	return newParityEnvOn(t, coretest.NewEnv(t), f)
}

// newParityEnvOn is newParityEnv on env (nil f: the shipped flow).
func newParityEnvOn(t *testing.T, env *coretest.Env, f *flow.Flow) *parityEnv {
	t.Helper()
	e := newWebEnvOn(t, env, func(c *Config) { c.Flow = f })
	ctx := context.Background()
	for _, d := range []core.District{
		{District: "KY13", CouncilArea: "Fife", Town: "Burntisland"},
		{District: "KY3", CouncilArea: "Fife", Town: "Burntisland"},
		{District: "KY12", CouncilArea: "Fife", Town: "St Serfs"},
	} {
		if err := e.env.Engine.AddDistrict(ctx, e.env.Pool, d); err != nil {
			t.Fatal(err)
		}
	}
	rdb, prefix := coretest.NewRedis(t)
	s, err := sms.New(sms.Config{Engine: e.env.Engine, Redis: rdb, KeyPrefix: prefix, PublicURL: parityPublicURL,
		AuthToken: parityToken, SMSRatePerHour: 1000, IPRatePerMinute: 1000, Flow: f})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Routes(mux)
	return &parityEnv{web: e, sms: mux, b: e.browser(), ctx: ctx}
}

// textAll texts "Hi" and then each reply, as Twilio posts them, signed,
// and returns the texts that answered the last one.
func (p *parityEnv) textAll(t *testing.T, phone string, replies []string) []string {
	t.Helper()
	var last []string
	for _, body := range append([]string{"Hi", "1"}, replies...) { // 1: English, of the languages offered
		sid := fmt.Sprintf("SM%032x", p.seq.Add(1))
		form := url.Values{"MessageSid": {sid}, "SmsSid": {sid}, "AccountSid": {"AC0123456789abcdef0123456789abcdef"},
			"From": {phone}, "To": {parityOurNumber}, "Body": {body}, "NumMedia": {"0"}, "NumSegments": {"1"},
			"SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"}}
		params := map[string]string{}
		for k := range form {
			params[k] = form.Get(k)
		}
		req := httptest.NewRequest(http.MethodPost, "/twilio/sms", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(sms.SignatureHeader, sms.TwilioSignature(parityToken, parityPublicURL+"/twilio/sms", params))
		rec := httptest.NewRecorder()
		p.sms.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("text %q: status %d", body, rec.Code)
		}
		var err error
		if last, err = sms.ParseTwiML(rec.Body.String()); err != nil {
			t.Fatalf("text %q: %v", body, err)
		}
	}
	return last
}

// webAll starts the form and posts each page, then sends the request,
// and returns the page it lands on.
func (p *parityEnv) webAll(t *testing.T, posts []parityPost) *page {
	t.Helper()
	p.b.get(pathStart)
	for _, ps := range posts {
		p.b.answer(ps.page, ps.values)
	}
	return p.b.send()
}

// outcomes reads every referral made, by source.
func (p *parityEnv) outcomes(t *testing.T) map[core.Source]*parityOutcome {
	t.Helper()
	e := p.web
	out := map[core.Source]*parityOutcome{}
	for _, r := range e.referrals() {
		if out[r.Source] != nil {
			t.Fatalf("two referrals from %s", r.Source)
		}
		o := &parityOutcome{Needs: slices.Clone(r.Needs), District: r.PostcodeDistrict, Crisis: r.Crisis, Triaged: r.InTriage()}
		if r.ToAgencyID != nil {
			a, err := e.env.Engine.Agency(p.ctx, *r.ToAgencyID)
			if err != nil {
				t.Fatal(err)
			}
			o.Agency = a.Slug
		}
		reasons, err := e.env.Engine.CrisisReasons(p.ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		o.Reasons = strings.Join(reasons, "; ")
		c, err := e.env.Engine.Consent(p.ctx, r.ConsentID)
		if err != nil {
			t.Fatal(err)
		}
		o.Scope = c.Scope
		out[r.Source] = o
	}
	return out
}

// A question added to the flow file alone — its words, its page, its SMS
// template — is asked by both channels, and its answer reaches the
// adviser in the referral's notes, with no Go change.
func TestFlowQuestionAddedInTheFlowFileOnly(t *testing.T) {
	t.Parallel()
	base, err := fs.ReadFile(templates.FS, "flows/self_referral.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const question = `
  - id: children
    type: yes-no
    answer: children_at_home
    label: Children at home
    prompt: conv_children
    reprompt: conv_children_retry
    next: contact
    web:
      page: children
      title: Do children live with you?
      errors:
        required: Select yes if children live with you
`
	yaml := strings.Replace(string(base), "    next: contact\n", "    next: children\n", 1)
	yaml = strings.Replace(yaml, "\n  # By text the sender's number is the phone", question+"\n  # By text the sender's number is the phone", 1)
	if yaml == string(base) || !strings.Contains(yaml, "next: children") {
		t.Fatal("the test no longer knows where to add its question in the flow file")
	}
	en, err := fs.ReadFile(templates.FS, "i18n/en.toml")
	if err != nil {
		t.Fatal(err)
	}
	// The SMS messages go first in the file: top-level keys come before tables.
	en = append([]byte("conv_children = 'Do children live with you? Reply YES or NO.'\n"+
		"conv_children_retry = 'Please reply YES or NO: do children live with you?'\n"), en...)
	fsys := overlayFS{FS: templates.FS, files: fstest.MapFS{
		"flows/self_referral.yaml": {Data: []byte(yaml)},
		"i18n/en.toml":             {Data: en},
	}}
	f, err := flow.LoadFlow(fsys, "self_referral")
	if err != nil {
		t.Fatalf("the flow with an added question does not load: %v", err)
	}
	p := newParityEnv(t, f)
	p.textAll(t, "+447700900111", []string{"1", "KY1 1AB", "no", "no", "Uma", "yes", "text", "morning", "yes"})
	page := p.b.get(pathStart)
	for _, ps := range join([]parityPost{post(pathNeeds, "needs", "debt"), post(pathPostcode, "postcode", "KY1 1AB"),
		post(pathFood, "no_food", "no"), post(pathHome, "losing_home", "no"), post(pathName, "name", "Uma")}) {
		page = p.b.answer(ps.page, ps.values)
	}
	if page.Path != "/refer/children" || !strings.Contains(page.Body, "Do children live with you?") {
		t.Fatalf("after the name, the web form is at %s, want the added question", page.Path)
	}
	if refused := p.b.answer("/refer/children", url.Values{}); !strings.Contains(refused.Body, "Select yes if children live with you") {
		t.Errorf("the added question's own error message is not shown")
	}
	for _, ps := range join([]parityPost{post("/refer/children", "children_at_home", "yes")}, webTail("Uma")[1:]) {
		p.b.answer(ps.page, ps.values)
	}
	if check := p.b.get(pathCheck); !strings.Contains(check.Body, "Children at home") {
		t.Errorf("check your answers does not list the added question")
	}
	p.b.send()
	rs := p.web.referrals()
	if len(rs) != 2 {
		t.Fatalf("%d referrals, want one by text and one from the web", len(rs))
	}
	for _, r := range rs {
		notes, err := p.web.env.Engine.ReferralNotes(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(notes, "Children at home: yes") {
			t.Errorf("%s referral's notes %q lack the added answer", r.Source, notes)
		}
	}
}

// overlayFS is templates.FS with some files replaced or added.
type overlayFS struct {
	fs.FS
	files fstest.MapFS
}

func (o overlayFS) Open(name string) (fs.File, error) {
	if _, ok := o.files[name]; ok {
		return o.files.Open(name)
	}
	return o.FS.Open(name)
}
