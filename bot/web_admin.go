package bot

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/onward-network/onward/core"
)

// Administration for coordinators and admins: invite a member of staff,
// change a role, deactivate; add an agency with its first service, retire
// one, bring a retired one back. Every change goes through core, which
// checks the role and audits it.

// adminView is what the administration pages show.
type adminView struct {
	chrome
	StaffList []core.Staff
	Agencies  []core.Agency
	Roles     []option
	Options   []option // agencies to invite a member of staff to
	Invite    inviteForm
	Invited   *invited
	Agency    newAgencyForm
	Needs     []needOption
	// Retire is what retiring an agency will do, shown for the
	// coordinator to confirm before anything changes.
	Retire *core.Retirement
	// Unretire is what bringing a retired agency back will do, shown for
	// the coordinator to confirm: its services return, its former staff
	// stay deactivated.
	Unretire *core.Unretirement
	// Returned names the agency just brought back, for the page's notice.
	Returned string
	// CapacityNoteTyped is the note typed into CapacityNoteAgency's "Mark
	// at capacity" form when it came back refused (Invalid says why).
	CapacityNoteTyped  string
	CapacityNoteAgency core.AgencyID
}

// inviteForm is the invitation form as typed.
type inviteForm struct{ Name, Email, Role, Agency string }

// invited is what to tell a member of staff just added.
type invited struct {
	Name, Email, Agency string
	SignIn              string // where they sign in
	// Slack is whether Slack is configured: only then is signing in
	// there offered as another way in.
	Slack bool
}

// newAgencyForm is the add-an-agency form as typed.
type newAgencyForm struct {
	Name, Slug, Phone, Email, Website, Description, ServiceName, Districts, AckTargetHours string
	AcceptsSelfReferrals                                                                   bool
}

var inviteFields = map[string]string{"name": "name", "email": "email", "role": "role", "agency": "agency"}

var agencyAddFields = map[string]string{"short name": "slug", "name": "name", "phone": "phone", "email": "email",
	"website": "website", "description": "description", "acknowledgement target": "ack_target_hours",
	"service name": "service_name", "postcode districts": "districts", "needs": "needs"}

func (b *Bot) adminStaffView(r *http.Request, s session, f inviteForm) (adminView, error) {
	v := adminView{chrome: chrome{Title: "Staff", Staff: &s.staff, CSRF: s.csrf}, Invite: f}
	var err error
	if v.StaffList, err = b.engine.ListStaff(r.Context(), 0); err != nil {
		return v, err
	}
	agencies, err := b.engine.Agencies(r.Context())
	if err != nil {
		return v, err
	}
	if f.Agency == "" {
		f.Agency = strconv.FormatInt(int64(s.staff.AgencyID), 10)
	}
	for _, a := range agencies {
		if a.RetiredAt == nil {
			id := strconv.FormatInt(int64(a.ID), 10)
			v.Options = append(v.Options, option{Value: id, Label: a.Name, Selected: id == f.Agency})
		}
	}
	for _, role := range []core.Role{core.RoleAdviser, core.RoleCoordinator, core.RoleAdmin} {
		v.Roles = append(v.Roles, option{Value: string(role), Label: roleLabel(role), Selected: string(role) == f.Role})
	}
	switch d := r.URL.Query().Get("done"); d {
	case "role", "deactivated", "deactivated-last":
		// The address names the member of staff by id, not by name (a
		// person's name in an address reaches history and proxy logs).
		if id, err := strconv.ParseInt(r.URL.Query().Get("staff"), 10, 64); err == nil && id > 0 {
			if st, err := b.engine.StaffRecordByID(r.Context(), core.StaffID(id)); err == nil {
				v.Done, v.DoneRef = "staff-"+d, st.Name
			}
		}
	}
	return v, nil
}

func roleLabel(r core.Role) string {
	switch r {
	case core.RoleCoordinator:
		return "Coordinator"
	case core.RoleAdmin:
		return "Admin"
	}
	return "Adviser"
}

