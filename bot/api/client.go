package api

import (
	"net/http"

	"github.com/onward-network/onward/core"
)

// clientJSON is a client's details as given with a referral, as the
// receiving agency's casework system reads them so its staff need not
// type them in again. The members are a create request's (ClientRequest):
// a system reads back what it would send. A phone number that has since
// passed to someone else is left out and PhonePassedOn says so, so a
// missing phone is never mistaken for one the client did not give.
type clientJSON struct {
	ClientRequest
	// PhonePassedOn says the number given with this referral now belongs
	// to someone else (core.Client.PhonePassedOn): it is withheld, as it
	// is from staff, so nobody rings or texts a stranger.
	PhonePassedOn bool `json:"phone_passed_on"`
}

// clientOut is c as the API gives it, with the notes given with the
// referral (core.ReferralNotes, as staff see them), never the client
// record's, which may be another referral's.
func clientOut(c core.Client, notes string) clientJSON {
	return clientJSON{ClientRequest: ClientRequest{Name: c.Name, Phone: string(c.Phone), Email: c.Email,
		Postcode: string(c.Postcode), District: c.District, Town: c.Town, Notes: notes,
		PreferredContact: c.PreferredContact, ContactTime: c.ContactTime, Language: c.Language,
		InterpreterLanguage: c.InterpreterFor()}, PhonePassedOn: c.PhonePassedOn}
}

// getClient answers GET /api/v1/referrals/{reference}/client: the
// client's details given with the referral, through core's one
// disclosure rule (the partner asked as the staff it stands in for), every
// disclosure and refusal audited as via "api". Never cached on the way.
func (a *API) getClient(w http.ResponseWriter, r *http.Request, p core.Partner) {
	c, ref, err := a.engine.DiscloseClientByReference(r.Context(), pathReference(r), p.Actor(), "api")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	notes, err := a.engine.ReferralNotes(r.Context(), ref)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	noStore(w)
	writeJSON(w, http.StatusOK, clientOut(c, notes))
}
