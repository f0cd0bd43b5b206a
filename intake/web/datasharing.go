package web

import (
	"net/http"

	"github.com/onward-network/onward/core"
)

// dataSharingData is the public page on how a client's details are shared:
// the consent wording clients agree to now, and the member agencies.
type dataSharingData struct {
	Wording  core.ConsentWording
	Agencies []core.Agency
	// WithdrawKeyword is the word a client texts to withdraw ("" when the
	// network has none); the page also links to /withdraw.
	WithdrawKeyword string
}

// dataSharing explains, in plain words and the client's language, what
// happens to the details a client gives, as the system enforces it. The consent page links here
// (the network's data sharing URL points at it in the demo).
func (w *Web) dataSharing(rw http.ResponseWriter, r *http.Request) {
	wording, err := w.engine.CurrentConsentWording(r.Context())
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	agencies, err := w.engine.Agencies(r.Context())
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	dp, err := w.engine.DataProtection(r.Context())
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	p := w.page(r, nil)
	p.NoIndex = false
	if t, err := w.engine.ConsentWordingIn(r.Context(), wording.Version, p.Lang.Code); err == nil {
		wording = t // the network's translation, or the English when it has none
	}
	p.Data = dataSharingData{Wording: wording, Agencies: agencies, WithdrawKeyword: dp.WithdrawKeyword}
	rw.Header().Set("Cache-Control", "public, max-age=300")
	w.render(rw, r, http.StatusOK, "web/data-sharing", p)
}
