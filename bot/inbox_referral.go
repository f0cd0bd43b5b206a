package bot

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/onward-network/onward/core"
)

// referralForm is what a referral page shows besides the card: an error
// from the last attempt and what was typed.
type referralForm struct {
	status int
	err    string
	fields map[string]string
	values formValues
}

// referralPage shows one referral's card with the reject, redirect or
// assign forms its status allows.
func (b *Bot) referralPage(w http.ResponseWriter, r *http.Request, s session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		b.message(w, http.StatusNotFound, &s.staff, s.csrf, sayWeb("web.notfound.title", nil), sayWeb("web.notfound", nil))
		return
	}
	b.showReferral(w, r, s, core.ReferralID(id), referralForm{status: http.StatusOK})
}

func (b *Bot) showReferral(w http.ResponseWriter, r *http.Request, s session, id core.ReferralID, f referralForm) {
	ctx := r.Context()
	ref, err := b.engine.Referral(ctx, id)
	if errors.Is(err, core.ErrNotFound) {
		b.message(w, http.StatusNotFound, &s.staff, s.csrf, sayWeb("web.notfound.title", nil), sayWeb("web.notfound", nil))
		return
	}
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	kind := KindAgency
	if ref.InTriage() {
		kind = KindTriage
	}
	v, err := buildView(ctx, b.engine, ref, kind)
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	item := cardItem{cardView: v, CSRF: s.csrf}
	p := page{Staff: &s.staff, CSRF: s.csrf, Card: &item, Error: f.err, Fields: f.fields, Form: f.values}
	for _, reason := range core.Reasons {
		p.Reasons = append(p.Reasons, reasonOption{Value: string(reason), Label: reason.Label()})
	}
	switch {
	case item.Has(string(btnRedirect)):
		p.Match, err = b.redirectChoices(ctx, ref)
	case item.Has(string(btnAssign)):
		p.Match, err = b.assignChoices(ctx, ref)
	}
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	b.renderPage(w, f.status, "referral", p)
}
