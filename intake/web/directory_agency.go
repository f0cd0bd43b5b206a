package web

import (
	"net/http"

	"github.com/onward-network/onward/core"
)

// directoryAgency is an agency's page: who they are, how to reach them,
// whether they are taking referrals, and their services. An agency that
// has left the network answers 410 Gone: its page existed, and a client
// following an old link or leaflet is told plainly that it is no longer
// part of the network and offered the directory instead (retiredAgency).
func (w *Web) directoryAgency(rw http.ResponseWriter, r *http.Request) {
	a, err := w.engine.AgencyBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		w.directoryPageError(rw, r, err)
		return
	}
	if a.RetiredAt != nil {
		w.retiredAgency(rw, r, a)
		return
	}
	services, err := w.engine.Services(r.Context(), a.ID)
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	p := w.page(r, nil)
	p.NoIndex = false
	p.Back = pathDirectory
	p.Data = w.agencyView(a, services, nil, w.requestLang(r, nil))
	rw.Header().Set("Cache-Control", "public, max-age=60")
	w.render(rw, r, http.StatusOK, "directory/agency", p)
}

// retiredAgency answers the page of an agency, or of one of its services,
// after the agency left the network: 410 Gone, its name and that it is no
// longer part of the network, none of its old contact details (nobody
// answers them for the network any more), and the directory's search.
func (w *Web) retiredAgency(rw http.ResponseWriter, r *http.Request, a core.Agency) {
	p := w.page(r, nil)
	p.Back = pathDirectory
	p.Data = agencyView{Agency: a}
	rw.Header().Set("Cache-Control", "public, max-age=60")
	w.render(rw, r, http.StatusGone, "directory/agency", p)
}
