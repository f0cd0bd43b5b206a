package bot

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/templates"
)

// The directory pages let coordinators keep the public directory right:
// /staff/directory lists every agency's services, and each service has
// an edit form. Saving goes through core, which checks the role, audits
// the change, and matching uses it at once.

// DirectoryRoutes adds the directory editing pages to mux, behind the
// staff sign-in.
func (b *Bot) DirectoryRoutes(mux *http.ServeMux) {
	staff := func(pattern string, h http.Handler) { mux.Handle(pattern, staffHeaders(h)) }
	staff("GET /staff/directory", b.signedIn(b.coordinatorsOnly("directory", b.directoryIndex)))
	staff("GET /staff/directory/services/{id}", b.signedIn(b.coordinatorsOnly("directory", b.serviceForm)))
	staff("POST /staff/directory/services/{id}", b.signedIn(b.coordinatorsOnly("directory", b.saveService)))
	staff("GET /staff/directory/agencies/{id}", b.signedIn(b.coordinatorsOnly("directory", b.agencyForm)))
	staff("POST /staff/directory/agencies/{id}", b.signedIn(b.coordinatorsOnly("directory", b.saveAgency)))
	staff("POST /staff/directory/services/{id}/referable", b.signedIn(b.coordinatorsOnly("directory", b.setReferable)))
}

// setReferable enables a service for referrals (an imported one waits
// for this) or stops referrals to it; core checks the role and audits.
func (b *Bot) setReferable(w http.ResponseWriter, r *http.Request, s session) {
	svc, _, ok := b.serviceFor(w, r, s)
	if !ok {
		return
	}
	on := r.PostFormValue("referable") == "yes"
	if err := b.engine.SetReferable(r.Context(), svc.ID, on, s.staff.Actor()); err != nil {
		b.refused(w, r, s, err)
		return
	}
	done := "referable-off"
	if on {
		done = "referable-on"
	}
	http.Redirect(w, r, "/staff/directory?done="+done+"&name="+url.QueryEscape(svc.Name), http.StatusSeeOther)
}

// directoryView is what the directory pages show.
type directoryView struct {
	// What the staff layout reads.
	Title, Error, Done, DoneRef, DoneWords string
	Staff                                  *core.Staff
	CSRF                                   string

	Agencies []directoryAgency
	Service  *core.Service
	Edit     *core.Agency // the agency whose details are being edited
	Details  agencyForm
	Agency   string
	Form     serviceForm
	Errors   []fieldProblem
	Invalid  map[string]string // form field name → its problem
	Needs    []needOption
	Own      bool // an agency keeping its own entry (/staff/our-services)
	// HoursUnread: the service was just saved with opening hours the
	// directory cannot read as days and times (core.OpeningHoursUnread).
	HoursUnread bool
	Edited      map[core.ServiceID]time.Time // services their own agency changed since a coordinator saved them
	Waiting     []waitingService             // services matching does not offer (imported ones wait here)
	Now         time.Time
}

// names reports whether name is the name of an agency or a service the
// page lists: a "saved" notice names one of them, never words from the
// address, which anyone can write into a link.
func (v directoryView) names(name string) bool {
	for _, da := range v.Agencies {
		if da.Agency.Name == name || slices.ContainsFunc(da.Services, func(s core.Service) bool { return s.Name == name }) {
			return true
		}
	}
	return false
}

// fieldProblem is one line of the error summary, linked to its field.
type fieldProblem struct{ Field, Message string }

// agencyForm is the agency details form as typed.
type agencyForm struct {
	Name, Description, Phone, Email, Website, Address, AckTargetHours string
	AcceptsSelfReferrals                                              bool
	// Where its notifications go by email: a shared address, and when
	// its staff are emailed at their own (core.StaffEmailChoices).
	NotifyEmail, EmailStaff string
}

// agencyFields maps core's field labels to the agency form's field names.
var agencyFields = map[string]string{"name": "name", "description": "description", "phone": "phone",
	"email": "email", "website": "website", "address": "address", "acknowledgement target": "ack_target_hours",
	"notify email": "notify_email", "email staff": "email_staff"}

// serviceFields maps core's field labels to the form's field names.
var serviceFields = map[string]string{"service name": "name", "description": "description", "needs": "needs",
	"eligibility": "eligibility", "postcode districts": "districts", "council areas": "council_areas",
	"languages": "languages", "opening hours": "opening_hours"}

// waitingService is a service that is not referable, with its agency.
type waitingService struct {
	core.Service
	Agency string
}

type directoryAgency struct {
	Agency   core.Agency
	Services []core.Service
}

// serviceForm is the edit form as typed.
type serviceForm struct {
	Name, Description, Eligibility, Districts, CouncilAreas, Languages, OpeningHours string
}

