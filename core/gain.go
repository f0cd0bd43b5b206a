package core

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Gain is the client's financial gain recorded when a money, benefits or
// debt referral is completed, each amount in pence (0 when none was
// recorded). Forms take pounds; pence keep sums exact.
type Gain struct {
	WeeklyIncome   int64 // income gained each week
	OneOffIncome   int64 // income gained once (arrears, a grant, a refund)
	DebtWrittenOff int64 // debt written off
	DebtManaged    int64 // debt brought under a managed arrangement
}

// MaxGainPence is the largest amount any gain may be (£1,000,000): more is
// a mistake in typing, not a gain.
const MaxGainPence int64 = 100_000_000

// GainField is one amount of a Gain: its key (the form field, the API's
// JSON name without "_pence", and the field named in errors) and its label.
type GainField struct {
	Key   string
	Label string
}

// GainFields lists a Gain's amounts in the order forms show them.
var GainFields = []GainField{
	{"gain_weekly_income", "Weekly income gained"},
	{"gain_one_off_income", "One-off income gained"},
	{"gain_debt_written_off", "Debt written off"},
	{"gain_debt_managed", "Debt managed"},
}

// Get returns the amount (pence) of the field with key k.
func (g Gain) Get(k string) int64 {
	switch k {
	case "gain_weekly_income":
		return g.WeeklyIncome
	case "gain_one_off_income":
		return g.OneOffIncome
	case "gain_debt_written_off":
		return g.DebtWrittenOff
	case "gain_debt_managed":
		return g.DebtManaged
	}
	return 0
}

// Set sets the amount (pence) of the field with key k.
func (g *Gain) Set(k string, pence int64) {
	switch k {
	case "gain_weekly_income":
		g.WeeklyIncome = pence
	case "gain_one_off_income":
		g.OneOffIncome = pence
	case "gain_debt_written_off":
		g.DebtWrittenOff = pence
	case "gain_debt_managed":
		g.DebtManaged = pence
	}
}

// IsZero reports whether no gain is recorded.
func (g Gain) IsZero() bool { return g == Gain{} }

// Check refuses a negative amount or one above MaxGainPence, naming the
// field.
func (g Gain) Check() []FieldError {
	var fields []FieldError
	for _, f := range GainFields {
		if fe, bad := f.check(g.Get(f.Key)); bad {
			fields = append(fields, fe)
		}
	}
	return fields
}

// check refuses an amount of this field that is negative or above
// MaxGainPence.
func (f GainField) check(pence int64) (FieldError, bool) {
	switch {
	case pence < 0:
		return FieldError{Field: f.Key, Message: f.Label + " cannot be negative"}, true
	case pence > MaxGainPence:
		return FieldError{Field: f.Key, Message: f.Label + " must be £1,000,000 or less"}, true
	}
	return FieldError{}, false
}

// ParseGain reads a Gain from a form's pound amounts, by GainFields key
// (blank means none). Every amount that is not money, or is out of range
// (the rule Gain.Check applies when the referral is completed), is named
// in the field errors, in the form's order, so the adviser hears of every
// problem at once.
func ParseGain(value func(key string) string) (Gain, []FieldError) {
	var g Gain
	var fields []FieldError
	for _, f := range GainFields {
		p, err := ParsePounds(value(f.Key))
		if err != nil {
			msg := f.Label + " must be an amount in pounds, like 125.50"
			var comma *decimalCommaError
			if errors.As(err, &comma) {
				msg += " (use a point for pence: " + comma.point + ")"
			}
			fields = append(fields, FieldError{Field: f.Key, Message: msg})
			continue
		}
		if fe, bad := f.check(p); bad {
			fields = append(fields, fe)
		}
		g.Set(f.Key, p)
	}
	return g, fields
}

// decimalCommaError is ParsePounds' answer to pence written after a comma
// ("12,50"), as many advisers write them: read as thousands it would be a
// hundred times the gain, so it is refused, with point the amount written
// with a point ("12.50") for the form to suggest.
type decimalCommaError struct{ in, point string }

