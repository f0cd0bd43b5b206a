package flow

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// convTestNetwork is realistic, long network data: every template must fit in
// three SMS with it.
var convTestNetwork = map[string]any{
	"Network":        "Kingdom Advice Network",
	"Helpline":       "0800 000 0000",
	"Hours":          "Monday to Friday, 9am to 5pm",
	"DirectoryURL":   "https://kingdomadvice.example.org/find-help/services/nearby-1",   // 60 characters
	"DataSharingURL": "https://kingdomadvice.example.org/privacy/data-sharing-protocol", // 63 characters
	"Reference":      core.ReferenceExample,
	// As long as the wording core seeds for tests, and a little longer.
	"ConsentWording": "Kingdom Advice Network will share your name, contact details and answers with the " +
		"advice agencies in the network who can help, under our data sharing protocol. You can withdraw at any time.",
	// flow.LocalKeys: the network's example, and crisis lines that give
	// neither 116 123 nor 999, so the crisis text keeps the fixed ones too.
	"ExamplePostcode": "KY1 1AB", "ExampleTown": "Kirkcaldy",
	"CrisisLines":      "Breathing Space, free, weekdays 6pm to 2am and all weekend: 0800 83 85 87.",
	"CrisisSamaritans": false, "CrisisEmergency": false,
}

var convTestStart = time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC)

// convTestSettings are the network settings the caller's Days (the wait
// Messages.Done promises) comes from: the schema's defaults.
var convTestSettings = core.Network{ContactCheckDays: 3, ContactNudgeDays: 5, CrisisAckHours: 2,
	WorkingStart: 9 * time.Hour, WorkingEnd: 17 * time.Hour}

func loadSelfReferralFlow(t testing.TB) *Flow {
	t.Helper()
	f, err := LoadFlow(templates.FS, "self_referral")
	if err != nil {
		t.Fatalf("LoadFlow: %v", err)
	}
	return f.WithConsentVersion(testConsentVersion)
}

func convRenderData(r Reply) map[string]any {
	data := maps.Clone(convTestNetwork)
	maps.Copy(data, r.Data)
	data["Days"] = convTestSettings.ClientWaitDays(r.Data["Urgent"] == true)
	return data
}

func TestTestNetworkIsRealistic(t *testing.T) {
	if n := len(convTestNetwork["DirectoryURL"].(string)); n < 60 {
		t.Errorf("DirectoryURL is %d characters; the copy promise is tested with at least 60", n)
	}
}

func TestLoadFlowSelfReferral(t *testing.T) {
	f := loadSelfReferralFlow(t)
	if f.ID != "self_referral" || f.CallbackKeyword != "CALL" {
		t.Errorf("flow header = %q %q", f.ID, f.CallbackKeyword)
	}
	wantOrder := []string{"needs", "postcode", "town", "crisis_food", "crisis_home", "name",
		"contact", "contact_method", "interpreter", "contact_time", "consent"}
	if !slices.Equal(f.order, wantOrder) {
		t.Errorf("steps = %v, want %v", f.order, wantOrder)
	}
	// The needs question offers the whole taxonomy, in taxonomy order, so
	// the numbers clients see match the web form and reports.
	var needs []core.Need
	for _, v := range f.steps["needs"].values {
		needs = append(needs, core.Need(v))
	}
	if !slices.Equal(needs, core.Needs) {
		t.Errorf("needs choices = %v, want the taxonomy %v", needs, core.Needs)
	}
	for _, name := range []string{f.Messages.Help, f.Messages.Stop, f.Messages.Start, f.Messages.Unavailable} {
		data := f.KeywordKeys() // the caller's, as for every text
		maps.Copy(data, convTestNetwork)
		if _, err := f.Render(name, data); err != nil {
			t.Errorf("caller-rendered template: %v", err)
		}
	}
	if _, err := f.Render(f.Messages.Done, map[string]any{"Reference": "ONW-7K3M9P"}); err == nil {
		t.Errorf("rendering %s without the network keys should fail, not print <no value>", f.Messages.Done)
	}
}

// miniFlowYAML is the smallest valid flow; TestLoadFlowRejects breaks it one
// way at a time.
const miniFlowYAML = `id: mini
start: needs
messages: {greeting: t, done: t, declined: t, finished: t, self_harm: t, carry_on: t, callback_offer: t,
  callback_accepted: t, help: t, stop: t, start: t, unavailable: t, languages: t, language_set: t}
callback: {keyword: CALL, after_misses: 3, goto: consent, contact_method: call}
steps:
  - id: needs
    type: choice-multi
    answer: needs
    prompt: t
    reprompt: t
    next: name
    choices:
      - {value: debt, label: Debt, synonyms: [debt]}
      - {value: housing, label: Housing, synonyms: [rent]}
    web: {title: Needs, errors: {required: Pick one}}
  - id: name
    type: text
    answer: name
    prompt: t
    reprompt: t
    next: consent
    web: {title: Name, errors: {required: Say, invalid: Say again}}
  - id: consent
    type: consent
    answer: consent
    prompt: t
    reprompt: t
    next: done
    on: {"no": declined}
    web: {title: Agree, errors: {required: Tick, changed: Read again}}
`

func miniFlowFS(flow string) fstest.MapFS {
	return fstest.MapFS{
		"flows/mini.yaml": {Data: []byte(flow)},
		"i18n/en.toml": {Data: []byte("t = 'Hello from {{.Network}}'\n" +
			"[language]\nname = 'English'\nenglish = 'English'\ndirection = 'ltr'\n")},
	}
}