type needOption struct {
	Value, Label string
	Checked      bool
}

var directoryPages = sync.OnceValue(func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"directory", "directory_service", "directory_agency"} {
		out[name] = template.Must(template.New(name).Funcs(htmlFuncs).Funcs(webFuncs).ParseFS(templates.FS,
			"html/staff/layout.html", "html/staff/card.html", "html/staff/"+name+".html"))
	}
	return out
})

func (b *Bot) renderDirectory(w http.ResponseWriter, status int, name string, v directoryView) {
	b.writeLayout(w, status, directoryPages()[name], name, v)
}

// coordinatorsOnly refuses the page to anyone who does not coordinate,
// saying what it is for: what names its words (web.coordinators.*).
func (b *Bot) coordinatorsOnly(what string, h staffHandler) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, s session) {
		if b.notCoordinator(w, s, what) {
			return
		}
		h(w, r, s)
	}
}

// notCoordinator answers a member of staff who does not coordinate with
// the "Coordinators only" page, saying what the page or form they asked
// for is for (what names its words, web.coordinators.*) and whom to ask,
// and reports whether it did. Every page for coordinators alone is
// refused with it, before anything is read.
func (b *Bot) notCoordinator(w http.ResponseWriter, s session, what string) bool {
	if coordinates(s.staff) {
		return false
	}
	b.message(w, http.StatusForbidden, &s.staff, s.csrf, sayWeb("web.coordinators.title", nil), sayWeb("web.coordinators."+what, nil))
	return true
}

func (b *Bot) directoryIndex(w http.ResponseWriter, r *http.Request, s session) {
	agencies, err := b.engine.Agencies(r.Context())
	if err != nil {
		b.refused(w, r, s, err)
		return
	}
	services, err := b.engine.Services(r.Context(), 0)
	if err != nil {
		b.refused(w, r, s, err)
		return
	}
	v := directoryView{Title: sayWeb("web.directory.title", nil), Staff: &s.staff, CSRF: s.csrf, Done: r.URL.Query().Get("done"), Now: b.clock.Now()}
	if v.Edited, err = b.engine.AgencyEdits(r.Context()); err != nil {
		b.refused(w, r, s, err)
		return
	}
	for _, a := range agencies {
		da := directoryAgency{Agency: a}
		for _, svc := range services {
			if svc.AgencyID == a.ID {
				da.Services = append(da.Services, svc)
			}
		}
		v.Agencies = append(v.Agencies, da)
	}
	for _, da := range v.Agencies {
		for _, svc := range da.Services {
			if !svc.Referable {
				v.Waiting = append(v.Waiting, waitingService{Service: svc, Agency: da.Agency.Name})
			}
		}
	}
	if name := r.URL.Query().Get("name"); (v.Done == "service-saved" || v.Done == "agency-saved" || v.Done == "referable-on" || v.Done == "referable-off") && v.names(name) {
		v.DoneRef = name
	} else {
		v.Done = ""
	}
	b.renderDirectory(w, http.StatusOK, "directory", v)
}

func (b *Bot) serviceForm(w http.ResponseWriter, r *http.Request, s session) {
	svc, agency, ok := b.serviceFor(w, r, s)
	if !ok {
		return
	}
	form := serviceForm{Name: svc.Name, Description: svc.Description, Eligibility: svc.Eligibility,
		Districts: strings.Join(svc.PostcodeDistricts, " "), CouncilAreas: strings.Join(core.CouncilAreaNames(svc.CouncilAreas), ", "),
		Languages: strings.Join(svc.Languages, " "), OpeningHours: svc.OpeningHours}
	v := b.serviceView(s, svc, agency, form, svc.Needs, nil)
	v.Own = strings.HasPrefix(r.URL.Path, "/staff/our-services/")
	if r.URL.Query().Get("done") == "service-saved" {
		// Back from saving hours the directory cannot read (saveService):
		// the hours stored say so, not the link.
		v.Done, v.DoneRef = "service-saved", svc.Name
		v.HoursUnread = core.OpeningHoursUnread(svc.OpeningHours)
	}
	b.renderDirectory(w, http.StatusOK, "directory_service", v)
}