func (b *Bot) adminStaff(w http.ResponseWriter, r *http.Request, s session) {
	v, err := b.adminStaffView(r, s, inviteForm{Role: string(core.RoleAdviser)})
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	b.renderWeb(w, http.StatusOK, "admin_staff", v)
}

// inviteStaff adds a member of staff and shows the coordinator what to
// tell them; they sign in with their email address.
func (b *Bot) inviteStaff(w http.ResponseWriter, r *http.Request, s session) {
	f := inviteForm{Name: strings.TrimSpace(r.PostFormValue("name")), Email: strings.TrimSpace(r.PostFormValue("email")),
		Role: r.PostFormValue("role"), Agency: r.PostFormValue("agency")}
	agency, _ := strconv.ParseInt(f.Agency, 10, 64)
	// The invitation email (a sign-in link) is queued in the transaction
	// that adds them.
	id, err := b.engine.InviteStaff(r.Context(), core.NewStaff{AgencyID: core.AgencyID(agency), Name: f.Name,
		Email: f.Email, Role: core.Role(f.Role)}, s.staff.Actor(), func(id core.StaffID) (string, string, error) {
		return b.auth.loginLinkWithID(core.Staff{ID: id}, "")
	})
	v, verr := b.adminStaffView(r, s, f)
	if verr != nil {
		b.failed(w, &s, verr)
		return
	}
	var invalid *core.ValidationError
	switch {
	case errors.As(err, &invalid):
		fields := invalid.Fields
		for i, fe := range fields {
			if fe.Field == "agency" && strings.Contains(fe.Message, "required") {
				// Core's own words say why any other agency is refused
				// (it has left the network, it does not exist).
				fields[i].Message = "Choose the member of staff's agency"
			} else if fe.Field == "role" {
				fields[i].Message = "Choose a role"
			} else if fe.Field == "name" && strings.Contains(fe.Message, "required") {
				fields[i].Message = "Enter the member of staff's name"
			} else if fe.Field == "email" && strings.Contains(fe.Message, "required") {
				fields[i].Message = "Enter the member of staff's email address"
			} else if fe.Field == "email" && !strings.Contains(fe.Message, "already") {
				fields[i].Message = "Enter an email address like name@agency.org.uk"
			}
		}
		v.setFieldErrors(fields, inviteFields, "name")
		b.renderWeb(w, http.StatusUnprocessableEntity, "admin_staff", v)
		return
	case err != nil:
		b.refused(w, r, s, err)
		return
	}
	st, err := b.engine.StaffByID(r.Context(), id)
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	v, err = b.adminStaffView(r, s, inviteForm{Role: string(core.RoleAdviser)})
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	v.Invited = &invited{Name: st.Name, Email: st.Email, Agency: st.AgencyName, SignIn: strings.TrimRight(b.cfg.PublicURL, "/") + "/staff/",
		Slack: b.cfg.SlackEnabled()}
	b.renderWeb(w, http.StatusOK, "admin_staff", v)
}

