package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/templates"
)

// This file is the staff web's data protection actions on a referral's
// client: recording a withdrawal of consent (anyone who may see the
// referral), erasing the client's details and exporting everything held
// about them (coordinators, answering a subject access request they
// record). core decides who may and audits each.

// dataProtectionPages are the confirmation pages of these actions.
var dataProtectionPages = sync.OnceValue(func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for name, file := range map[string]string{
		"dp_withdraw": "html/staff/dp_withdraw.html",
		"dp_erase":    "html/dataprotection/erase.html",
		"dp_export":   "html/dataprotection/export_request.html",
	} {
		out[name] = template.Must(template.New(name).Funcs(htmlFuncs).ParseFS(templates.FS,
			"html/staff/layout.html", "html/staff/card.html", file))
	}
	return out
})

// dpPage is a data protection confirmation page.
type dpPage struct {
	page
	Reference string
	Value     string // what was typed or chosen (evidence, or the erasure's reason code)
	Finished  bool
	Already   bool // the client's details had been erased before: nothing was changed
	Cancelled int
	// Choices are core's list for the page: erasure reasons, or the ways
	// a subject access request comes in.
	Choices      []core.Choice
	Request      sarForm // the subject access request, as typed
	MaxReference int
}

// sarForm is the subject access request form as posted.
type sarForm struct{ Channel, Received, Reference string }

// request reads the form as core's request; a date that is not one is
// left out, and core names it.
func (f sarForm) request() core.SubjectAccessRequest {
	day, _ := time.Parse(time.DateOnly, strings.TrimSpace(f.Received))
	return core.SubjectAccessRequest{Channel: core.RequestChannel(f.Channel), Received: day, Reference: f.Reference}
}

// fieldsOf shows a core validation error's fields on a page.
func (p *dpPage) fieldsOf(invalid *core.ValidationError) {
	p.Fields = map[string]string{}
	for _, fe := range invalid.Fields {
		fp := problem(fe.Field, fe.Message)
		p.Fields[fe.Field] = fp.Message
		p.Errors = append(p.Errors, fp)
	}
}

func (b *Bot) dpRender(w http.ResponseWriter, status int, name string, p dpPage) {
	b.writeLayout(w, status, dataProtectionPages()[name], name, p)
}

// referenceOf resolves the path's reference for someone who may see it.
func (b *Bot) referenceOf(w http.ResponseWriter, r *http.Request, s session) (string, bool) {
	if _, ok := b.referralFromPath(w, r, s); !ok {
		return "", false
	}
	return strings.ToUpper(r.PathValue("id")), true
}

// withdrawForm asks how the client withdrew consent.
func (b *Bot) withdrawForm(w http.ResponseWriter, r *http.Request, s session) {
	ref, ok := b.referenceOf(w, r, s)
	if !ok {
		return
	}
	b.dpRender(w, http.StatusOK, "dp_withdraw", dpPage{page: page{Staff: &s.staff, CSRF: s.csrf}, Reference: ref})
}

// withdraw records the withdrawal (core.Engine.WithdrawByReference).
func (b *Bot) withdraw(w http.ResponseWriter, r *http.Request, s session) {
	ref, ok := b.referenceOf(w, r, s)
	if !ok {
		return
	}
	p := dpPage{page: page{Staff: &s.staff, CSRF: s.csrf}, Reference: ref, Value: r.PostFormValue("evidence")}
	if r.PostFormValue("confirm") != "yes" {
		// Every problem at once: the evidence's too, if it has one.
		var invalid *core.ValidationError
		if errors.As(core.CheckWithdrawalEvidence(p.Value), &invalid) {
			p.fieldsOf(invalid)
		} else {
			p.Fields = map[string]string{}
		}
		p.Fields["confirm"] = "Confirm that the client asked to withdraw their consent"
		p.Errors = append(p.Errors, fieldProblem{Field: "confirm", Message: p.Fields["confirm"]})
		b.dpRender(w, http.StatusUnprocessableEntity, "dp_withdraw", p)
		return
	}
	res, err := b.engine.WithdrawByReference(r.Context(), ref, s.staff.Actor(), "web", p.Value)
	if err != nil {
		var invalid *core.ValidationError
		if errors.As(err, &invalid) {
			p.fieldsOf(invalid)
			b.dpRender(w, http.StatusUnprocessableEntity, "dp_withdraw", p)
			return
		}
		b.refused(w, r, s, err)
		return
	}
	p.Finished, p.Cancelled, p.Value = true, res.Cancelled, ""
	b.dpRender(w, http.StatusOK, "dp_withdraw", p)
}

// eraseForm names what erasure does and asks why, from core's list of
// reasons (no free text: the reason outlives the details in the audit
// log). After an erasure (?done=erased, where erase redirects) it says
// the details are erased, once core confirms they are.
func (b *Bot) eraseForm(w http.ResponseWriter, r *http.Request, s session) {
	ref, ok := b.referenceOf(w, r, s)
	if !ok || b.notCoordinator(w, s, "erase") {
		return
	}
	p := dpPage{page: page{Staff: &s.staff, CSRF: s.csrf}, Reference: ref, Choices: core.ErasureReasons()}
	if r.URL.Query().Get("done") == "erased" {
		client, _, err := b.engine.ClientByReference(r.Context(), ref)
		var c core.Client
		if err == nil {
			c, err = b.engine.ClientDetailsFor(r.Context(), client)
		}
		if err != nil {
			b.failed(w, &s, err)
			return
		}
		p.Finished = c.Erased
	}
	b.dpRender(w, http.StatusOK, "dp_erase", p)
}

