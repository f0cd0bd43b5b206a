package core

import "github.com/nyaruka/phonenumbers"

// National is the number as people in its country write it ("07700
// 900123"); a number from abroad keeps its international form.
func (p Phone) National() string {
	if p == "" {
		return ""
	}
	n, err := phonenumbers.Parse(string(p), "GB")
	if err != nil {
		return string(p)
	}
	if n.GetCountryCode() != 44 {
		return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
	}
	if dramaPhone(p) {
		// Ofcom's drama ranges are not in libphonenumber's metadata, which
		// would not space them.
		s := "0" + string(p[3:])
		return s[:5] + " " + s[5:]
	}
	return phonenumbers.Format(n, phonenumbers.NATIONAL)
}

// TelURI is the number as a tel: link, which phones and softphones dial.
func (p Phone) TelURI() string { return "tel:" + string(p) }