func (b *Bot) saveService(w http.ResponseWriter, r *http.Request, s session) {
	svc, agency, ok := b.serviceFor(w, r, s)
	if !ok {
		return
	}
	form := serviceForm{Name: strings.TrimSpace(r.PostFormValue("name")), Description: strings.TrimSpace(r.PostFormValue("description")),
		Eligibility: strings.TrimSpace(r.PostFormValue("eligibility")), Districts: r.PostFormValue("districts"),
		CouncilAreas: r.PostFormValue("council_areas"), Languages: r.PostFormValue("languages"),
		OpeningHours: strings.TrimSpace(r.PostFormValue("opening_hours"))}
	var needs []core.Need
	var errs []core.FieldError
	for _, v := range r.PostForm["needs"] {
		n, err := core.ParseNeed(v)
		if err != nil {
			errs = append(errs, core.FieldError{Field: "needs", Message: "choose needs from the list"})
			break
		}
		needs = append(needs, n)
	}
	if len(errs) == 0 {
		err := b.engine.UpdateService(r.Context(), svc.ID, core.NewService{AgencyID: svc.AgencyID, Name: form.Name,
			Description: form.Description, Needs: needs, Eligibility: form.Eligibility, PostcodeDistricts: words(form.Districts),
			CouncilAreas: core.SplitCouncilAreas(form.CouncilAreas), Languages: words(form.Languages), OpeningHours: form.OpeningHours}, s.staff.Actor())
		var invalid *core.ValidationError
		switch {
		case errors.As(err, &invalid):
			errs = invalid.Fields
		case err != nil:
			b.refused(w, r, s, err)
			return
		}
	}
	if len(errs) > 0 {
		v := b.serviceView(s, svc, agency, form, needs, errs)
		v.Own = strings.HasPrefix(r.URL.Path, "/staff/our-services/")
		b.renderDirectory(w, http.StatusUnprocessableEntity, "directory_service", v)
		return
	}
	list := "/staff/directory"
	if strings.HasPrefix(r.URL.Path, "/staff/our-services/") {
		list = "/staff/our-services"
	}
	if core.OpeningHoursUnread(form.OpeningHours) {
		// Saved, words and all; but the directory cannot tell when the
		// service is open, so the service's own form says so, beside
		// the hours as written.
		http.Redirect(w, r, r.URL.Path+"?done=service-saved", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, list+"?done=service-saved&name="+url.QueryEscape(form.Name), http.StatusSeeOther)
}

// serviceFor loads the service named in the path, or answers with why not.
func (b *Bot) serviceFor(w http.ResponseWriter, r *http.Request, s session) (core.Service, core.Agency, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		b.message(w, http.StatusNotFound, &s.staff, s.csrf, sayWeb("web.directory.missing.title", nil), sayWeb("web.directory.missing", nil))
		return core.Service{}, core.Agency{}, false
	}
	svc, err := b.engine.Service(r.Context(), core.ServiceID(id))
	if errors.Is(err, core.ErrNotFound) {
		b.message(w, http.StatusNotFound, &s.staff, s.csrf, sayWeb("web.directory.missing.title", nil), sayWeb("web.directory.missing", nil))
		return core.Service{}, core.Agency{}, false
	}
	if err != nil {
		b.refused(w, r, s, err)
		return core.Service{}, core.Agency{}, false
	}
	a, err := b.engine.Agency(r.Context(), svc.AgencyID)
	if err != nil {
		b.refused(w, r, s, err)
		return core.Service{}, core.Agency{}, false
	}
	return svc, a, true
}

func (b *Bot) serviceView(s session, svc core.Service, a core.Agency, form serviceForm, needs []core.Need, errs []core.FieldError) directoryView {
	v := directoryView{Title: svc.Name, Staff: &s.staff, CSRF: s.csrf, Service: &svc, Agency: a.Name, Form: form}
	v.setErrors(errs, serviceFields)
	for _, n := range core.Needs {
		v.Needs = append(v.Needs, needOption{Value: string(n), Label: n.Label(), Checked: slices.Contains(needs, n)})
	}
	return v
}

// words splits a list typed with spaces or commas.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// setErrors fills the error summary and the per-field messages, mapping
// core's field labels to form field names (the first field when unknown).
func (v *directoryView) setErrors(errs []core.FieldError, fields map[string]string) {
	v.Invalid = map[string]string{}
	for _, e := range errs {
		label, _, _ := strings.Cut(e.Field, "[")
		name, ok := fields[label]
		if !ok {
			name = "name"
		}
		if _, seen := v.Invalid[name]; !seen {
			fp := problem(name, e.Message)
			v.Invalid[name] = fp.Message
			v.Errors = append(v.Errors, fp)
		}
	}
}

func (b *Bot) agencyForm(w http.ResponseWriter, r *http.Request, s session) {
	a, ok := b.agencyFor(w, r, s)
	if !ok {
		return
	}
	form := agencyForm{Name: a.Name, Description: a.Description, Phone: a.Phone, Email: a.Email, Website: a.Website,
		Address: a.Address, AckTargetHours: strconv.Itoa(a.AckTargetHours), AcceptsSelfReferrals: a.AcceptsSelfReferrals,
		NotifyEmail: a.NotifyEmail, EmailStaff: a.EmailStaff}
	b.renderDirectory(w, http.StatusOK, "directory_agency", b.agencyView(s, a, form, nil))
}

