package flow

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// Answers is what a client has told the conversation so far. It is stored
// in Redis with the Conversation and handed to core when the flow is done;
// Name, Postcode, Town and FreeText are personal data, so nothing here is
// ever logged.
type Answers struct {
	Needs    []core.Need `json:"needs,omitempty"`
	Postcode string      `json:"postcode,omitempty"` // standard form ("KY1 1AB"); empty when unknown
	District string      `json:"district,omitempty"` // outward code ("KY1"); set with Postcode, or alone when only that was given
	Town     string      `json:"town,omitempty"`     // as typed, when the postcode is unknown

	NoFood     bool `json:"no_food,omitempty"`     // going without food or heating today
	LosingHome bool `json:"losing_home,omitempty"` // at risk of losing their home within two weeks
	// Unsure names the yes/no answers (by answer field: "losing_home")
	// the client said they were not sure of ("nie wiem"), which a step
	// with unsure: yes reads as YES so that an adviser checks: staff
	// read them as "…, client unsure" (answerShown), not as a plain yes.
	Unsure []string `json:"unsure,omitempty"`

	// Interpreter: the client would like an interpreter (asked of clients
	// whose language is not English).
	Interpreter bool `json:"interpreter,omitempty"`
	// Language is the language the client chose (a code of the message
	// files, "" before they chose): core keeps it on the client, staff see
	// it, and later texts use it.
	Language string `json:"language,omitempty"`

	Name          string `json:"name,omitempty"`
	ContactMethod string `json:"contact_method,omitempty"` // a choice value from the flow file: "text" or "call"
	ContactTime   string `json:"contact_time,omitempty"`   // "morning", "afternoon", "evening" or "any"

	// Consent is nil until the client answers the consent question.
	// ConsentVersion is the wording version they were shown, recorded when
	// the question was sent so a deploy mid-conversation can't change it;
	// ConsentLanguage is the language it was shown in, recorded with it, so
	// a client who agrees in Polish and then switches to English (on the
	// web's check page) is recorded as agreeing to the Polish words.
	Consent         *bool  `json:"consent,omitempty"`
	ConsentVersion  string `json:"consent_version,omitempty"`
	ConsentLanguage string `json:"consent_language,omitempty"`

	// Callback is set when the client asked to be phoned instead of
	// finishing the questions; ContactMethod is then "call".
	Callback bool `json:"callback,omitempty"`

	CrisisWords []string `json:"crisis_words,omitempty"` // crisis phrases found in anything they wrote
	SelfHarm    bool     `json:"self_harm,omitempty"`    // self-harm words seen at least once

	// Phone and Email are how to reach a client who used the web form, as
	// typed (core checks and normalises them). By text the sender's number
	// is the phone, and these stay empty.
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`

	// Extra holds answers to questions the flow file added that core has no
	// field for, by answer name; they reach the adviser in the notes.
	Extra map[string]string `json:"extra,omitempty"`

	// Outcomes records, for each step answered, the outcome it branched on
	// ("" for none): which questions were answered, and the way the client
	// went through the flow. The web form walks it; a text conversation
	// keeps it for the same reason.
	Outcomes map[string]string `json:"outcomes,omitempty"`

	// FreeText keeps the client's own words where the flow could not use
	// them as an answer, or where they mentioned a crisis, so an adviser
	// reads them instead of losing them. Capped; see maxFreeText.
	FreeText []string `json:"free_text,omitempty"`
}

// Crisis reports whether the referral should be triaged as a crisis: a YES
// to either crisis question, or crisis words anywhere in what they wrote.
func (a Answers) Crisis() bool {
	return a.NoFood || a.LosingHome || len(a.CrisisWords) > 0 || a.SelfHarm
}

// CrisisReasons says in plain words why Crisis is true, for core's
// SelfReferral.CrisisReasons: a coordinator reads them on the triage card.
// They name the crisis words found, never the client's whole message.
func (a Answers) CrisisReasons() []string {
	var out []string
	if a.NoFood {
		out = append(out, a.answerShown("no_food", "going without food or heating today"))
	}
	if a.LosingHome {
		out = append(out, a.answerShown("losing_home", "at risk of losing their home within two weeks"))
	}
	if a.SelfHarm {
		out = append(out, "wrote about suicide or self-harm")
	}
	for _, w := range a.CrisisWords {
		out = append(out, "wrote \""+w+"\"")
	}
	if len(out) > maxCrisisWords {
		out = out[:maxCrisisWords]
	}
	return out
}

// Limits that keep a conversation small in Redis whatever a client sends.
const (
	maxFreeText      = 10  // entries
	maxFreeTextRunes = 480 // per entry: three SMS parts
	maxCrisisWords   = 20
	MaxBodyRunes     = 1600 // the longest concatenated SMS Twilio delivers
)

// answerShown is how staff read the answer to field, text: as it is, or
// with ", client unsure" when the client said they were not sure (Unsure).
// It is the one rendering of an answer given unsure, on the triage card,
// the referral's page and its notes alike.
func (a Answers) answerShown(field, text string) string {
	if slices.Contains(a.Unsure, field) {
		return text + ", client unsure"
	}
	return text
}

// markUnsure records whether the client's answer to field was "not sure".
func (a *Answers) markUnsure(field string, unsure bool) {
	a.Unsure = slices.DeleteFunc(a.Unsure, func(f string) bool { return f == field })
	if unsure {
		a.Unsure = append(a.Unsure, field)
	}
}

func (a Answers) clone() Answers {
	a.Unsure = slices.Clone(a.Unsure)
	a.Extra = maps.Clone(a.Extra)
	a.Outcomes = maps.Clone(a.Outcomes)
	a.Needs = slices.Clone(a.Needs)
	a.CrisisWords = slices.Clone(a.CrisisWords)
	a.FreeText = slices.Clone(a.FreeText)
	if a.Consent != nil {
		v := *a.Consent
		a.Consent = &v
	}
	return a
}

func (a *Answers) addFreeText(s string) {
	s = strings.TrimSpace(s)
	if s == "" || len(a.FreeText) >= maxFreeText {
		return
	}
	a.FreeText = append(a.FreeText, ClipRunes(s, maxFreeTextRunes))
}

func (a *Answers) addCrisisWords(words []string) {
	for _, w := range words {
		if len(a.CrisisWords) >= maxCrisisWords {
			return
		}
		if !slices.Contains(a.CrisisWords, w) {
			a.CrisisWords = append(a.CrisisWords, w)
		}
	}
}

func ClipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// matchPhrase is a sequence of words. With prefix set, the last word
// matches any word that starts with it ("evict*" matches "evicted" and
// "eviction"). Words in between, when set, are ordinary words a client
// may put inside the phrase without changing what it says ("I don't
// really want to live", "nie chcę już żyć"): up to maxBetween of them are
// stepped over, never before the first word or after the last. With
// nameAfterFirst set (a first word written "ex+"), one more word of any
// kind may stand after the first word: a name after who someone is to
// the client ("my ex Tam is threatening me"). With end set (a phrase
// written with a trailing "$"), a sentence or clause must end with the
// phrase, but for ordinary words after it (wordScan.clauseEnds): "не
// можу більше$" ("I can't any more") is found in "я не можу більше",
// "не можу більше вже" and "не можу більше, допоможіть", not in "не
// можу більше чекати" ("I can't wait any longer").
type matchPhrase struct {
	words          []string
	prefix         bool
	nameAfterFirst bool
	end            bool
	between        map[string]bool
}

// maxBetween is how many ordinary words one phrase may have inserted.
const maxBetween = 2

func newMatchPhrase(s string) matchPhrase {
	s = strings.TrimSpace(s)
	s, end := strings.CutSuffix(s, "$")
	s = strings.TrimSpace(s)
	prefix := strings.HasSuffix(s, "*")
	first, _, _ := strings.Cut(s, " ")
	return matchPhrase{words: answerTokens(strings.TrimSuffix(s, "*")), prefix: prefix, end: end,
		nameAfterFirst: strings.HasSuffix(first, "+") && strings.Contains(s, " ")}
}

// wordAt reports whether tok is the phrase's j-th word.
func (p matchPhrase) wordAt(j int, tok string) bool {
	if p.prefix && j == len(p.words)-1 {
		return strings.HasPrefix(tok, p.words[j])
	}
	return tok == p.words[j]
}

// matchAt reports whether the phrase starts at toks[i], and how many
// tokens it covers (more than its words when ordinary words were inside).
// A phrase with end set is found only at the end of toks.
func (p matchPhrase) matchAt(toks []string, i int) (n int, ok bool) { return p.matchIn(toks, nil, i) }

// matchIn is matchAt where ends, when not nil, marks the words after
// which a clause ends (wordScan.clauseEnds).
func (p matchPhrase) matchIn(toks []string, ends []bool, i int) (n int, ok bool) {
	k, skipped := i, 0
	for j := range p.words {
		if j == 1 && p.nameAfterFirst && k+1 < len(toks) && !p.wordAt(j, toks[k]) && !p.between[toks[k]] {
			k++ // the name: "ex" "tam" "is threatening me"
		}
		if j > 0 {
			for k < len(toks) && skipped < maxBetween && !p.wordAt(j, toks[k]) && p.between[toks[k]] {
				k++
				skipped++
			}
		}
		if k >= len(toks) || !p.wordAt(j, toks[k]) {
			return 0, false
		}
		k++
	}
	if p.end {
		for rest := k; rest < len(toks) && (ends == nil || !ends[rest-1]); rest++ {
			if skipped++; skipped > maxBetween || !p.between[toks[rest]] {
				return 0, false
			}
		}
	}
	return k - i, true
}

// phraseTable maps phrases to a meaning and finds them by longest match, so
// "no idea" wins over "no" and "food bank" is one thing, not two. Phrases
// are indexed by their first word; only one-word stems ("evict*") are tried
// at every position.
type phraseTable[V any] struct {
	entries []phraseEntry[V] // all, as added
	byFirst map[string][]phraseEntry[V]
	stems   []phraseEntry[V]
}

type phraseEntry[V any] struct {
	p matchPhrase
	v V
}

func (t *phraseTable[V]) add(s string, v V) { t.addPhrase(newMatchPhrase(s), v) }

func (t *phraseTable[V]) addPhrase(p matchPhrase, v V) {
	if len(p.words) == 0 {
		return
	}
	e := phraseEntry[V]{p, v}
	t.entries = append(t.entries, e)
	if p.prefix && len(p.words) == 1 {
		t.stems = append(t.stems, e)
		return
	}
	if t.byFirst == nil {
		t.byFirst = map[string][]phraseEntry[V]{}
	}
	list := append(t.byFirst[p.words[0]], e)
	slices.SortStableFunc(list, func(a, b phraseEntry[V]) int { return len(b.p.words) - len(a.p.words) })
	t.byFirst[p.words[0]] = list
}

// longest returns the longest phrase that matches at toks[i] and how many
// tokens it covers.
func (t *phraseTable[V]) longest(toks []string, i int) (phraseEntry[V], int, bool) {
	return t.longestIn(toks, nil, i)
}

// longestIn is longest with the words a clause ends after (matchIn).
func (t *phraseTable[V]) longestIn(toks []string, ends []bool, i int) (phraseEntry[V], int, bool) {
	for _, e := range t.byFirst[toks[i]] {
		if n, ok := e.p.matchIn(toks, ends, i); ok {
			return e, n, true // longest first, and every stem is one word long
		}
	}
	for _, e := range t.stems {
		if n, ok := e.p.matchIn(toks, ends, i); ok {
			return e, n, true
		}
	}
	return phraseEntry[V]{}, 0, false
}

// scan walks toks left to right and calls found for each longest match,
// toks[from:to], then skips past it. Tokens that start no phrase go to
// other, if set.
func (t *phraseTable[V]) scan(toks []string, found func(v V, from, to int), other func(tok string)) {
	t.scanIn(toks, nil, found, other)
}

// scanIn is scan with the words a clause ends after (matchIn).
func (t *phraseTable[V]) scanIn(toks []string, ends []bool, found func(v V, from, to int), other func(tok string)) {
	for i := 0; i < len(toks); {
		if e, n, ok := t.longestIn(toks, ends, i); ok {
			found(e.v, i, i+n)
			i += n
			continue
		}
		if other != nil {
			other(toks[i])
		}
		i++
	}
}

// numberWords lets "one and three" work like "1 and 3".
var numberWords = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

// choiceParser reads a reply to a numbered-choice question. Values are the
// choice values in the order they are numbered, from 1.
type choiceParser struct {
	values   []string
	synonyms phraseTable[string]
	hasSyn   map[string]bool // one-word synonyms, for the plural fallback
	capsOnly map[string]bool // one-word synonyms read only in capitals (sharedAcronyms)
}

func newChoiceParser(values []string, synonyms map[string][]string) *choiceParser {
	p := &choiceParser{values: values, hasSyn: map[string]bool{}}
	for _, v := range values {
		for _, s := range synonyms[v] {
			p.synonyms.add(s, v)
		}
	}
	for _, e := range p.synonyms.entries {
		if len(e.p.words) == 1 && !e.p.prefix {
			p.hasSyn[e.p.words[0]] = true
		}
	}
	return p
}

// named returns the choices body names with nothing else: every word of
// it is one choice's words (a synonym or label, or its plural), as
// "dług" or "telefon" is; ok is false when any word is not, so "میسج بند
// کریں" ("stop the texts") names no choice though parse would read
// "text" in it. A keyword must name none (Flow.KeywordClash).
func (p *choiceParser) named(body string) (values []string, ok bool) {
	toks := answerTokens(ClipRunes(body, MaxBodyRunes))
	ok = len(toks) > 0
	take := func(v string, _, _ int) {
		if !slices.Contains(values, v) {
			values = append(values, v)
		}
	}
	p.synonyms.scan(toks, take, func(tok string) {
		if stem, plural := strings.CutSuffix(tok, "s"); plural && p.hasSyn[stem] {
			p.synonyms.scan([]string{stem}, take, nil)
			return
		}
		ok = false
	})
	return values, ok && len(values) > 0
}

// parse returns the chosen values, each once, in the order the client gave
// them. Numbers must be in range: "1 15" is a miss rather than a guess,
// because "15" may be a typo for "1 5". Numbers of three or more digits are
// amounts or house numbers, not choices, and are ignored, as are words that
// match nothing. ok is false when nothing was chosen or a number was out of
// range, except beside the words of one choice alone: "wieczorem po 18"
// ("evening, after 6") is evening, the number a time, not a choice. Number
// words ("one and three") count only when nothing else was given, so
// "debt, I have two kids" is debt, not debt and choice 2.
func (p *choiceParser) parse(body string) (values []string, ok bool) {
	toks := withoutPostcodes(answerTokens(ClipRunes(body, MaxBodyRunes)))
	bad := false
	var spelled []int
	pick := func(v string) {
		if !slices.Contains(values, v) {
			values = append(values, v)
		}
	}
	number := func(n int) {
		if n < 1 || n > len(p.values) {
			bad = true
			return
		}
		pick(p.values[n-1])
	}
	var named []string // the choices named by their words
	var caps map[string]bool
	if len(p.capsOnly) > 0 {
		caps = capsWords(body)
	}
	take := func(v string) {
		pick(v)
		if !slices.Contains(named, v) {
			named = append(named, v)
		}
	}
	name := func(v string, from, to int) {
		if !weakAcronym(toks[from:to], p.capsOnly, caps) { // "dla" in a Polish sentence is "for"
			take(v)
		}
	}
	p.synonyms.scan(toks, name, func(tok string) {
		if n, isWord := numberWords[tok]; isWord {
			spelled = append(spelled, n)
			return
		}
		if tok[0] >= '0' && tok[0] <= '9' {
			if len(tok) > 2 {
				return
			}
			n, err := strconv.Atoi(tok)
			if err != nil {
				bad = true
				return
			}
			number(n)
			return
		}
		// A plural of a one-word synonym: "debts", "bills".
		if stem, ok := strings.CutSuffix(tok, "s"); ok && p.hasSyn[stem] && !weakAcronym([]string{stem}, p.capsOnly, caps) {
			p.synonyms.scan([]string{stem}, func(v string, _, _ int) { take(v) }, nil)
		}
	})
	if len(values) == 0 && !bad {
		for _, n := range spelled {
			number(n)
		}
	}
	if bad && len(named) == 1 && slices.Equal(values, named) {
		return named, true
	}
	if bad || len(values) == 0 {
		return nil, false
	}
	return values, true
}

// withoutPostcodes drops the words of a postcode from toks ("ky 1 1 ab",
// "ky 11 ab"), and a reply that is a postcode district alone ("ky 1"): the
// digits of a postcode sent to a numbered question are not choices, so
// "KY1 1AB" sent to "what do you need help with?" is asked again rather
// than read as choice 1.
func withoutPostcodes(toks []string) []string {
	if len(toks) >= 2 && len(toks) <= 3 {
		if _, err := core.ParseDistrict(strings.Join(toks, "")); err == nil {
			return nil
		}
	}
	var out []string
	for i := 0; i < len(toks); {
		if n := postcodeAt(toks, i); n > 0 {
			i += n
			continue
		}
		out = append(out, toks[i])
		i++
	}
	return out
}

// postcodeAt is how many of toks, from i, spell a full postcode (0 for
// none). A postcode is 5 to 7 letters and digits, so at most 5 words
// ("w 1 a 1 aa").
func postcodeAt(toks []string, i int) int {
	s := ""
	for n := 1; n <= 5 && i+n <= len(toks); n++ {
		if s += toks[i+n-1]; len(s) > 7 {
			return 0
		}
		if _, err := core.ParsePostcode(s); err == nil {
			return n
		}
	}
	return 0
}

// postcodeIn is the full postcode a reply to another question holds
// ("Marek Nowak KY1 2AB dlugi, eksmisja w piatek"), found as
// withoutPostcodes finds it; ok is false for none, or two different ones.
func postcodeIn(body string) (core.Postcode, bool) {
	toks := answerTokens(ClipRunes(body, MaxBodyRunes))
	var found core.Postcode
	for i := 0; i < len(toks); {
		n := postcodeAt(toks, i)
		if n == 0 {
			i++
			continue
		}
		p, _ := core.ParsePostcode(strings.Join(toks[i:i+n], ""))
		if found != "" && found != p {
			return "", false
		}
		found, i = p, i+n
	}
	return found, found != ""
}

// keepPostcode keeps a full postcode the client gave in a reply to step st
// before the postcode question was asked ("KY1 2AB dlug" to "what do you
// need help with?", or "KY1 2AB" alone), so that question is not asked
// again (givenEarly). A postcode question already answered, either way,
// is left as it is.
func (f *Flow) keepPostcode(a *Answers, st *flowStep, body string) {
	pst := f.fieldStep("postcode")
	if pst == nil || st == pst || st.kind == AnswerTown || a.Postcode != "" || a.District != "" || a.Town != "" {
		return
	}
	if _, answered := a.Outcomes[pst.id]; answered {
		return
	}
	if p, ok := postcodeIn(body); ok {
		a.Postcode, a.District = string(p), p.District()
	}
}

// givenEarly reports whether step st was answered before it was asked (a
// postcode keepPostcode kept, a choice keepLater kept), and the outcome it
// then branches on, as if the client had sent it in answer to it.
func (a Answers) givenEarly(st *flowStep) (outcome string, ok bool) {
	if _, answered := a.Outcomes[st.id]; answered {
		return "", false
	}
	switch {
	case st.kind == AnswerPostcodeOrUnknown && a.Postcode != "":
		return "postcode", true
	case st.kind == AnswerChoiceOne && a.text(st) != "":
		return a.text(st), true
	}
	return "", false
}

// unknownTable holds the ways people say they don't know their postcode.
var unknownTable = englishUnknown()

func englishUnknown() *phraseTable[bool] {
	t := &phraseTable[bool]{}
	for _, s := range []string{"dont know", "do not know", "not sure", "no idea", "dunno", "idk",
		"unsure", "cant remember", "can not remember", "cannot remember", "forgot", "forget",
		"dont have one", "dont have a postcode", "no postcode", "no fixed address", "nfa",
		"havent got one", "not got one"} {
		t.add(s, true)
	}
	return t
}

// saysUnknown reports whether body says "I don't know", including a bare
// "no" or "none".
func saysUnknown(body string) bool { return saysUnknownIn(unknownTable, body) }

// saysUnknownIn is saysUnknown with a language's table of words.
func saysUnknownIn(table *phraseTable[bool], body string) bool {
	toks := answerTokens(ClipRunes(body, MaxBodyRunes))
	switch strings.Join(toks, " ") {
	case "no", "none", "nope", "na", "n a", "dk", "pass", "skip":
		return true
	}
	found := false
	table.scan(toks, func(bool, int, int) { found = true }, nil)
	return found
}

// parsePostcodeAnswer finds a postcode in a reply, written any way
// ("ky11ab", "KY1 1AB", "it's KY1 1AB thanks"). A postcode district is
// accepted too: it is all matching needs. It may come with words around
// it ("Kirkcaldy KY1", "it starts KY1"), when it is the one word with a
// digit in the reply (in "flat 2 KY1" it may be part of an address we
// misread) and no road's ("off the M90"). It returns the full postcode
// (empty if only the district was given) and the district; ok is false
// when there is neither.
func parsePostcodeAnswer(body string) (postcode, district string, ok bool) {
	body = ClipRunes(body, MaxBodyRunes)
	if p, err := core.ParsePostcode(body); err == nil {
		return string(p), p.District(), true
	}
	words := strings.FieldsFunc(body, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for i, w := range words {
		if p, err := core.ParsePostcode(w); err == nil {
			return string(p), p.District(), true
		}
		if i+1 < len(words) {
			if p, err := core.ParsePostcode(w + words[i+1]); err == nil {
				return string(p), p.District(), true
			}
		}
	}
	if len(words) == 1 {
		if d, err := core.ParseDistrict(words[0]); err == nil {
			return "", d, true
		}
	}
	at := -1
	for i, w := range words {
		if strings.ContainsFunc(w, unicode.IsDigit) {
			if at >= 0 {
				return "", "", false
			}
			at = i
		}
	}
	if at > 0 && slices.Contains([]string{"the", "a", "an"}, strings.ToLower(words[at-1])) {
		return "", "", false // "near the M90": a road
	}
	if at >= 0 {
		if d, err := core.ParseDistrict(words[at]); err == nil {
			return "", d, true
		}
	}
	return "", "", false
}

// textWords are the words around a free-text answer (a name, a town) that
// are not the answer, by answerTokens key: lead-ins before it ("my name
// is", "mam na imię", "меня зовут", "اسمي", "is mise"), tails after it
// (Urdu's "ہے" in "میرا نام احمد ہے") and chatter on either side, the
// greetings and apologies a client coming back to a conversation sends
// ("hi", "sorry", "halo, jestem z powrotem"). A reply of these words alone
// holds no answer, and the question is asked again. noName are replies
// to "what is your name?" that say how the client feels, or that they
// would rather not give it ("I'm scared", "not telling", "boję się",
// "не скажу"), with the fillers that go with them without making them a
// name (noNameFiller: "so", "really", "bardzo"): no name either.
type textWords struct {
	leadIn, tail, chatter phraseTable[bool]
	noName, noNameFiller  phraseTable[bool]
}

// The English words, which every language's flow reads too (a client may
// write "my name is" in a Polish conversation); a language adds its own
// ([words] name_lead_in, name_tail, chatter, no_name, no_name_filler in
// its message file).
var (
	englishLeadIns = []string{"my name is", "my names", "my name's", "the name is", "name is", "name",
		"it is", "its", "i am", "im", "this is", "call me",
		"i live in", "i stay in", "im in", "i am in", "in", "near"}
	englishTails   = []string{"is my name", "here", "speaking"}
	englishChatter = []string{"hi", "hello", "hey", "hiya", "heya", "hallo", "hi there", "hello there",
		"good morning", "good afternoon", "good evening", "morning",
		"sorry", "so sorry", "apologies", "my apologies", "oops", "excuse me",
		"back", "im back", "i am back", "me again", "its me", "it is me", "its me again", "again",
		"still here", "im still here", "thanks", "thank you", "cheers", "please"}
	// Words that are also names are not among englishNoNames: Hope, Joy,
	// Faith, Grace, Patience, Precious, Sunny, Bliss are people's names,
	// and taken; each language leaves out its own (Polish "Wiktoria").
	englishNoNames = []string{"scared", "afraid", "frightened", "terrified", "worried", "anxious", "stressed",
		"desperate", "confused", "lost", "sad", "upset", "depressed", "struggling", "not good", "not ok", "not okay",
		"need help", "please help", "help", "i need help", "help please", "can you help", "can you help me",
		"not telling", "not telling you", "not saying", "rather not say", "id rather not say", "i would rather not say",
		"prefer not to say", "id prefer not to say", "i prefer not to say", "dont want to say", "i dont want to say",
		"wont say", "i wont say", "none of your business", "anonymous", "nobody", "no one", "noone", "private", "secret",
		// A question back is no name either: "why?", "what for?".
		"why", "what", "what for", "why do you need it", "why do you need to know", "who is this", "who are you", "huh", "pardon"}
	englishNoNameFillers = []string{"so", "really", "very", "quite", "a bit", "a little", "bit", "just", "too",
		"feeling", "i feel", "feel", "and", "me", "now", "right now", "today"}
)

var englishTextWords = newTextWords(nil, "")

// newTextWords is the English words, with language code's own from cat
// added (none for a nil cat or English).
func newTextWords(cat *lang.Catalogue, code string) *textWords {
	w := &textWords{}
	for _, l := range []struct {
		t  *phraseTable[bool]
		en []string
		id string
	}{{&w.leadIn, englishLeadIns, "words.name_lead_in"}, {&w.tail, englishTails, "words.name_tail"},
		{&w.chatter, englishChatter, "words.chatter"}, {&w.noName, englishNoNames, "words.no_name"},
		{&w.noNameFiller, englishNoNameFillers, "words.no_name_filler"}} {
		words := l.en
		if cat != nil && code != lang.English {
			words = append(slices.Clone(words), lang.List(cat.Own(code, l.id))...)
		}
		for _, s := range words {
			l.t.add(s, true)
		}
	}
	return w
}

// textWords are the words around a free-text answer in f's language and
// English. Their chatter is read on every text (stopsAlone, asksWho), so
// they are made once, with the flow.
func (f *Flow) textWords() *textWords {
	if f.text == nil { // English, or a flow read without a catalogue
		return englishTextWords
	}
	return f.text
}

// around is how far the answer in toks is from the words around it: toks[from:to]
// is left once lead-ins and chatter before it, and tails and chatter after
// it, are taken off. from == to when nothing is left.
func (w *textWords) around(toks []string) (from, to int) {
	for from < len(toks) {
		n := 0
		for _, t := range []*phraseTable[bool]{&w.leadIn, &w.chatter} {
			if _, m, ok := t.longest(toks, from); ok && m > n {
				n = m
			}
		}
		if n == 0 {
			break
		}
		from += n
	}
	to = len(toks)
	for to > from {
		cut := false
		for k := max(from, to-maxPhraseWords); k < to && !cut; k++ {
			for _, t := range []*phraseTable[bool]{&w.tail, &w.chatter} {
				if _, m, ok := t.longest(toks[:to], k); ok && k+m == to {
					to, cut = k, true
					break
				}
			}
		}
		if !cut {
			break
		}
	}
	return from, to
}

// maxPhraseWords bounds the tails and chatter looked for at the end of an
// answer: none is longer.
const maxPhraseWords = 8

// parseFreeTextAnswer reads a free-text answer such as a name or a town with
// the English words around it (Flow.textAnswer reads a language's too); see
// textWords.answer.
func parseFreeTextAnswer(body string, minLen, maxLen, maxWords int) (string, bool) {
	s, code := englishTextWords.answer(body, minLen, maxLen, maxWords)
	return s, code == ""
}

// freeTextAnswer is parseFreeTextAnswer saying why an answer is refused
// (textWords.answer).
func freeTextAnswer(body string, minLen, maxLen, maxWords int) (string, string) {
	return englishTextWords.answer(body, minLen, maxLen, maxWords)
}

// textAnswer reads a free-text answer in f's language: the English words
// around it and the language's own ("mam na imie Marek" is Marek), and
// says why an answer is refused as textWords.answer does.
// textMissCodes are the reasons textMiss gives.
var textMissCodes = []string{"too_many_words", "no_letters"}

// textMiss is why body is no answer to free-text step st (a name, a
// town) when the reason is one the client can put right and the
// question's own words do not say: "too_many_words" or "no_letters"
// (textWords.answer). It is "" for anything else, and for words about a
// crisis, which are no attempt at an answer. Both channels tell the
// client this reason, the web on the page, a text in its reply.
func (f *Flow) textMiss(st *flowStep, body string, sig CrisisSignal) string {
	if (st.kind != AnswerText && st.kind != AnswerTown) || sig.Found() {
		return ""
	}
	if _, code := f.textAnswer(body, st.minLen, st.maxLen, st.words); slices.Contains(textMissCodes, code) {
		return code
	}
	return ""
}

func (f *Flow) textAnswer(body string, minLen, maxLen, maxWords int) (string, string) {
	return f.textWords().answer(body, minLen, maxLen, maxWords)
}

// answer reads a free-text answer such as a name or a town: lead-ins
// like "my name is", chatter like "hi" or "sorry" before or after it, and
// trailing punctuation go, the rest is kept as typed, made one line as core
// keeps client details (core.CleanLine: a control character, which core
// refuses in a name, is a space). It must contain a letter and fit the
// limits; maxWords 0 means no limit. The code says why an answer is
// refused: "no_letters" when it has no letter ("12345"), "too_many_words"
// when it holds more than maxWords words, "invalid" for anything else wrong
// (too short or too long, or chatter alone: "halo, jestem z powrotem,
// sorry"), "" for an answer taken.
func (w *textWords) answer(body string, minLen, maxLen, maxWords int) (string, string) {
	s := core.CleanLine(body)
	if sc := scanWords(s, true); len(sc.spans) > 0 {
		from, to := w.around(sc.tokens())
		if from == to {
			return "", "invalid" // greetings and apologies: no name in them
		}
		start, end := 0, len(sc.text)
		if from > 0 {
			start = sc.spans[from].from
		}
		if to < len(sc.spans) {
			end = sc.spans[to].from
		}
		s = sc.text[start:end]
	}
	s = strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || (unicode.IsPunct(r) && r != '\'' && r != ')')
	})
	n := utf8.RuneCountInString(s)
	if !strings.ContainsFunc(s, unicode.IsLetter) {
		if strings.TrimSpace(body) == "" {
			return "", "invalid"
		}
		return "", "no_letters" // "12345", "???"
	}
	if n < minLen {
		return "", "invalid"
	}
	if maxWords > 0 && len(strings.Fields(s)) > maxWords {
		return "", "too_many_words"
	}
	if n > maxLen {
		return "", "invalid"
	}
	return s, ""
}

// showConsent records the consent wording f shows a: its version and its
// language, which the consent is then recorded in (SelfReferral).
func (f *Flow) showConsent(a *Answers) {
	a.ConsentVersion, a.ConsentLanguage = f.consentVersion, f.Lang
}

// answered records that step id was answered with outcome.
func (a *Answers) answered(id, outcome string) {
	if a.Outcomes == nil {
		a.Outcomes = map[string]string{}
	}
	a.Outcomes[id] = outcome
}

// text is the answer of a text or choice-one step.
func (a Answers) text(st *flowStep) string {
	if st.extra {
		return a.Extra[st.field]
	}
	switch st.field {
	case "name":
		return a.Name
	case "contact_method":
		return a.ContactMethod
	case "contact_time":
		return a.ContactTime
	case "town":
		return a.Town
	}
	return ""
}

// setText records the answer of a text or choice-one step.
func (a *Answers) setText(st *flowStep, v string) {
	if st.extra {
		if a.Extra == nil {
			a.Extra = map[string]string{}
		}
		a.Extra[st.field] = v
		return
	}
	switch st.field {
	case "name":
		a.Name = v
	case "contact_method":
		a.ContactMethod = v
	case "contact_time":
		a.ContactTime = v
	case "town":
		a.Town = v
	}
}

// forget removes a step's answer, for a question the client's way no longer
// passes (the town, once they give a postcode after all).
func (a *Answers) forget(st *flowStep) {
	delete(a.Outcomes, st.id)
	a.markUnsure(st.field, false)
	if st.extra {
		delete(a.Extra, st.field)
		return
	}
	switch st.field {
	case "needs":
		a.Needs = nil
	case "postcode":
		a.Postcode, a.District = "", ""
	case "town":
		a.Town = ""
	case "no_food":
		a.NoFood = false
	case "losing_home":
		a.LosingHome = false
	case "interpreter":
		a.Interpreter = false
	case "contact":
		a.Phone, a.Email = "", ""
	case "consent":
		a.Consent, a.ConsentVersion, a.ConsentLanguage = nil, "", ""
	default:
		a.setText(st, "")
	}
}