// erase destroys the client's data key (core.Engine.EraseClient), then
// redirects to the page that says so: reloading it asks nothing again. A
// client erased before (a second press, the form sent again) is answered
// so, changing nothing.
func (b *Bot) erase(w http.ResponseWriter, r *http.Request, s session) {
	ref, ok := b.referenceOf(w, r, s)
	if !ok {
		return
	}
	p := dpPage{page: page{Staff: &s.staff, CSRF: s.csrf}, Reference: ref, Value: r.PostFormValue("reason"), Choices: core.ErasureReasons()}
	client, _, err := b.engine.ClientByReference(r.Context(), ref)
	if err == nil {
		err = b.engine.EraseClient(r.Context(), client, s.staff.Actor(), core.ErasureReason(p.Value), "web")
	}
	var invalid *core.ValidationError
	switch {
	case errors.As(err, &invalid):
		p.fieldsOf(invalid)
		b.dpRender(w, http.StatusUnprocessableEntity, "dp_erase", p)
	case errors.Is(err, core.ErrErased):
		p.Already, p.Value = true, ""
		b.dpRender(w, http.StatusConflict, "dp_erase", p)
	case err != nil:
		b.refused(w, r, s, err)
	default:
		http.Redirect(w, r, "/staff/referrals/"+ref+"/erase?done=erased", http.StatusSeeOther)
	}
}

// exportPage is the subject access request form for a reference.
func exportPage(s session, ref string, f sarForm) dpPage {
	return dpPage{page: page{Staff: &s.staff, CSRF: s.csrf}, Reference: ref, Choices: core.RequestChannels(),
		Request: f, MaxReference: core.MaxRequestReference}
}

// exportForm asks a coordinator for the subject access request an export
// answers, and says that the export is recorded for the data protection
// officer: the confirmation step before anything is read.
func (b *Bot) exportForm(w http.ResponseWriter, r *http.Request, s session) {
	ref, ok := b.referenceOf(w, r, s)
	if !ok || b.notCoordinator(w, s, "export") {
		return
	}
	b.dpRender(w, http.StatusOK, "dp_export", exportPage(s, ref, sarForm{}))
}

// export answers a coordinator's subject access request, once the
// request is given (core checks it and records it with the export): the
// JSON as a download, or the readable page (core.WriteSubjectAccessHTML).
// A post without the request's form (the referral page's buttons) shows
// the form.
func (b *Bot) export(w http.ResponseWriter, r *http.Request, s session) {
	ref, ok := b.referenceOf(w, r, s)
	if !ok {
		return
	}
	if r.PostFormValue("step") != "request" {
		if !b.notCoordinator(w, s, "export") {
			b.dpRender(w, http.StatusOK, "dp_export", exportPage(s, ref, sarForm{}))
		}
		return
	}
	form := sarForm{Channel: r.PostFormValue("request_channel"), Received: r.PostFormValue("request_received"),
		Reference: r.PostFormValue("request_reference")}
	client, _, err := b.engine.ClientByReference(r.Context(), ref)
	var sa core.SubjectAccess
	if err == nil {
		sa, err = b.engine.ExportClient(r.Context(), client, s.staff.Actor(), "web", form.request())
	}
	var invalid *core.ValidationError
	if errors.As(err, &invalid) {
		p := exportPage(s, ref, form)
		p.fieldsOf(invalid)
		b.dpRender(w, http.StatusUnprocessableEntity, "dp_export", p)
		return
	}
	if err != nil {
		b.refused(w, r, s, err)
		return
	}
	var buf bytes.Buffer
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if r.PostFormValue("format") == "html" {
		if err := core.WriteSubjectAccessHTML(&buf, sa); err != nil {
			b.failed(w, &s, err)
			return
		}
		h.Set("Content-Type", "text/html; charset=utf-8")
	} else {
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sa); err != nil {
			b.failed(w, &s, err)
			return
		}
		h.Set("Content-Type", "application/json")
		h.Set("Content-Disposition", `attachment; filename="subject-access-`+ref+`.json"`)
	}
	_, _ = w.Write(buf.Bytes())
}

// DataProtectionRoutes adds the referral page's data protection actions,
// the data protection officer's list of exports and erasures, and the
// audit search.
func (b *Bot) DataProtectionRoutes(mux *http.ServeMux) {
	staff := func(pattern string, h http.Handler) { mux.Handle(pattern, staffHeaders(h)) }
	staff("GET /staff/referrals/{id}/withdraw", b.signedIn(b.withdrawForm))
	staff("POST /staff/referrals/{id}/withdraw", b.signedIn(b.withdraw))
	staff("GET /staff/referrals/{id}/erase", b.signedIn(b.eraseForm))
	staff("POST /staff/referrals/{id}/erase", b.signedIn(b.erase))
	staff("GET /staff/referrals/{id}/export", b.signedIn(b.exportForm))
	staff("POST /staff/referrals/{id}/export", b.signedIn(b.export))
	staff("GET /staff/data-protection/requests", b.signedIn(b.dpRequests))
	staff("GET /staff/data-protection/requests/csv", b.signedIn(b.dpRequestsCSV))
	staff("GET /staff/data-protection/audit", b.signedIn(b.dpAudit))
	staff("GET /staff/data-protection/audit/csv", b.signedIn(b.dpAuditCSV))
}
