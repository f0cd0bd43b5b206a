package core

import (
	"errors"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// Phone is a phone number in E.164 form ("+447700900123").
type Phone string

// ErrPhone is returned for text that is not a phone number we can text or call.
var ErrPhone = errors.New("enter a phone number, like 07700 900123")

// ParsePhone normalises a phone number to E.164. Numbers without a country
// code are read as UK numbers, so "07700 900123" becomes "+447700900123".
//
// It accepts every number that is possible by length and prefix rather than
// only allocated ranges, so Ofcom's reserved drama numbers work in demos and
// a newly allocated range never locks a client out.
func ParsePhone(s string) (Phone, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 32 {
		return "", ErrPhone
	}
	if p, ok := parsedPhones.get(s); ok {
		return p, nil
	}
	n, err := phonenumbers.Parse(s, "GB")
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return "", ErrPhone
	}
	p := Phone(phonenumbers.Format(n, phonenumbers.E164))
	parsedPhones.put(s, p)
	return p, nil
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
