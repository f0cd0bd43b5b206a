package web

import (
	"net/http"
	"strconv"

	"github.com/onward-network/onward/core"
)

// directoryService is a service's page: what it offers, to whom, where,
// in which languages, when, how to get in touch, whether it is taking
// referrals, "refer myself to this service" and "text me this service".
// Its address carries the service's UUID, the same as in the Open
// Referral feed; an older numeric address moves there.
func (w *Web) directoryService(rw http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if n, err := strconv.ParseInt(id, 10, 64); err == nil && n > 0 {
		s, err := w.engine.Service(r.Context(), core.ServiceID(n))
		if err != nil {
			w.directoryPageError(rw, r, err)
			return
		}
		http.Redirect(rw, r, pathDirectory+"/services/"+s.UUID, http.StatusMovedPermanently)
		return
	}
	s, err := w.engine.ServiceByUUID(r.Context(), id)
	if err != nil {
		w.directoryPageError(rw, r, err)
		return
	}
	w.renderService(rw, r, s, http.StatusOK, nil, r.URL.Query().Get("sent") == "1")
}

// servicePage is a service's page data: the service, and the state of its
// "text me this service" form.
type servicePage struct {
	serviceView
	Sent bool // the text was sent
}

func (w *Web) renderService(rw http.ResponseWriter, r *http.Request, s core.Service, status int, errs []formError, sent bool) {
	a, err := w.engine.Agency(r.Context(), s.AgencyID)
	if err != nil {
		w.directoryPageError(rw, r, err)
		return
	}
	switch {
	case a.RetiredAt != nil:
		// Closed for good with its agency: said as on the agency's page.
		w.retiredAgency(rw, r, a)
		return
	case !s.Active:
		w.notFound(rw, r)
		return
	}
	p := w.page(r, nil)
	p.NoIndex = sent || errs != nil
	p.Back = pathDirectory
	p.Errors = errs
	p.Data = servicePage{serviceView: w.serviceView(s, a, w.requestLang(r, nil)), Sent: sent}
	if errs == nil && !sent {
		rw.Header().Set("Cache-Control", "public, max-age=60")
	}
	w.render(rw, r, status, "directory/service", p)
}
