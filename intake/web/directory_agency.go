package web

import (
	"net/http"
)

// directoryAgency is an agency's page: who they are, how to reach them,
// whether they are taking referrals, and their services.
func (w *Web) directoryAgency(rw http.ResponseWriter, r *http.Request) {
	a, err := w.engine.AgencyBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		w.directoryPageError(rw, r, err)
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
	p.Data = w.agencyView(a, services, nil)
	rw.Header().Set("Cache-Control", "public, max-age=60")
	w.render(rw, r, http.StatusOK, "directory/agency", p)
}