func TestLoadFlowMini(t *testing.T) {
	f, err := LoadFlow(miniFlowFS(miniFlowYAML), "mini")
	if err != nil {
		t.Fatalf("the base flow of TestLoadFlowRejects must load: %v", err)
	}
	c, r := f.Start(convTestStart, "")
	if c.Step != StepLanguage || !slices.Contains(r.Templates, "t") {
		t.Errorf("a conversation starts by offering the languages: step %q, templates %v", c.Step, r.Templates)
	}
	c, r = f.Advance(c, "rent")
	c, r = f.Advance(c, "Sam")
	c, r = f.Advance(c, "yes")
	if !r.Done || c.Answers.Name != "Sam" || !slices.Equal(c.Answers.Needs, []core.Need{core.NeedHousing}) {
		t.Errorf("mini flow ended at %q done=%v answers=%+v", c.Step, r.Done, c.Answers)
	}
}

func TestLoadFlowRejects(t *testing.T) {
	cases := []struct {
		name     string
		old, new string   // one replacement in miniFlowYAML
		want     []string // all must appear in the error
	}{
		{"unknown next", "next: name", "next: nowhere", []string{`step "needs"`, `"nowhere"`, "not a step"}},
		{"unknown branch target", `on: {"no": declined}`, `on: {"no": limbo}`, []string{`step "consent"`, `"limbo"`}},
		{"missing template", "    prompt: t\n    reprompt: t\n    next: consent", "    prompt: t\n    reprompt: nope\n    next: consent", []string{`step "name"`, `reprompt template "nope"`}},
		{"missing message template", "greeting: t", "greeting: hello_there", []string{"messages", `greeting template "hello_there"`}},
		{"template syntax", "greeting: t", "greeting: broken", []string{`template "broken"`}},
		{"template path", "greeting: t", "greeting: ../t", []string{`template "../t"`}},
		{"bad type", "type: text", "type: essay", []string{`step "name"`, `unknown type "essay"`}},
		{"wrong answer field", "answer: name", "answer: postcode", []string{`step "name"`, `cannot fill answer "postcode"`}},
		{"not a need", "value: housing", "value: castles", []string{`step "needs"`, `"castles" is not a need code`}},
		{"synonym two meanings", "synonyms: [rent]", "synonyms: [debt]", []string{`step "needs"`, `synonym "debt" means both`}},
		{"synonym with digits", "synonyms: [rent]", "synonyms: [rent 2]", []string{`step "needs"`, "digits"}},
		{"consent no to done", `on: {"no": declined}`, `on: {"no": done}`, []string{`step "consent"`, "NO to consent must go to declined"}},
		{"consent no branch missing", `    on: {"no": declined}` + "\n", "", []string{`step "consent"`, "NO to consent"}},
		{"done without consent", "next: consent\n", "next: done\n", []string{`step "name"`, "only a YES at the consent step"}},
		{"loop", "next: consent\n", "next: needs\n", []string{`step "needs"`, "loops"}},
		{"unreachable", "next: name", "next: consent", []string{`step "name"`, "cannot be reached"}},
		{"duplicate id", "id: name", "id: needs", []string{`step "needs"`, "declared twice"}},
		{"reserved id", "id: name", "id: done", []string{`"done" is reserved`}},
		{"unknown key", "reprompt: t\n    next: name", "reprompt: t\n    nxet: name", []string{"nxet"}},
		{"no consent step", "type: consent", "type: text", []string{"exactly one consent step"}},
		{"callback goto", "goto: consent", "goto: elsewhere", []string{"callback", `"elsewhere"`}},
		{"callback keyword is a carrier keyword", "keyword: CALL", "keyword: HELP", []string{"callback", "carrier keyword"}},
		{"callback misses", "after_misses: 3", "after_misses: 0", []string{"after_misses"}},
		{"callback ask", "contact_method: call}", "contact_method: call, ask: [no_food]}", []string{"callback", `cannot ask for "no_food"`}},
		{"callback ask unfilled", "contact_method: call}", "contact_method: call, ask: [town]}", []string{"callback", `no step fills "town"`}},
		{"callback default need", "contact_method: call}", "contact_method: call, default_need: yachts}", []string{"callback", `"yachts" is not a need code`}},
		{"start", "start: needs", "start: hello", []string{"start", `"hello"`}},
		{"unsure on consent", "    next: done\n", "    unsure: \"yes\"\n    next: done\n", []string{`step "consent"`, "unsure is only for yes-no"}},
		{"branch outcome", "next: name\n", "next: name\n    on: {maybe: name}\n", []string{`step "needs"`, `cannot branch on "maybe"`}},
		{"web missing", "    web: {title: Name, errors: {required: Say, invalid: Say again}}\n", "", []string{`step "name"`, "web is missing"}},
		{"web title missing", "{title: Name, errors", "{errors", []string{`step "name"`, "web title is missing"}},
		{"web error missing", "required: Say, invalid: Say again", "required: Say", []string{`step "name"`, "errors.invalid is missing"}},
		{"web consent changed missing", "required: Tick, changed: Read again", "required: Tick", []string{`step "consent"`, "errors.changed is missing"}},
		{"web page reserved", "{title: Name,", "{page: check, title: Name,", []string{`step "name"`, `"check" is the form's own page`}},
		{"web page twice", "{title: Name,", "{page: needs, title: Name,", []string{`step "name"`, `"needs" is already step "needs"'s`}},
		{"web page name", "{title: Name,", "{page: Name_Page, title: Name,", []string{`step "name"`, "lower-case letters"}},
		{"unknown channel", "    next: consent\n", "    channels: [fax]\n    next: consent\n", []string{`step "name"`, `channel "fax"`}},
		{"one-channel branch", "    next: name\n", "    channels: [sms]\n    next: name\n    on: {\"\": name}\n", []string{`step "needs"`, "cannot branch"}},
		{"sms-only with web page", "    next: consent\n", "    channels: [sms]\n    next: consent\n", []string{`step "name"`, "not asked on the web takes no web page"}},
		{"web-only with prompt", "    next: consent\n", "    channels: [web]\n    next: consent\n", []string{`step "name"`, "not asked by SMS takes no prompt"}},
		{"contact on sms", "type: text", "type: contact", []string{`step "name"`, "asked on the web only"}},
		{"own answer without label", "answer: name", "answer: pets", []string{`step "name"`, `answer "pets" is the flow's own: give the step a label`}},
		{"choice requires", "{value: debt, label: Debt, synonyms: [debt]}", "{value: debt, label: Debt, requires: fax, synonyms: [debt]}", []string{`choice "debt"`, "requires"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(miniFlowYAML, c.old) {
				t.Fatalf("test case does not apply: %q is not in miniFlowYAML", c.old)
			}
			_, err := LoadFlow(miniFlowFS(strings.Replace(miniFlowYAML, c.old, c.new, 1)), "mini")
			if err == nil {
				t.Fatal("LoadFlow accepted a broken flow")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if _, err := LoadFlow(miniFlowFS(miniFlowYAML), "../mini"); err == nil {
		t.Error("LoadFlow accepted a path as a flow name")
	}
	if _, err := LoadFlow(miniFlowFS(miniFlowYAML), "absent"); err == nil {
		t.Error("LoadFlow accepted a missing flow")
	}
}

// convScript is one client's whole conversation.
type convScript struct {
	name    string
	opening string
	replies []string
	check   func(t *testing.T, c Conversation, last Reply)
}

func wantConvNeeds(t *testing.T, got []core.Need, want ...core.Need) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("needs = %v, want %v", got, want)
	}
}

var convScripts = []convScript{
	{
		name:    "happy_numbers",
		opening: "Hi",
		replies: []string{"1 3", "KY1 1AB", "no", "No", "Ailsa Fictional", "1", "morning", "yes"},
		check: func(t *testing.T, c Conversation, last Reply) {
			a := c.Answers
			wantConvNeeds(t, a.Needs, core.NeedDebt, core.NeedIncomeMax)
			if !last.Done || c.Step != StepDone || a.Consent == nil || !*a.Consent || a.ConsentVersion != testConsentVersion {
				t.Errorf("not done with consent: step=%s consent=%v version=%q", c.Step, a.Consent, a.ConsentVersion)
			}
			if a.Postcode != "KY1 1AB" || a.District != "KY1" || a.Name != "Ailsa Fictional" ||
				a.ContactMethod != "text" || a.ContactTime != "morning" || a.Crisis() || last.Crisis {
				t.Errorf("answers = %+v", a)
			}
			if len(last.Templates) != 0 {
				t.Errorf("done reply templates = %v; the caller sends the confirmation", last.Templates)
			}
		},
	},
	{
		name:    "words_and_town",
		opening: "",
		replies: []string{"debt and rent", "don't know", "I live in Kirkcaldy", "nope", "no thanks",
			"my name is Jo", "Call me", "any time", "YES PLEASE"},
		check: func(t *testing.T, c Conversation, last Reply) {
			a := c.Answers
			wantConvNeeds(t, a.Needs, core.NeedDebt, core.NeedHousing)
			if !last.Done || a.Postcode != "" || a.Town != "Kirkcaldy" || a.Name != "Jo" ||
				a.ContactMethod != "call" || a.ContactTime != "any" || a.Callback {
				t.Errorf("done=%v answers=%+v", last.Done, a)
			}
		},
	},
	{
		name:    "crisis_questions",
		opening: "Need help please",
		replies: []string{"food bank", "ky11ab", "y", "Yes, sheriff officers came today", "Morag", "text", "evening", "aye"},
		check: func(t *testing.T, c Conversation, last Reply) {
			a := c.Answers
			wantConvNeeds(t, a.Needs, core.NeedFood)
			if !a.NoFood || !a.LosingHome || !slices.Equal(a.CrisisWords, []string{"sheriff officers"}) {
				t.Errorf("crisis answers = %+v", a)
			}
			if !last.Done || !last.Crisis || last.Data["Urgent"] != true {
				t.Errorf("done=%v crisis=%v urgent=%v", last.Done, last.Crisis, last.Data["Urgent"])
			}
			if !slices.Contains(a.FreeText, "Yes, sheriff officers came today") {
				t.Errorf("free text %q lost the crisis message", a.FreeText)
			}
		},
	},
	{
		// A first text that names needs: they are taken, and said, in
		// place of the needs question (and of the languages offered).
		name:    "crisis_words_only",
		opening: "I'm being evicted next week and have no gas",
		replies: []string{"EH12 9XY", "no", "not sure", "Sam", "2", "4", "yes"},
		check: func(t *testing.T, c Conversation, last Reply) {
			a := c.Answers
			wantConvNeeds(t, a.Needs, core.NeedHousing, core.NeedFuel)
			if a.NoFood || !a.LosingHome {
				t.Errorf("NoFood=%v LosingHome=%v; \"not sure\" about losing a home counts as yes", a.NoFood, a.LosingHome)
			}
			if !slices.Equal(a.CrisisWords, []string{"evicted", "no gas"}) || !last.Crisis || !last.Done {
				t.Errorf("crisis words = %v crisis=%v done=%v", a.CrisisWords, last.Crisis, last.Done)
			}
		},
	},
	{
		name:    "self_harm",
		opening: "hello",
		replies: []string{"English", "2", "KY8 4AA", "no", "no", "I want to end my life", "Lee", "text", "afternoon", "yes"},
		check: func(t *testing.T, c Conversation, last Reply) {
			a := c.Answers
			if !a.SelfHarm || !a.Crisis() || a.Name != "Lee" || !last.Done {
				t.Errorf("self-harm answers = %+v done=%v", a, last.Done)
			}
		},
	},
	{
		// A first text about suicide in Polish: the crisis lines, the
		// greeting and every question in Polish, no English menu.
		name:    "self_harm_first_text_pl",
		opening: "chce umrzec",
		replies: []string{"1", "KY1 1AB", "nie", "nie", "Ania", "1", "nie", "1", "tak"},
		check: func(t *testing.T, c Conversation, last Reply) {
			a := c.Answers
			if c.Lang != "pl" || a.Language != "pl" || !a.SelfHarm || !last.Done || a.Name != "Ania" ||
				!slices.Equal(a.FreeText, []string{"chce umrzec"}) {
				t.Errorf("lang %q answers %+v done %v", c.Lang, a, last.Done)
			}
		},
	},
	{
		// Ukrainian self-harm words in an English conversation: the
		// crisis lines in Ukrainian, and the conversation goes on in it
		// with the answers so far.
		name:    "self_harm_switches_to_uk",
		opening: "hello",
		replies: []string{"English", "1", "не хочу жити", "KY1 1AB", "ні", "ні", "Оксана", "1", "ні", "1", "так"},
		check: func(t *testing.T, c Conversation, last Reply) {
			a := c.Answers
			wantConvNeeds(t, a.Needs, core.NeedDebt)
			if c.Lang != "uk" || a.Language != "uk" || !a.SelfHarm || !last.Done || a.Postcode != "KY1 1AB" || a.Name != "Оксана" {
				t.Errorf("lang %q answers %+v done %v", c.Lang, a, last.Done)
			}
		},
	},
	{
		name:    "declined",
		opening: "",
		replies: []string{"1", "5", "KY2 5AA", "n", "n", "Robin", "1", "3", "no", "hello again"},
		check: func(t *testing.T, c Conversation, last Reply) {
			a := c.Answers
			if c.Step != StepDeclined || a.Consent == nil || *a.Consent || last.Done {
				t.Errorf("step=%s consent=%v done=%v", c.Step, a.Consent, last.Done)
			}
			// Never "we already have your answers": nothing was sent.
			if len(last.Templates) != 1 || !strings.HasPrefix(last.Templates[0], "conv_declined") {
				t.Errorf("a text after declining got %v", last.Templates)
			}
		},
	},
	{
		name:    "misses_then_callback",
		opening: "",
		replies: []string{"hello?", "what", "1 15", "no idea sorry", "CALL", "Kit Fictional", "what happens", "Yes"},
		check: func(t *testing.T, c Conversation, last Reply) {
			a := c.Answers
			wantConvNeeds(t, a.Needs, core.NeedOther)
			if !last.Done || !a.Callback || a.ContactMethod != "call" || a.Name != "Kit Fictional" || a.ContactTime != "" {
				t.Errorf("done=%v answers=%+v", last.Done, a)
			}
			if !slices.Equal(a.FreeText, []string{"hello?", "what", "1 15", "no idea sorry", "what happens"}) {
				t.Errorf("free text = %q", a.FreeText)
			}
		},
	},
	{
		name:    "reprompts",
		opening: "",
		replies: []string{"12", "1, 7 & 9", "12345", "KY1", "maybe", "yes and no", "no", "", "Jo", "both", "2", "before 10am or after 6pm", "1", "what does that mean", "I agree"},
		check: func(t *testing.T, c Conversation, last Reply) {
			a := c.Answers
			wantConvNeeds(t, a.Needs, core.NeedDebt, core.NeedEducation, core.NeedFuel)
			if !last.Done || a.Postcode != "" || a.District != "KY1" || !a.NoFood || a.LosingHome {
				t.Errorf("done=%v answers=%+v", last.Done, a)
			}
		},
	},
}

// playConvScript plays a script and writes what the client would see.
func playConvScript(t *testing.T, f *Flow, s convScript) (Conversation, Reply, string) {
	t.Helper()
	var b strings.Builder
	writeReply := func(c Conversation, r Reply) {
		for _, name := range r.Templates {
			text, err := f.In(r.Lang).Render(name, convRenderData(r))
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			n, enc := core.SMSSegments(text)
			fmt.Fprintf(&b, "<<< %s (%d SMS, %s)\n%s\n", name, n, enc, text)
		}
		if r.Done {
			done, err := f.In(r.Lang).Render(f.Messages.Done, convRenderData(r))
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			n, enc := core.SMSSegments(done)
			fmt.Fprintf(&b, "<<< %s, sent by the caller (%d SMS, %s)\n%s\n", f.Messages.Done, n, enc, done)
		}
		var flags []string
		for _, fl := range []struct {
			on   bool
			name string
		}{{r.Done, "done"}, {r.Declined, "declined"}, {r.CallbackOffered, "callback-offered"}, {r.Crisis, "crisis"}, {r.SelfHarm, "self-harm"}} {
			if fl.on {
				flags = append(flags, fl.name)
			}
		}
		fmt.Fprintf(&b, "--- step=%s misses=%d flags=%v\n", c.Step, c.Misses, flags)
		if !r.Done && len(r.Templates) == 0 {
			t.Errorf("a reply with nothing to send at step %s", c.Step)
		}
	}
	fmt.Fprintf(&b, ">>> (start) %q\n", s.opening)
	c, r := f.Start(convTestStart, s.opening)
	writeReply(c, r)
	for _, body := range s.replies {
		fmt.Fprintf(&b, "\n>>> %q\n", body)
		before, _ := json.Marshal(c)
		var next Conversation
		next, r = f.In(c.Lang).Advance(c, body)
		if after, _ := json.Marshal(c); string(before) != string(after) {
			t.Errorf("Advance modified its input conversation")
		}
		c = next
		writeReply(c, r)
	}
	answers, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "\n=== conversation\n%s\n", answers)
	return c, r, b.String()
}

func TestScripts(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, s := range convScripts {
		t.Run(s.name, func(t *testing.T) {
			c, last, got := playConvScript(t, f, s)
			s.check(t, c, last)
			// A stored conversation must come back the same from Redis.
			raw, _ := json.Marshal(c)
			var back Conversation
			if err := json.Unmarshal(raw, &back); err != nil || !reflect.DeepEqual(back, c) {
				t.Errorf("conversation does not survive JSON: %v\n%+v\n%+v", err, c, back)
			}
			coretest.Golden(t, filepath.Join("testdata", s.name+".golden"), got)
		})
	}
}

const testConsentVersion = "v3-2025-06"

// TestConsentShowsWordingVersionAndLink: the consent question carries the
// network's wording exactly as published and the data sharing protocol
// link (not the version's label), and the conversation records the version it showed.
func TestConsentShowsWordingVersionAndLink(t *testing.T) {
	f := loadSelfReferralFlow(t)
	c, r := f.Advance(Conversation{Step: "contact_time"}, "any")
	if c.Step != "consent" || c.Answers.ConsentVersion != testConsentVersion {
		t.Fatalf("asked consent at %s recording version %q", c.Step, c.Answers.ConsentVersion)
	}
	text, err := f.Render(r.Templates[0], convRenderData(r))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{convTestNetwork["ConsentWording"].(string), convTestNetwork["DataSharingURL"].(string),
		"YES", "NO"} {
		if !strings.Contains(text, want) {
			t.Errorf("consent question lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, testConsentVersion) {
		t.Errorf("consent question carries the version label %q; the client needs the words, not the label:\n%s", testConsentVersion, text)
	}
	// A new wording published mid-conversation does not change what this
	// client was shown.
	c, r = f.WithConsentVersion("v4").Advance(c, "yes")
	if !r.Done || c.Answers.ConsentVersion != testConsentVersion {
		t.Errorf("done=%v version %q, want the version shown, %q", r.Done, c.Answers.ConsentVersion, testConsentVersion)
	}
	// Binding a version leaves the shared flow alone.
	base, err := LoadFlow(templates.FS, "self_referral")
	if err != nil {
		t.Fatal(err)
	}
	_ = base.WithConsentVersion("v9")
	c, _ = base.Advance(Conversation{Step: "contact_time"}, "any")
	if c.Answers.ConsentVersion != "" {
		t.Errorf("WithConsentVersion changed the flow it was called on: %q", c.Answers.ConsentVersion)
	}
}

// ownedSMSTemplate reports whether this package owns (and so strictly checks)
// an SMS template.
func ownedSMSTemplate(name string) bool {
	return strings.HasPrefix(name, "conv_") || slices.Contains([]string{"help", "stop", "start", "redis_down"}, name)
}

// TestTemplatesNeedOnlyDocumentedKeys renders each template the engine
// sends with only the keys flow.go documents, so a template that starts
// using a new key fails here before it fails in production.
func TestTemplatesNeedOnlyDocumentedKeys(t *testing.T) {
	f := loadSelfReferralFlow(t)
	callerKeys := []string{"Network", "Helpline", "Hours", "DirectoryURL", "DataSharingURL", "ConsentWording",
		"ExamplePostcode", "ExampleTown", "CrisisLines", "CrisisSamaritans", "CrisisEmergency"}
	_, start := f.Start(convTestStart, "kill myself")
	replies := []Reply{start}
	for _, st := range f.order {
		_, asked := f.Repeat(Conversation{Step: st})
		_, missed := f.Advance(Conversation{Step: st, Misses: 2}, "???")
		_, called := f.Advance(Conversation{Step: st}, "CALL")
		_, chatter := f.Advance(Conversation{Step: st}, "hello")
		_, wordy := f.Advance(Conversation{Step: st}, "a b c d e f g h")
		replies = append(replies, asked, missed, called, chatter, wordy)
	}
	_, declined := f.Advance(Conversation{Step: "consent"}, "no")
	_, declinedAgain := f.Advance(Conversation{Step: StepDeclined}, "hi")
	_, finished := f.Advance(Conversation{Step: StepDone}, "hi")
	_, stopHow := f.Advance(Conversation{Step: "needs"}, "please stop texting me")
	_, switched := f.Advance(Conversation{Step: "name"}, "POLSKI")
	_, selfHarm := f.Advance(Conversation{Step: "postcode"}, "I want to die")
	_, danger := f.Advance(Conversation{Step: "postcode"}, "he hits me")
	_, otherAsked := f.Advance(Conversation{Step: StepLanguage}, "7")
	_, otherNamed := f.Advance(Conversation{Step: StepOtherLanguage}, "Romanian")
	_, otherRetry := f.Advance(Conversation{Step: StepOtherLanguage}, "Other, I need help with rent")
	_, postcodeKept := f.Advance(Conversation{Step: "needs"}, "1 KY1 1AB")
	_, needsKept := f.Start(convTestStart, "I need help with debt and my rent")
	_, dangerAgain := f.Advance(Conversation{Step: "town"}, "he hits me")
	_, whoWeAre := f.Advance(Conversation{Step: "name"}, "who is this?")
	_, answerKept := f.Advance(Conversation{Step: "contact_method"}, "evening")
	replies = append(replies, declined, declinedAgain, finished, stopHow, switched, selfHarm, danger, otherAsked, otherNamed,
		otherRetry, postcodeKept, needsKept, dangerAgain, whoWeAre, answerKept)
	seen := map[string]bool{f.Messages.LanguageOther: true} // a line of Languages, not a text
	for _, r := range replies {
		data := maps.Clone(r.Data)
		for _, k := range callerKeys {
			data[k] = convTestNetwork[k]
		}
		for _, name := range r.Templates {
			seen[name] = true
			if _, err := f.Render(name, data); err != nil {
				t.Error(err)
			}
		}
	}
	_, done := f.Advance(Conversation{Step: "consent"}, "yes")
	data := maps.Clone(done.Data)
	for _, k := range append(callerKeys, "Reference") {
		data[k] = convTestNetwork[k]
	}
	data["Days"] = convTestSettings.ClientWaitDays(false)
	for _, name := range []string{f.Messages.Done, f.Messages.DoneNoLocal} {
		if _, err := f.Render(name, data); err != nil {
			t.Error(err)
		}
		seen[name] = true
	}
	for _, name := range f.Templates() {
		switch name {
		case f.Messages.Help, f.Messages.Stop, f.Messages.Start, f.Messages.Unavailable:
			continue // the caller's, checked in TestLoadFlowSelfReferral
		}
		if !seen[name] {
			t.Errorf("%s was never rendered", name)
		}
	}
}

func TestAdvanceCallbackOfferAfterThreeMisses(t *testing.T) {
	f := loadSelfReferralFlow(t)
	c, _ := f.Start(convTestStart, "")
	c, _ = f.Advance(c, "1") // English
	c, _ = f.Advance(c, "1")
	for i := 1; i <= 4; i++ {
		var r Reply
		c, r = f.Advance(c, "no clue mate")
		if c.Step != "postcode" || c.Misses != i {
			t.Fatalf("miss %d: step=%s misses=%d", i, c.Step, c.Misses)
		}
		offered := slices.Contains(r.Templates, f.Messages.CallbackOffer)
		if r.CallbackOffered != (i >= 3) || offered != (i >= 3) {
			t.Errorf("miss %d: CallbackOffered=%v templates=%v", i, r.CallbackOffered, r.Templates)
		}
		if r.Templates[0] != "conv_postcode_retry" {
			t.Errorf("miss %d: first template %s, want the reprompt", i, r.Templates[0])
		}
	}
	c, _ = f.Advance(c, "KY1 1AB")
	if c.Step != "crisis_food" || c.Misses != 0 {
		t.Errorf("after a good answer: step=%s misses=%d", c.Step, c.Misses)
	}
}

func TestAdvanceCallbackWord(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, step := range []string{"needs", "postcode", "town", "crisis_food", "name", "contact_time", "consent"} {
		in := Conversation{Step: step, Answers: Answers{Name: "Kit", Needs: []core.Need{core.NeedFood}}}
		c, r := f.Advance(in, "call.")
		if c.Step != "consent" || !c.Answers.Callback || c.Answers.ContactMethod != "call" ||
			!slices.Equal(c.Answers.Needs, []core.Need{core.NeedFood}) ||
			!slices.Equal(r.Templates, []string{f.Messages.CallbackAccepted, "conv_consent"}) {
			t.Errorf("CALL at %s: step=%s answers=%+v templates=%v", step, c.Step, c.Answers, r.Templates)
		}
	}
	// Core needs a name and a need: a call-back asks the name if it is
	// missing, then goes straight to consent, and records "other".
	c, r := f.Advance(Conversation{Step: "postcode"}, "CALL")
	if c.Step != "name" || !slices.Equal(r.Templates, []string{f.Messages.CallbackAccepted, "conv_name"}) ||
		!slices.Equal(c.Answers.Needs, []core.Need{core.NeedOther}) {
		t.Errorf("CALL without a name: step=%s templates=%v needs=%v", c.Step, r.Templates, c.Answers.Needs)
	}
	c, _ = f.Advance(c, "Kit")
	if c.Step != "consent" || c.Answers.Name != "Kit" {
		t.Errorf("after the name in a call-back: step=%s", c.Step)
	}
	// At the contact question, "call" is the answer, not a request to skip.
	c, _ = f.Advance(Conversation{Step: "contact_method"}, "CALL")
	if c.Step != "contact_time" || c.Answers.Callback || c.Answers.ContactMethod != "call" {
		t.Errorf("CALL at contact_method: step=%s answers=%+v", c.Step, c.Answers)
	}
	// "call" inside a sentence is not the keyword.
	c, _ = f.Advance(Conversation{Step: "needs"}, "call me about debt")
	if c.Answers.Callback || c.Step != "postcode" || !slices.Equal(c.Answers.Needs, []core.Need{core.NeedDebt}) {
		t.Errorf("a sentence with call in it: step=%s %+v", c.Step, c.Answers)
	}
}

func TestAdvanceSelfHarmCarriesCrisisLinesFirst(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, step := range f.order {
		c, r := f.Advance(Conversation{Step: step}, "i feel like killing myself")
		if !r.SelfHarm || !r.Crisis || !c.Answers.SelfHarm || len(r.Templates) < 2 || r.Templates[0] != f.Messages.SelfHarm {
			t.Errorf("at %s: SelfHarm=%v templates=%v", step, r.SelfHarm, r.Templates)
		}
		if c.Answers.Name != "" || c.Answers.Town != "" {
			t.Errorf("at %s: a self-harm message was taken as an answer: %+v", step, c.Answers)
		}
	}
	// After the end too: nothing is kept, but the crisis lines come
	// first; after a referral alone, not with "we already have your
	// answers, reply RESTART" (a black-box review found it cold).
	for step, then := range map[string][]string{StepDone: nil, StepDeclined: {f.Messages.DeclinedAgain}} {
		c, r := f.Advance(Conversation{Step: step}, "i feel like killing myself")
		if !r.SelfHarm || !slices.Equal(r.Templates, append([]string{f.Messages.SelfHarm}, then...)) || c.Answers.SelfHarm {
			t.Errorf("at %s: SelfHarm=%v templates=%v answers %+v", step, r.SelfHarm, r.Templates, c.Answers)
		}
	}
	_, r := f.Start(convTestStart, "SUICIDE")
	if len(r.Templates) == 0 || r.Templates[0] != f.Messages.SelfHarm {
		t.Errorf("opening message about suicide: templates %v", r.Templates)
	}
	text, err := f.Render(f.Messages.SelfHarm, convRenderData(r))
	if err != nil || !strings.Contains(text, "116 123") || !strings.Contains(text, "111") || !strings.Contains(text, "999") {
		t.Errorf("crisis lines = %q, %v", text, err)
	}
}

func TestAdvanceEdges(t *testing.T) {
	f := loadSelfReferralFlow(t)
	// A conversation stored under a step that no longer exists starts over
	// instead of sticking.
	c, r := f.Advance(Conversation{Step: "favourite_colour", Misses: 2, Answers: Answers{Name: "Kit"}}, "blue")
	if c.Step != "needs" || c.Misses != 0 || !slices.Equal(r.Templates, []string{"conv_needs"}) || c.Answers.Name != "Kit" {
		t.Errorf("unknown step: step=%s misses=%d templates=%v", c.Step, c.Misses, r.Templates)
	}
	// Done is only reachable with consent, even if a stored conversation
	// claims otherwise.
	c, r = f.Advance(Conversation{Step: StepDone}, "yes")
	if r.Done || !slices.Equal(r.Templates, []string{f.Messages.Finished}) {
		t.Errorf("text after done: done=%v templates=%v", r.Done, r.Templates)
	}
	// "not sure" is a YES for crisis questions but never consent.
	c, r = f.Advance(Conversation{Step: "consent"}, "not sure")
	if c.Step != "consent" || c.Answers.Consent != nil || r.Done {
		t.Errorf("unsure consent: step=%s consent=%v", c.Step, c.Answers.Consent)
	}
	c, _ = f.Advance(Conversation{Step: "crisis_food"}, "not sure")
	if c.Step != "crisis_home" || !c.Answers.NoFood {
		t.Errorf("unsure crisis: step=%s NoFood=%v", c.Step, c.Answers.NoFood)
	}
	// A postcode given at the town question is better than a town.
	c, _ = f.Advance(Conversation{Step: "town"}, "oh it's KY1 1AB")
	if c.Step != "crisis_food" || c.Answers.Postcode != "KY1 1AB" || c.Answers.Town != "" {
		t.Errorf("postcode at town: %+v", c.Answers)
	}
	// The consent version is the one shown, even if the flow moved on.
	c = Conversation{Step: "consent", Answers: Answers{ConsentVersion: "sms-older"}}
	c, r = f.Advance(c, "yes")
	if !r.Done || c.Answers.ConsentVersion != "sms-older" {
		t.Errorf("consent version = %q", c.Answers.ConsentVersion)
	}
	// Free text stays bounded however much a client sends.
	c = Conversation{Step: "needs"}
	for range 30 {
		c, _ = f.Advance(c, strings.Repeat("blah ", 400))
	}
	if len(c.Answers.FreeText) != maxFreeText || len([]rune(c.Answers.FreeText[0])) != maxFreeTextRunes {
		t.Errorf("free text grew to %d entries of %d runes", len(c.Answers.FreeText), len([]rune(c.Answers.FreeText[0])))
	}
	// Advance does not share slices with its input.
	in := Conversation{Step: "name", Answers: Answers{Needs: []core.Need{core.NeedDebt}, FreeText: make([]string, 1, 8)}}
	out, _ := f.Advance(in, "i was evicted")
	out.Answers.Needs[0] = core.NeedFood
	if in.Answers.Needs[0] != core.NeedDebt || len(in.Answers.CrisisWords) != 0 {
		t.Errorf("Advance shares state with its input: %+v", in.Answers)
	}
}

func FuzzAdvance(f *testing.F) {
	flow := loadSelfReferralFlow(f)
	steps := append(slices.Clone(flow.order), StepDone, StepDeclined, "gone")
	for i, s := range []string{"1 3", "KY1 1AB", "don't know", "yes", "no", "not sure", "Ailsa", "call", "CALL",
		"", "kill myself", "evicted", "\xff\xfe", "1,2,3,4,5,6,7,8,9,10,11", strings.Repeat("€", 2000),
		"١ ٣", "nie chce juz zyc", "اُردُو", "Українська мова"} {
		f.Add(uint8(i), uint8(i%4), s)
	}
	// Free text with control characters, at the steps that keep it.
	for _, step := range []string{"name", "town", "contact_time"} {
		if i := slices.Index(steps, step); i >= 0 {
			f.Add(uint8(i), uint8(0), "Ann\x07a \x1b[31mKerr\u202e")
		}
	}
	f.Fuzz(func(t *testing.T, stepIdx, misses uint8, body string) {
		in := Conversation{Flow: flow.ID, Step: steps[int(stepIdx)%len(steps)], Misses: int(misses % 5)}
		c, r := flow.Advance(in, body)
		if !r.Done && len(r.Templates) == 0 {
			t.Fatalf("no reply at %s for %q", in.Step, body)
		}
		if r.Done && (c.Answers.Consent == nil || !*c.Answers.Consent || c.Step != StepDone) {
			t.Fatalf("done without consent at %s for %q", in.Step, body)
		}
		if c.Step != StepDone && c.Step != StepDeclined && flow.steps[c.Step] == nil {
			t.Fatalf("moved to unknown step %q", c.Step)
		}
		for _, name := range r.Templates {
			if _, err := flow.Render(name, convRenderData(r)); err != nil {
				t.Fatalf("at %s for %q: %v", in.Step, body, err)
			}
		}
		// What the client typed is kept only as core keeps a line of
		// client details, so core never refuses an answer the flow took.
		for field, v := range map[string]string{"name": c.Answers.Name, "town": c.Answers.Town, "contact time": c.Answers.ContactTime} {
			if v != core.CleanLine(v) {
				t.Fatalf("at %s for %q the %s was kept as %q, which is not one clean line", in.Step, body, field, v)
			}
		}
		if _, err := json.Marshal(c); err != nil {
			t.Fatal(err)
		}
	})
}

// The postcode page's "I do not know my postcode" links to the page of the
// step its "unknown" branch leads to; LoadFlow refuses a flow where that
// step is not on the web.
func TestLoadFlowUnknownLinkNeedsAWebPage(t *testing.T) {
	base, err := fs.ReadFile(templates.FS, "flows/self_referral.yaml")
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(base), "  - id: town\n    type: town\n", "  - id: town\n    type: town\n    channels: [sms]\n", 1)
	if broken == string(base) {
		t.Fatal("the test no longer finds the town step")
	}
	overlay := fstest.MapFS{"flows/self_referral.yaml": {Data: []byte(broken)}}
	files, _ := fs.Glob(templates.FS, "i18n/*.toml")
	for _, name := range files {
		b, _ := fs.ReadFile(templates.FS, name)
		overlay[name] = &fstest.MapFile{Data: b}
	}
	_, err = LoadFlow(overlay, "self_referral")
	if err == nil || !strings.Contains(err.Error(), `step "postcode": web unknown links to the page`) {
		t.Errorf("LoadFlow = %v, want the postcode step's unknown link refused", err)
	}
}

// TestBoundFlowsAreMadeOnce: a flow bound to a consent version, in any
// language, is made once and handed out again (every text binds one),
// speaks its language, and records its own version; binding one version
// leaves the others as they were.
func TestBoundFlowsAreMadeOnce(t *testing.T) {
	f, err := LoadFlow(templates.FS, "self_referral")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([][2]*Flow, 8)
	for i := range got {
		wg.Go(func() {
			got[i] = [2]*Flow{f.WithConsentVersion("v7").In("pl"), f.In("pl").WithConsentVersion("v7")}
		})
	}
	wg.Wait()
	pl := got[0][0]
	for _, g := range got {
		if g[0] != pl || g[1] != pl {
			t.Fatal("binding Polish to v7 made more than one flow")
		}
	}
	if pl.Lang != "pl" || pl.consentVersion != "v7" {
		t.Errorf("bound flow speaks %q at version %q, want pl at v7", pl.Lang, pl.consentVersion)
	}
	if f.consentVersion != "" || f.In("pl").consentVersion != "" || f.WithConsentVersion("v8").In("pl").consentVersion != "v8" {
		t.Error("binding one version changed another flow's")
	}
	if en := f.WithConsentVersion("v7"); en.Lang != lang.English || en.In("xx") != en {
		t.Errorf("English at v7: %q, and a language with no file should give the same flow", en.Lang)
	}
}
