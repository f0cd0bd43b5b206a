package web

import (
	"net/http"
	"strconv"

	"github.com/onward-network/onward/core"
)

// directoryService is a service's page: what it offers, to whom, where,
// in which languages, when, how to get in touch, whether it is taking
// referrals, and "refer myself to this service".
func (w *Web) directoryService(rw http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		w.notFound(rw, r)
		return
	}
	s, err := w.engine.Service(r.Context(), core.ServiceID(id))
	if err != nil {
		w.directoryPageError(rw, r, err)
		return
	}
	if !s.Active {
		w.notFound(rw, r)
		return
	}
	a, err := w.engine.Agency(r.Context(), s.AgencyID)
	if err != nil {
		w.directoryPageError(rw, r, err)
		return
	}
	p := w.page(r, nil)
	p.NoIndex = false
	p.Back = pathDirectory
	p.Data = w.serviceView(s, a)
	rw.Header().Set("Cache-Control", "public, max-age=60")
	w.render(rw, r, http.StatusOK, "directory/service", p)
}
