package core

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// Phone is a phone number in E.164 form ("+447700900123").
type Phone string

// ErrPhone is returned for text that is not a phone number we can text or call.
var ErrPhone = errors.New("enter a phone number, like 07700 900123")

// ParsePhone normalises a phone number to E.164. Numbers without a country
// code are read as numbers of the network's first allowed country (GB
// unless SetPhoneCountries says otherwise), so "07700 900123" becomes
// "+447700900123". Only mobile and geographic (landline) numbers of the
// allowed countries are accepted: not short codes ("116123"), freephone,
// premium or non-geographic numbers, and not other countries' numbers,
// which would let the public web form send texts abroad at the network's
// cost (SMS pumping).
//
// Only digits, a leading "+" and the usual separators (spaces, hyphens,
// dots, brackets) are accepted: libphonenumber would otherwise read letters
// as a keypad ("0800 FLOWERS") or drop them, so junk typed into the field
// would quietly become somebody else's number. The number must be valid by
// libphonenumber's metadata for its country, or lie in one of Ofcom's
// ranges reserved for drama (used in demos and tests, never allocated).
//
// The result parses to itself (ParsePhone(string(p)) == p): lookups are
// keyed by a hash of it, so an unstable form would lose a client's records.
func ParsePhone(s string) (Phone, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 32 || !phoneChars(s) {
		return "", ErrPhone
	}
	if p, ok := parsedPhones.get(s); ok {
		return p, nil
	}
	p, ok := parseValidPhone(s)
	if !ok {
		return "", ErrPhone
	}
	// libphonenumber's own round trip must hold too; refuse the rare number
	// whose E.164 form reads back differently rather than store it. A
	// number given in E.164 (as Twilio gives them) was just that parse.
	if string(p) == s {
		parsedPhones.put(s, p)
		return p, nil
	}
	if again, ok := parseValidPhone(string(p)); !ok || again != p {
		return "", ErrPhone
	}
	parsedPhones.put(s, p)
	return p, nil
}

// parseValidPhone is libphonenumber's parse, validity and type check,
// within the allowed countries.
func parseValidPhone(s string) (Phone, bool) {
	pc := currentPhoneCountries()
	n, err := phonenumbers.Parse(s, pc.list[0])
	if err != nil {
		return "", false
	}
	p := Phone(phonenumbers.Format(n, phonenumbers.E164))
	if dramaPhone(p) {
		return p, pc.allowed["GB"]
	}
	// The region is found by matching the number against each region of
	// its country code; a number no region's patterns take has none. The
	// type then says whether it is valid at all (UNKNOWN: not valid, as
	// IsValidNumber would say, which repeats both look-ups).
	if !pc.allowed[phonenumbers.GetRegionCodeForNumber(n)] {
		return "", false
	}
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE, phonenumbers.FIXED_LINE_OR_MOBILE:
		return p, true
	}
	return "", false
}

// PhoneRefusal says why ParsePhone refused s, when the client can be told
// something more useful than "enter a phone number": "abroad" for a valid
// number of a country not in the allowed list (SetPhoneCountries),
// "helpline" for a short number of the first allowed country (116 123,
// 999) or a freephone, shared-cost, premium or non-geographic number of
// an allowed country (0800, 0345, 09…), which is a service's, not a
// person's. It is "" for anything else: a number ParsePhone takes, one a
// digit short, letters. It is kept apart from ParsePhone so that a
// successful parse, on every inbound text, does none of this work.
func PhoneRefusal(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 32 || !phoneChars(s) {
		return ""
	}
	if _, err := ParsePhone(s); err == nil {
		return ""
	}
	pc := currentPhoneCountries()
	n, err := phonenumbers.Parse(s, pc.list[0])
	if err != nil {
		return ""
	}
	if dramaPhone(Phone(phonenumbers.Format(n, phonenumbers.E164))) {
		if !pc.allowed["GB"] {
			return "abroad"
		}
		return ""
	}
	region := phonenumbers.GetRegionCodeForNumber(n)
	valid := region != "" && phonenumbers.IsValidNumber(n)
	switch {
	case valid && !pc.allowed[region]:
		return "abroad"
	case !strings.HasPrefix(s, "+") && phonenumbers.IsValidShortNumberForRegion(n, pc.list[0]):
		// A short number is dialled as it is, in the country the phone
		// is in: only the first country's can be meant.
		return "helpline"
	case valid:
		switch phonenumbers.GetNumberType(n) {
		case phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.UAN:
			return "helpline"
		}
	}
	return ""
}

// phoneCountries are the countries (ISO 3166 alpha-2) whose numbers
// Onward accepts and texts; list[0] is assumed for numbers written
// without a country code.
type phoneCountries struct {
	list    []string
	allowed map[string]bool
}

