package bot

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/templates"
)

// The partners page lets coordinators see, add and revoke the partner
// systems that use the partner API and FHIR, and see each one's webhook
// subscriptions: the id `onward partner webhook-resume` takes, where
// events go, and whether deliveries are paused. A new partner's secret is
// shown on the page that confirms it, once. An agency that has left the
// network is not offered, and core refuses it if posted.

// PartnerRoutes adds the partners page to mux, behind the staff sign-in,
// for coordinators.
func (b *Bot) PartnerRoutes(mux *http.ServeMux) {
	staff := func(pattern string, h http.Handler) { mux.Handle(pattern, staffHeaders(h)) }
	staff("GET /staff/partners", b.signedIn(b.coordinatorsOnly("partners", b.partnersPage)))
	staff("POST /staff/partners", b.signedIn(b.coordinatorsOnly("partners", b.addPartner)))
	staff("POST /staff/partners/{id}/revoke", b.signedIn(b.coordinatorsOnly("partners", b.revokePartner)))
}

type partnerRow struct {
	Partner       core.Partner
	Agency        string
	Scopes        string
	Subscriptions []core.WebhookSubscription // live ones, oldest first
	// AgencyLeft says the agency it acts for is retired: its credentials
	// are refused until the agency is brought back (core's rule).
	AgencyLeft bool
}

type partnersView struct {
	// What the staff layout reads.
	Title, Error, Done, DoneRef, DoneWords string
	Staff                                  *core.Staff
	CSRF                                   string

	Partners []partnerRow
	Agencies []core.Agency
	Errors   []fieldProblem
	Form     struct {
		Name   string
		Agency string
		Scopes []string
	}
	New *core.PartnerCredentials // just added: its secret, shown once
}

var partnerPages = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("partners").Funcs(htmlFuncs).ParseFS(templates.FS,
		"html/staff/layout.html", "html/staff/card.html", "html/staff/partners.html"))
})

func (b *Bot) partnersView(r *http.Request, s session) (partnersView, error) {
	v := partnersView{Title: "Partner systems", Staff: &s.staff, CSRF: s.csrf}
	ps, err := b.engine.Partners(r.Context())
	if err != nil {
		return v, err
	}
	if v.Agencies, err = b.engine.Agencies(r.Context()); err != nil {
		return v, err
	}
	names, retired := map[core.AgencyID]string{}, map[core.AgencyID]bool{}
	for _, a := range v.Agencies {
		names[a.ID] = a.Name
		if a.RetiredAt != nil {
			names[a.ID] += " (retired)"
			retired[a.ID] = true
		}
	}
	subs, err := b.engine.Subscriptions(r.Context(), 0)
	if err != nil {
		return v, err
	}
	byPartner := map[core.PartnerID][]core.WebhookSubscription{}
	for _, sub := range subs {
		byPartner[sub.PartnerID] = append(byPartner[sub.PartnerID], sub)
	}
	for _, p := range ps {
		row := partnerRow{Partner: p, Agency: "the whole network", Subscriptions: byPartner[p.ID]}
		if p.AgencyID != nil {
			row.Agency, row.AgencyLeft = names[*p.AgencyID], retired[*p.AgencyID]
		}
		ss := make([]string, len(p.Scopes))
		for i, sc := range p.Scopes {
			ss[i] = string(sc)
		}
		row.Scopes = strings.Join(ss, ", ")
		v.Partners = append(v.Partners, row)
	}
	return v, nil
}

func (b *Bot) partnersPage(w http.ResponseWriter, r *http.Request, s session) {
	v, err := b.partnersView(r, s)
	if err != nil {
		b.refused(w, r, s, err)
		return
	}
	if r.URL.Query().Get("done") == "revoked" {
		v.Done = "revoked"
	}
	b.writeLayout(w, http.StatusOK, partnerPages(), "partners", v)
}

func (b *Bot) addPartner(w http.ResponseWriter, r *http.Request, s session) {
	in := core.NewPartner{Name: strings.TrimSpace(r.PostFormValue("name"))}
	for _, sc := range r.PostForm["scopes"] {
		in.Scopes = append(in.Scopes, core.PartnerScope(sc))
	}
	agency := r.PostFormValue("agency")
	var err error
	if agency != "" && agency != "network" {
		// Not a number is a mistake, never the whole network.
		id, perr := strconv.ParseInt(agency, 10, 64)
		if perr != nil || id <= 0 {
			err = &core.ValidationError{Fields: []core.FieldError{{Field: "agency", Message: "choose an agency from the list, or the whole network"}}}
		}
		in.AgencyID = core.AgencyID(id)
	}
	// AddPartner refuses an agency that has left the network, on its
	// "agency" field, like any other mistake in the form.
	var c core.PartnerCredentials
	if err == nil {
		c, err = b.engine.AddPartner(r.Context(), in, s.staff.Actor())
	}
	v, verr := b.partnersView(r, s)
	if verr != nil {
		b.refused(w, r, s, verr)
		return
	}
	var invalid *core.ValidationError
	switch {
	case errors.As(err, &invalid):
		for _, f := range invalid.Fields {
			v.Errors = append(v.Errors, problem(f.Field, f.Message))
		}
		v.Form.Name, v.Form.Agency, v.Form.Scopes = in.Name, agency, r.PostForm["scopes"]
		b.writeLayout(w, http.StatusUnprocessableEntity, partnerPages(), "partners", v)
		return
	case err != nil:
		b.refused(w, r, s, err)
		return
	}
	v.New = &c
	w.Header().Set("Cache-Control", "no-store")
	b.writeLayout(w, http.StatusOK, partnerPages(), "partners", v)
}

func (b *Bot) revokePartner(w http.ResponseWriter, r *http.Request, s session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil {
		err = b.engine.RevokePartner(r.Context(), core.PartnerID(id), s.staff.Actor())
	}
	var bad *strconv.NumError
	if errors.As(err, &bad) || errors.Is(err, core.ErrNotFound) {
		// Not core's "That referral no longer exists": no referral is
		// concerned.
		b.message(w, http.StatusNotFound, &s.staff, s.csrf, "Not found", "That partner system is not in Onward.")
		return
	}
	if err != nil {
		b.refused(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/staff/partners?done=revoked", http.StatusSeeOther)
}
