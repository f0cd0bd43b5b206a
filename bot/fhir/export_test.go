package fhir

// SetClientReferralsPage sets how many referrals a client's referrals
// are read in at a time, so a test can make a few referrals span pages,
// and returns a func that puts it back.
func SetClientReferralsPage(n int) (restore func()) {
	old := clientReferralsPage
	clientReferralsPage = n
	return func() { clientReferralsPage = old }
}