func (e *decimalCommaError) Error() string {
	return fmt.Sprintf("%q is not an amount in pounds: pence go after a point (%s)", e.in, e.point)
}

// ParsePounds reads an amount of money in pounds ("125", "£1,250.50") as
// pence; blank is 0. Commas are read only as thousands separators, every
// three digits left of the point ("1,250", "12,500.50"): "12,50" and
// "1,5,0,0" are refused, not read as £1,250 and £1,500. A minus sign is kept
// so the range check can say what is wrong.
func ParsePounds(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	s = strings.TrimPrefix(strings.TrimSpace(s), "£")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if strings.Contains(whole, ",") {
		digits, ok := thousands(whole)
		if !ok {
			if before, after, one := strings.Cut(whole, ","); one && !hasFrac && isDigits(before) && before != "" &&
				isDigits(after) && len(after) >= 1 && len(after) <= 2 {
				return 0, &decimalCommaError{in: s, point: before + "." + after}
			}
			return 0, fmt.Errorf("%q is not an amount in pounds", s)
		}
		whole = digits
	}
	if whole == "" && !hasFrac || len(whole) > 12 || len(frac) > 2 || hasFrac && frac == "" ||
		!isDigits(whole) || !isDigits(frac) {
		return 0, fmt.Errorf("%q is not an amount in pounds", s)
	}
	var pounds, pence int64
	if whole != "" {
		pounds, _ = strconv.ParseInt(whole, 10, 64)
	}
	if frac != "" {
		pence, _ = strconv.ParseInt((frac + "0")[:2], 10, 64)
	}
	p := pounds*100 + pence
	if neg {
		p = -p
	}
	return p, nil
}

// thousands reads whole pounds grouped by commas ("1,250,000"): one to
// three digits, then groups of exactly three, each after a comma. It
// returns the digits without their commas.
func thousands(s string) (string, bool) {
	groups := strings.Split(s, ",")
	if len(groups[0]) < 1 || len(groups[0]) > 3 || !isDigits(groups[0]) {
		return "", false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 || !isDigits(g) {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

// isDigits reports whether s holds only the digits 0–9 (true when empty).
func isDigits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

// FormatPounds writes pence as pounds for people: "£1,250" or "£1,250.50".
func FormatPounds(pence int64) string {
	sign := ""
	if pence < 0 {
		sign, pence = "-", -pence
	}
	whole := strconv.FormatInt(pence/100, 10)
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := sign + "£" + b.String()
	if pence%100 != 0 {
		out += fmt.Sprintf(".%02d", pence%100)
	}
	return out
}

// PoundsInput writes pence as a form's pound amount ("" for none), so a
// form sent back with errors keeps what was typed.
func PoundsInput(pence int64) string {
	if pence == 0 {
		return ""
	}
	if pence%100 == 0 {
		return strconv.FormatInt(pence/100, 10)
	}
	return fmt.Sprintf("%d.%02d", pence/100, pence%100)
}

// GainNeeds are the needs whose advice can bring a financial gain: a
// referral asking for any of them offers the gain fields on completion.
var GainNeeds = []Need{NeedDebt, NeedBenefits, NeedIncomeMax}

// NeedsOfferGain reports whether a referral for these needs records a
// financial gain when it is completed.
func NeedsOfferGain(needs []Need) bool {
	for _, n := range needs {
		if slices.Contains(GainNeeds, n) {
			return true
		}
	}
	return false
}

// OffersGain reports whether completing the referral may record a
// financial gain (it asks for money, benefits or debt advice).
func (r Referral) OffersGain() bool { return NeedsOfferGain(r.Needs) }

// Gain is the financial gain recorded when the referral was completed.
func (r Referral) Gain() Gain {
	v := func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
	return Gain{WeeklyIncome: v(r.GainWeeklyIncomePence), OneOffIncome: v(r.GainOneOffIncomePence),
		DebtWrittenOff: v(r.GainDebtWrittenOffPence), DebtManaged: v(r.GainDebtManagedPence)}
}

// gainColumn is an amount as stored: NULL when none was recorded.
func gainColumn(p int64) *int64 {
	if p == 0 {
		return nil
	}
	return &p
}