// changeStaff changes a member of staff's role or deactivates them.
func (b *Bot) changeStaff(w http.ResponseWriter, r *http.Request, s session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		b.message(w, http.StatusNotFound, &s.staff, s.csrf, "Not found", "That member of staff is not in Onward.")
		return
	}
	st, err := b.engine.StaffByID(r.Context(), core.StaffID(id))
	if errors.Is(err, core.ErrNotFound) {
		// Not core's "That referral no longer exists": no referral is
		// concerned.
		b.message(w, http.StatusNotFound, &s.staff, s.csrf, "Not found", "That member of staff is not in Onward.")
		return
	}
	if err != nil {
		b.refused(w, r, s, err)
		return
	}
	done := ""
	switch r.PathValue("action") {
	case "role":
		err, done = b.engine.SetStaffRole(r.Context(), st.ID, core.Role(r.PostFormValue("role")), s.staff.Actor()), "role"
	case "deactivate":
		// Deactivating the last person at an agency told of its new
		// referrals is not refused (a leaver's access goes whatever the
		// settings say), but the coordinator is told what follows.
		_, last, lerr := b.engine.LastToHearOfNewReferrals(r.Context(), st.ID)
		if lerr != nil {
			b.refused(w, r, s, lerr)
			return
		}
		err, done = b.engine.DeactivateStaff(r.Context(), st.ID, s.staff.Actor()), "deactivated"
		if last {
			done = "deactivated-last"
		}
	default:
		b.message(w, http.StatusNotFound, &s.staff, s.csrf, "Not found", "That change is not one Onward makes.")
		return
	}
	var invalid *core.ValidationError
	if errors.As(err, &invalid) && len(invalid.Fields) > 0 {
		// A rule kept (the network's last coordinator), not a fault.
		b.message(w, http.StatusUnprocessableEntity, &s.staff, s.csrf, "That change was not made", invalid.Fields[0].Message)
		return
	}
	if err != nil {
		b.refused(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/staff/admin/staff?done="+done+"&staff="+strconv.FormatInt(int64(st.ID), 10), http.StatusSeeOther)
}

func (b *Bot) agenciesView(r *http.Request, s session) (adminView, error) {
	v := adminView{chrome: chrome{Title: "Agencies", Staff: &s.staff, CSRF: s.csrf}}
	var err error
	v.Agencies, err = b.engine.Agencies(r.Context())
	switch d, name := r.URL.Query().Get("done"), r.URL.Query().Get("name"); d {
	case "agency-added", "agency-retired", "agency-unretired":
		// Anyone can write the address: only an agency's own name, as it
		// stands now, is said to have been added, retired or brought back.
		for _, a := range v.Agencies {
			switch {
			case a.Name != name || (a.RetiredAt != nil) != (d == "agency-retired"):
			case d == "agency-unretired":
				v.Returned = name
			default:
				v.Done, v.DoneRef = d, name
			}
		}
	default:
		// A capacity change, in the words its Slack reply says, of the
		// agency as it stands.
		for _, a := range v.Agencies {
			if a.Name != name {
				continue
			}
			if words, ok := capacityDoneWords("agency-capacity", d, a); ok {
				v.Done, v.DoneRef, v.DoneWords = d, name, words
			}
		}
	}
	return v, err
}

func (b *Bot) adminAgencies(w http.ResponseWriter, r *http.Request, s session) {
	v, err := b.agenciesView(r, s)
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	b.renderWeb(w, http.StatusOK, "admin_agencies", v)
}

func (b *Bot) newAgencyView(s session, f newAgencyForm, needs []string) adminView {
	v := adminView{chrome: chrome{Title: "Add an agency", Staff: &s.staff, CSRF: s.csrf}, Agency: f}
	for _, n := range core.Needs {
		checked := false
		for _, x := range needs {
			checked = checked || x == string(n)
		}
		v.Needs = append(v.Needs, needOption{Value: string(n), Label: n.Label(), Checked: checked})
	}
	return v
}

func (b *Bot) newAgencyForm(w http.ResponseWriter, r *http.Request, s session) {
	b.renderWeb(w, http.StatusOK, "admin_agency_new", b.newAgencyView(s, newAgencyForm{AckTargetHours: "16", AcceptsSelfReferrals: true}, nil))
}

// createAgency adds an agency and its first service in one transaction.
func (b *Bot) createAgency(w http.ResponseWriter, r *http.Request, s session) {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	f := newAgencyForm{Name: v("name"), Slug: strings.ToLower(v("slug")), Phone: v("phone"), Email: v("email"),
		Website: v("website"), Description: v("description"), ServiceName: v("service_name"), Districts: v("districts"),
		AckTargetHours: v("ack_target_hours"), AcceptsSelfReferrals: r.PostFormValue("accepts_self_referrals") == "yes"}
	needs := r.PostForm["needs"]
	var problems []core.FieldError
	hours, err := strconv.Atoi(f.AckTargetHours)
	if err != nil {
		problems = append(problems, core.FieldError{Field: "acknowledgement target", Message: "Enter the acknowledgement target as a whole number of working hours, like 16"})
	}
	svc := core.NewService{Name: f.ServiceName, Description: f.Description, Eligibility: "", PostcodeDistricts: words(f.Districts),
		Languages: []string{"en"}}
	for _, n := range needs {
		need, err := core.ParseNeed(n)
		if err != nil {
			problems = append(problems, core.FieldError{Field: "needs", Message: "Choose needs from the list"})
			break
		}
		svc.Needs = append(svc.Needs, need)
	}
	if len(problems) == 0 {
		_, err = b.engine.CreateAgency(r.Context(), core.NewAgency{Slug: f.Slug, Name: f.Name, Description: f.Description,
			Phone: f.Phone, Email: f.Email, Website: f.Website, AckTargetHours: hours, AcceptsSelfReferrals: f.AcceptsSelfReferrals},
			&svc, s.staff.Actor())
		var invalid *core.ValidationError
		switch {
		case errors.As(err, &invalid):
			problems = invalid.Fields
		case err != nil:
			b.refused(w, r, s, err)
			return
		}
	}
	if len(problems) > 0 {
		view := b.newAgencyView(s, f, needs)
		for i, p := range problems {
			switch {
			case p.Field == "short name":
				if strings.Contains(p.Message, "required") || strings.Contains(p.Message, "lowercase") {
					problems[i].Message = "Enter a short name in lower-case letters, digits and hyphens, like kirkton-cab"
				}
			case p.Field == "name" && strings.Contains(p.Message, "required"):
				problems[i].Message = "Enter the agency's name"
			case p.Field == "service name" && strings.Contains(p.Message, "required"):
				problems[i].Message = "Enter the name of the agency's first service"
			case p.Field == "needs":
				problems[i].Message = "Choose at least one need the service helps with"
			case strings.HasPrefix(p.Field, "postcode districts"):
				problems[i].Message = "Enter postcode districts like KY1 KY2, separated by spaces"
			}
		}
		view.setFieldErrors(problems, agencyAddFields, "name")
		b.renderWeb(w, http.StatusUnprocessableEntity, "admin_agency_new", view)
		return
	}
	http.Redirect(w, r, "/staff/admin/agencies?done=agency-added&name="+url.QueryEscape(f.Name), http.StatusSeeOther)
}

// retireAgency takes an agency out of the network, in two steps: the
// list's Retire button shows what retiring will do (the referrals that go
// back, those that stay for a coordinator, the staff who lose access) and
// asks to confirm; only the confirmation (confirm=yes) retires it. Its
// staff's open sessions end with it.
func (b *Bot) retireAgency(w http.ResponseWriter, r *http.Request, s session) {
	a, ok := b.agencyFor(w, r, s)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		ret, err := b.engine.RetirementOf(r.Context(), a.ID, s.staff.Actor())
		if err != nil {
			b.refused(w, r, s, err)
			return
		}
		v := adminView{chrome: chrome{Title: "Retire " + a.Name, Staff: &s.staff, CSRF: s.csrf}, Retire: &ret}
		b.renderWeb(w, http.StatusOK, "admin_agencies", v)
		return
	}
	if err := b.engine.RetireAgency(r.Context(), a.ID, s.staff.Actor()); err != nil {
		b.refused(w, r, s, err)
		return
	}
	// Their access ended in core (every lookup of them fails); ending
	// the sessions in Redis too means none waits for its next request.
	ids, err := b.engine.RetiredStaff(r.Context(), a.ID)
	if err != nil {
		b.log.Warn("staff of a retired agency", "agency", a.ID, "err", err)
	}
	for _, id := range ids {
		if _, err := EndStaffSessions(r.Context(), b.rdb, b.prefix, id); err != nil {
			b.log.Warn("end the sessions of a retired agency's staff", "staff", id, "err", err)
		}
	}
	http.Redirect(w, r, "/staff/admin/agencies?done=agency-retired&name="+url.QueryEscape(a.Name), http.StatusSeeOther)
}