func (b *Bot) saveAgency(w http.ResponseWriter, r *http.Request, s session) {
	a, ok := b.agencyFor(w, r, s)
	if !ok {
		return
	}
	form := agencyForm{Name: strings.TrimSpace(r.PostFormValue("name")), Description: strings.TrimSpace(r.PostFormValue("description")),
		Phone: strings.TrimSpace(r.PostFormValue("phone")), Email: strings.TrimSpace(r.PostFormValue("email")),
		Website: strings.TrimSpace(r.PostFormValue("website")), Address: strings.TrimSpace(r.PostFormValue("address")),
		AckTargetHours: strings.TrimSpace(r.PostFormValue("ack_target_hours")), AcceptsSelfReferrals: r.PostFormValue("accepts_self_referrals") == "yes",
		NotifyEmail: strings.TrimSpace(r.PostFormValue("notify_email")), EmailStaff: r.PostFormValue("email_staff")}
	if form.EmailStaff == "" {
		form.EmailStaff = a.EmailStaff // a form from before the setting keeps it
	}
	notifications := core.AgencyNotifications{NotifyEmail: form.NotifyEmail, EmailStaff: form.EmailStaff}
	var invalid *core.ValidationError
	if err := notifications.Validate(); errors.As(err, &invalid) {
		b.renderDirectory(w, http.StatusUnprocessableEntity, "directory_agency", b.agencyView(s, a, form, invalid.Fields))
		return
	}
	hours, err := strconv.Atoi(form.AckTargetHours)
	if err != nil {
		b.renderDirectory(w, http.StatusUnprocessableEntity, "directory_agency", b.agencyView(s, a, form,
			[]core.FieldError{{Field: "acknowledgement target", Message: "enter the acknowledgement target as a whole number of working hours, like 16"}}))
		return
	}
	var changed *core.AgencyNotifications
	if form.NotifyEmail != a.NotifyEmail || form.EmailStaff != a.EmailStaff {
		changed = &notifications
	}
	// Both in one transaction: a refused notifications change (nobody
	// there would be told of a new referral) saves no details either.
	err = b.engine.SaveAgency(r.Context(), a.ID, core.AgencyDetails{Name: form.Name, Description: form.Description,
		Phone: form.Phone, Email: form.Email, Website: form.Website, Address: form.Address, AckTargetHours: hours,
		AcceptsSelfReferrals: form.AcceptsSelfReferrals}, changed, s.staff.Actor())
	switch {
	case errors.As(err, &invalid):
		b.renderDirectory(w, http.StatusUnprocessableEntity, "directory_agency", b.agencyView(s, a, form, invalid.Fields))
		return
	case err != nil:
		b.refused(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/staff/directory?done=agency-saved&name="+url.QueryEscape(form.Name), http.StatusSeeOther)
}

// agencyFor loads the agency named in the path, or answers with why not.
func (b *Bot) agencyFor(w http.ResponseWriter, r *http.Request, s session) (core.Agency, bool) {
	return b.agencyByID(w, r, s, r.PathValue("id"))
}

// agencyByID loads the agency whose id is raw (from a path or a form), or
// answers with why not.
func (b *Bot) agencyByID(w http.ResponseWriter, r *http.Request, s session, raw string) (core.Agency, bool) {
	id, err := strconv.ParseInt(raw, 10, 64)
	var a core.Agency
	if err == nil && id > 0 {
		a, err = b.engine.Agency(r.Context(), core.AgencyID(id))
	} else {
		err = core.ErrNotFound
	}
	if errors.Is(err, core.ErrNotFound) {
		b.message(w, http.StatusNotFound, &s.staff, s.csrf, sayWeb("web.directory.missing.title", nil), sayWeb("web.directory.agency_missing", nil))
		return a, false
	}
	if err != nil {
		b.refused(w, r, s, err)
		return a, false
	}
	return a, true
}

func (b *Bot) agencyView(s session, a core.Agency, form agencyForm, errs []core.FieldError) directoryView {
	v := directoryView{Title: a.Name, Staff: &s.staff, CSRF: s.csrf, Edit: &a, Details: form}
	v.setErrors(errs, agencyFields)
	return v
}

// EditedAgo says how long ago the service's own agency changed it, or ""
// when a coordinator has saved it since.
func (v directoryView) EditedAgo(id core.ServiceID) string {
	at, ok := v.Edited[id]
	if !ok {
		return ""
	}
	return ago(at, v.Now)
}