var activePhoneCountries atomic.Pointer[phoneCountries]

func currentPhoneCountries() *phoneCountries {
	if pc := activePhoneCountries.Load(); pc != nil {
		return pc
	}
	return defaultPhoneCountries
}

var defaultPhoneCountries = &phoneCountries{list: []string{"GB"}, allowed: map[string]bool{"GB": true}}

// SetPhoneCountries sets, for the whole process, the countries whose
// mobile and geographic numbers Onward accepts and texts
// (ONWARD_PHONE_COUNTRIES, GB by default). main calls it once while
// wiring, before any number is parsed; it names an unknown country.
func SetPhoneCountries(codes []string) error {
	pc := &phoneCountries{allowed: map[string]bool{}}
	for _, c := range codes {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c == "" {
			continue
		}
		if phonenumbers.GetCountryCodeForRegion(c) == 0 {
			return fmt.Errorf("phone countries: %q is not a country code libphonenumber knows (use ISO codes like GB, IE)", c)
		}
		if !pc.allowed[c] {
			pc.list = append(pc.list, c)
			pc.allowed[c] = true
		}
	}
	if len(pc.list) == 0 {
		return errors.New("phone countries: name at least one country, like GB")
	}
	activePhoneCountries.Store(pc)
	parsedPhones.mu.Lock()
	clear(parsedPhones.m)
	parsedPhones.mu.Unlock()
	return nil
}

// Textable reports whether Onward may send a text to p: a number of an
// allowed country. Every sender checks it, so a number stored before the
// countries were narrowed is not texted either.
func Textable(p Phone) bool {
	if dramaPhone(p) {
		return currentPhoneCountries().allowed["GB"]
	}
	n, err := phonenumbers.Parse(string(p), "ZZ")
	if err != nil {
		return false
	}
	return slices.Contains(currentPhoneCountries().list, phonenumbers.GetRegionCodeForNumber(n))
}

// Landline reports whether p is a fixed line: a number that cannot get a
// text (Twilio refuses one, error 21211 or 21614). A number that may be
// either (FIXED_LINE_OR_MOBILE, as in some countries) is not one, and
// neither is a number that does not parse. Choosing to be texted, and a
// one-time code, need a number that is not a landline.
func Landline(p Phone) bool {
	if dramaPhone(p) {
		return strings.HasPrefix(string(p), "+441632960")
	}
	n, err := phonenumbers.Parse(string(p), "ZZ")
	if err != nil {
		return false
	}
	return phonenumbers.GetNumberType(n) == phonenumbers.FIXED_LINE
}

// ErrLandline means a text was asked for to a landline (Landline).
var ErrLandline = errors.New("that number is a landline, which cannot get texts")

// dramaPhonePrefixes are Ofcom's ranges for TV and radio drama that
// libphonenumber's metadata leaves out (each is followed by three digits):
// mobiles 07700 900000–900999 and Sheffield-style 01632 960000–960999. The
// other drama ranges are inside allocated areas and already valid.
var dramaPhonePrefixes = []string{"+447700900", "+441632960"}

func dramaPhone(p Phone) bool {
	for _, pre := range dramaPhonePrefixes {
		if len(p) == len(pre)+3 && strings.HasPrefix(string(p), pre) {
			return true
		}
	}
	return false
}

// phoneChars reports whether s holds only what people write in a phone
// number: digits, separators, and "+" as the first character.
func phoneChars(s string) bool {
	for i, r := range s {
		switch {
		case unicode.IsDigit(r):
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return true
}

// phoneMemo remembers recent parses: libphonenumber's parse costs tens of
// microseconds, and every text of an SMS conversation parses the same
// sender. It is bounded, and emptied when full; it lives only in memory.
type phoneMemo struct {
	mu sync.Mutex
	m  map[string]Phone
}

// phoneMemoSize bounds the memo, well above the phones texting at once.
const phoneMemoSize = 4096

var parsedPhones = &phoneMemo{m: map[string]Phone{}}

func (pm *phoneMemo) get(s string) (Phone, bool) {
	pm.mu.Lock()
	defer pm.mu.Unlock()
	p, ok := pm.m[s]
	return p, ok
}

func (pm *phoneMemo) put(s string, p Phone) {
	pm.mu.Lock()
	defer pm.mu.Unlock()
	if len(pm.m) >= phoneMemoSize {
		clear(pm.m)
	}
	pm.m[s] = p
}

// Masked shows only the last three digits, for screens that confirm which
// number is meant without disclosing it ("•••••••123").
func (p Phone) Masked() string {
	if len(p) <= 3 {
		return string(p)
	}
	return strings.Repeat("•", len(p)-3) + string(p[len(p)-3:])
}