// unretireAgency brings a retired agency back into the network, in two
// steps as retiring does: the list's Bring back button shows what it
// will do (its services return; its former staff stay deactivated, to be
// invited again as anyone is) and asks to confirm; only the confirmation
// (confirm=yes) brings it back. Core refuses an agency that is not
// retired, saying so.
func (b *Bot) unretireAgency(w http.ResponseWriter, r *http.Request, s session) {
	a, ok := b.agencyFor(w, r, s)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		back, err := b.engine.UnretirementOf(r.Context(), a.ID, s.staff.Actor())
		if err != nil {
			b.refused(w, r, s, err)
			return
		}
		v := adminView{chrome: chrome{Title: "Bring back " + a.Name, Staff: &s.staff, CSRF: s.csrf}, Unretire: &back}
		b.renderWeb(w, http.StatusOK, "admin_agencies", v)
		return
	}
	if err := b.engine.UnretireAgency(r.Context(), a.ID, s.staff.Actor()); err != nil {
		b.refused(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/staff/admin/agencies?done=agency-unretired&name="+url.QueryEscape(a.Name), http.StatusSeeOther)
}

// setAgencyCapacity marks an agency at capacity, or taking referrals
// again, for a coordinator: a food share phones in to say it has run out.
// It is the agency's own "Mark us at capacity" (setCapacity: core checks
// and audits it under the coordinator's name, and the coordinators'
// alert goes once per change, naming the agency and who changed it).
// The agencies page's capacity forms post it to /staff/capacity/until
// with the agency's id (setCapacityUntil hands them here).
func (b *Bot) setAgencyCapacity(w http.ResponseWriter, r *http.Request, s session) {
	a, ok := b.agencyByID(w, r, s, r.PostFormValue("agency"))
	if !ok {
		return
	}
	on := r.PostFormValue("at_capacity") == "on"
	typed := r.PostFormValue("note")
	note := strings.TrimSpace(typed)
	answer := func(err error) {
		var invalid *core.ValidationError
		if errors.As(err, &invalid) && on {
			b.agencyCapacityNoteRefused(w, r, s, a.ID, typed, sentences(invalid))
			return
		}
		b.refused(w, r, s, err)
	}
	if !b.confirmingCapacity(w, r, s, a, on, note, answer) {
		return
	}
	// Core lets a coordinator change any agency's capacity; the event
	// names the coordinator.
	was, err := b.setCapacity(r.Context(), s.staff, a.ID, on, note)
	if err != nil {
		answer(err)
		return
	}
	http.Redirect(w, r, "/staff/admin/agencies?done="+capacityDone("agency-capacity", on, was)+"&name="+url.QueryEscape(a.Name), http.StatusSeeOther)
}

// ownServices lists the services of the staff member's own agency, which
// its staff keep up to date.
func (b *Bot) ownServices(w http.ResponseWriter, r *http.Request, s session) {
	services, err := b.engine.Services(r.Context(), s.staff.AgencyID)
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	v := directoryView{Title: "Our services", Staff: &s.staff, CSRF: s.csrf}
	v.Agencies = []directoryAgency{{Agency: core.Agency{ID: s.staff.AgencyID, Name: s.staff.AgencyName}, Services: services}}
	if name := r.URL.Query().Get("name"); r.URL.Query().Get("done") == "service-saved" && v.names(name) {
		v.Done, v.DoneRef = "service-saved", name
	}
	b.renderWeb(w, http.StatusOK, "own_services", v)
}

// ownService loads a service of the staff member's own agency.
func (b *Bot) ownService(w http.ResponseWriter, r *http.Request, s session) (core.Service, core.Agency, bool) {
	svc, a, ok := b.serviceFor(w, r, s)
	if ok && svc.AgencyID != s.staff.AgencyID {
		b.message(w, http.StatusNotFound, &s.staff, s.csrf, sayWeb("web.directory.missing.title", nil), sayWeb("web.directory.missing", nil))
		return svc, a, false
	}
	return svc, a, ok
}

func (b *Bot) ownServiceForm(w http.ResponseWriter, r *http.Request, s session) {
	if _, _, ok := b.ownService(w, r, s); !ok {
		return
	}
	b.serviceForm(w, r, s)
}

func (b *Bot) saveOwnService(w http.ResponseWriter, r *http.Request, s session) {
	if _, _, ok := b.ownService(w, r, s); !ok {
		return
	}
	b.saveService(w, r, s)
}
