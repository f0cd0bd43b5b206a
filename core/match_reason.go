package core

import (
	"strings"
	"time"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/onward-network/onward/core/lang"
)

// MatchReasonKind names one fact matching states about an agency: why it
// was suggested or why it was left out. The kinds are stable codes, so a
// partner system can read them as well as people.
type MatchReasonKind string

// The reasons matching gives. Each says which of MatchReason's fields it
// uses.
const (
	WhyOffers         MatchReasonKind = "offers"          // Need: it offers a need asked for
	WhyServes         MatchReasonKind = "serves"          // Area: it serves the district or council area
	WhySpeaks         MatchReasonKind = "speaks"          // Language: it offers help in the language asked for
	WhyNotServed      MatchReasonKind = "not_served"      // Area: it does not serve the district
	WhyNoLanguage     MatchReasonKind = "no_language"     // Language: it offers no help in the language
	WhyAtCapacity     MatchReasonKind = "at_capacity"     // Until, when the agency published one
	WhyAgenciesOnly   MatchReasonKind = "agencies_only"   // it takes referrals from agencies, not self-referrals
	WhyTriedBefore    MatchReasonKind = "tried_before"    // the referral was already with it
	WhyNotConsented   MatchReasonKind = "not_consented"   // the client's consent does not cover it: staff only
	WhyRejectedBefore MatchReasonKind = "rejected_before" // Reference, Rejection, Feedback: staff only
)

// MatchReason is one reason an agency was suggested or left out: its kind
// and the facts it names. Channels render it in their reader's language
// (In); String is the English staff and partner systems read.
type MatchReason struct {
	Kind     MatchReasonKind
	Need     Need
	Area     string     // a postcode district ("KY1") or council area ("Fife")
	Language string     // ISO 639-1
	Until    *time.Time // the day an agency at capacity expects to take referrals again
	// Reference, Rejection and Feedback are an earlier referral of the
	// same client this agency turned down. They are for staff: Feedback
	// is an adviser's own words, so this reason never reaches a client.
	Reference string
	Rejection Reason
	Feedback  string
}

// String is the reason in English, as staff screens, Slack and the partner
// API show it: "offers debt", "serves KY1", "does not serve KY16".
func (r MatchReason) String() string {
	switch r.Kind {
	case WhyOffers:
		return "offers " + strings.ToLower(r.Need.Label())
	case WhyServes:
		return "serves " + r.Area
	case WhySpeaks:
		return "offers help in " + languageName(r.Language)
	case WhyNotServed:
		return "does not serve " + r.Area
	case WhyNoLanguage:
		return "no help in " + languageName(r.Language)
	case WhyAtCapacity:
		if r.Until != nil {
			return "at capacity until " + r.Until.Format("2 January 2006")
		}
		return "at capacity"
	case WhyAgenciesOnly:
		return "takes referrals from agencies only"
	case WhyTriedBefore:
		return "already tried for this client"
	case WhyNotConsented:
		return "outside the client's consent"
	case WhyRejectedBefore:
		s := "rejected this client's referral " + r.Reference + ": " + r.Rejection.Label()
		if r.Feedback != "" {
			s += " (“" + r.Feedback + "”)"
		}
		return s
	}
	return string(r.Kind)
}

// In is the reason in a client's language, from the message catalogue
// (match.<kind>): the need by the name the client's own questions give it,
// the language by its name in theirs, a date the way their language writes
// one. A staff-only reason stays in English.
func (r MatchReason) In(cat *lang.Catalogue, code string) (string, error) {
	code = cat.Code(code)
	data := map[string]any{}
	id := "match." + string(r.Kind)
	switch r.Kind {
	case WhyOffers:
		data["Need"] = cases.Lower(language.Make(code)).String(r.Need.In(cat, code))
	case WhyServes, WhyNotServed:
		data["Area"] = r.Area
	case WhySpeaks, WhyNoLanguage:
		data["Language"] = languageNameIn(r.Language, code)
	case WhyAtCapacity:
		if r.Until != nil {
			id = "match.at_capacity_until"
			data["Date"] = lang.Date(code, *r.Until)
		}
	case WhyAgenciesOnly, WhyTriedBefore:
	default:
		return r.String(), nil
	}
	return cat.Render(code, id, data, nil)
}

// MatchReasons are an agency's reasons, in the order matching found them.
type MatchReasons []MatchReason

// Strings is each reason in English.
func (rs MatchReasons) Strings() []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}

// In is each reason in a client's language (see MatchReason.In).
func (rs MatchReasons) In(cat *lang.Catalogue, code string) ([]string, error) {
	out := make([]string, len(rs))
	for i, r := range rs {
		s, err := r.In(cat, code)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// In is the need's name in a client's language: the words the self-referral
// questions offer it by (flow.needs.choices.<need>.label), else its staff
// label.
func (n Need) In(cat *lang.Catalogue, code string) string {
	if s := cat.Text(code, "flow.needs.choices."+string(n)+".label"); s != "" {
		return s
	}
	return n.Label()
}

// languageNameIn names a language code in another language from CLDR
// ("pl" in Arabic: "البولندية"), in English when CLDR has no name for it
// in that language.
func languageNameIn(code, in string) string {
	tag, err := language.Parse(code)
	if err != nil {
		return code
	}
	if n := display.Languages(language.Make(in)).Name(tag); n != "" {
		return n
	}
	return languageName(code)
}
