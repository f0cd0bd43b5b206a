package bot

import "net/http"

// WebRoutes adds the staff web's pages beside the inbox: refer a client,
// referrals we sent, and administration.
func (b *Bot) WebRoutes(mux *http.ServeMux) {
	staff := func(pattern string, h http.Handler) { mux.Handle(pattern, staffHeaders(h)) }
	staff("GET /staff/sent", b.signedIn(b.sentPage))
	staff("POST /staff/sent", b.signedIn(b.listSearch("/staff/sent")))
	staff("GET /staff/refer", b.signedIn(b.referPage))
	staff("POST /staff/refer", b.signedIn(b.referSubmit))
	staff("GET /staff/admin/staff", b.signedIn(b.coordinatorsOnly("staff", b.adminStaff)))
	staff("POST /staff/admin/staff", b.signedIn(b.coordinatorsOnly("staff", b.inviteStaff)))
	staff("POST /staff/admin/staff/{id}/{action}", b.signedIn(b.coordinatorsOnly("staff", b.changeStaff)))
	staff("GET /staff/admin/agencies", b.signedIn(b.coordinatorsOnly("agencies", b.adminAgencies)))
	staff("GET /staff/admin/agencies/new", b.signedIn(b.coordinatorsOnly("agencies", b.newAgencyForm)))
	staff("POST /staff/admin/agencies/new", b.signedIn(b.coordinatorsOnly("agencies", b.createAgency)))
	staff("POST /staff/admin/agencies/{id}/retire", b.signedIn(b.coordinatorsOnly("agencies", b.retireAgency)))
	staff("POST /staff/admin/agencies/{id}/unretire", b.signedIn(b.coordinatorsOnly("agencies", b.unretireAgency)))
	staff("GET /staff/our-services", b.signedIn(b.ownServices))
	staff("GET /staff/our-services/{id}", b.signedIn(b.ownServiceForm))
	staff("POST /staff/our-services/{id}", b.signedIn(b.saveOwnService))
}
