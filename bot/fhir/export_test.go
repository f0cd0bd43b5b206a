package fhir

import "github.com/onward-network/onward/core"

// SetClientReferralsPage sets how many referrals a client's referrals
// are read in at a time, so a test can make a few referrals span pages,
// and returns a func that puts it back.
func SetClientReferralsPage(n int) (restore func()) {
	old := clientReferralsPage
	clientReferralsPage = n
	return func() { clientReferralsPage = old }
}

// HasParticipationMode reports whether a way of agreeing has a v3
// ParticipationMode code.
func HasParticipationMode(how core.ConsentHow) bool {
	_, ok := participationModes[how]
	return ok
}
