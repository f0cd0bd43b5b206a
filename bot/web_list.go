package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
)

// listFilter is a list's filters as the form sent them (and shows them
// again).
type listFilter struct {
	Status, Need, Urgency, Q, Agency, From, To string
	Overdue, Mine, Attention                   bool
}

// listView is one page of the inbox or of the sent list.
type listView struct {
	CSRF     string // the filter form's token (it is posted: listSearch)
	View     core.ListView
	Filter   listFilter
	Page     core.ListPage
	Rows     []core.ListRow
	Statuses []option
	Needs    []option
	Agencies []option
	Now      time.Time
	Location *time.Location
	PrevURL  string
	NextURL  string
	Filtered bool // a filter or a search is on
	// Found is the referral searched for by its exact reference when the
	// other filters leave it out of the list (a closed one under "Open"):
	// the page says where it is rather than that no such reference exists.
	Found *foundReference
	// Searched is the reference a search named, well formed, when no
	// referral the member of staff may see has it: the page says so
	// plainly, without saying whether it exists elsewhere. SeesAll: they
	// coordinate, and may see every referral.
	Searched string
	SeesAll  bool
	// SearchedNone: the filter form searched for a reference no referral
	// they may see has (listSearch), not repeated in the address.
	SearchedNone bool
}

// foundReference is a referral found by its exact reference outside the
// list, with what the page says of it: Sent, in the inbox, when the
// agency sent it rather than holds it (it is under "Referrals we sent");
// Received, in that list, when the agency holds it rather than sent it.
type foundReference struct {
	Reference      string
	Status         core.Status
	Open           bool
	Sent, Received bool
}

// searchedReference finds the referral a search names by its exact
// reference, whatever the list's filters, when the member of staff may
// see it (core.Actor.MaySee), and returns the reference as it reads when
// the search is one; the referral is nil when there is none they may
// see, so a referral of someone else's is answered like one that does
// not exist.
func (b *Bot) searchedReference(ctx context.Context, s session, view core.ListView, q string) (*foundReference, string, error) {
	ref, ok := core.NormaliseReference(q)
	if !ok {
		return nil, "", nil
	}
	r, err := b.engine.ReferralByReference(ctx, ref)
	if errors.Is(err, core.ErrNotFound) {
		return nil, ref, nil
	}
	if err != nil {
		return nil, ref, fmt.Errorf("search by reference: %w", err)
	}
	if !s.staff.Actor().MaySee(r) {
		return nil, ref, nil
	}
	own := s.staff.AgencyID
	holds := r.ToAgencyID != nil && *r.ToAgencyID == own
	sent := r.FromAgencyID != nil && *r.FromAgencyID == own
	return &foundReference{Reference: r.Reference, Status: r.Status, Open: r.Status.Open(),
		Sent: view == core.ViewInbox && sent && !holds, Received: view == core.ViewSent && holds && !sent}, ref, nil
}

// statusLabels name statuses the way the staff web shows them.
var statusLabels = map[core.Status]string{
	core.StatusRequested: "New", core.StatusAccepted: "Accepted", core.StatusInProgress: "Client contacted",
	core.StatusOnHold: "On the waiting list", core.StatusCompleted: "Completed", core.StatusRejected: "Rejected",
	core.StatusFailed: "Could not contact", core.StatusCancelled: "Cancelled",
}

// maxFilterLen bounds what a filter field may hold; longer is cut, so a
// pasted essay searches for nothing rather than failing.
const maxFilterLen = 64

func filterValue(q url.Values, name string) string {
	v := strings.TrimSpace(q.Get(name))
	if len(v) > maxFilterLen {
		v = v[:maxFilterLen]
	}
	return v
}

// listPage reads a list's filters from the query, asks core for the page
// and returns it with the status the page should answer: 400 with the
// problems in c's error summary when a filter was not one offered (the
// list is then shown without it).
func (b *Bot) listPage(ctx context.Context, r *http.Request, s session, view core.ListView, c *chrome) (listView, int, error) {
	qv := r.URL.Query()
	f := listFilter{Status: filterValue(qv, "status"), Need: filterValue(qv, "need"), Urgency: filterValue(qv, "urgency"),
		Q: filterValue(qv, "q"), Agency: filterValue(qv, "agency"), From: filterValue(qv, "from"), To: filterValue(qv, "to"),
		Overdue: qv.Get("overdue") == "yes", Mine: qv.Get("mine") == "yes", Attention: qv.Get("attention") == "yes"}
	page, _ := strconv.Atoi(filterValue(qv, "page"))
	q := core.ListQuery{View: view, Agency: s.staff.AgencyID, Need: core.Need(f.Need), Urgency: core.Urgency(f.Urgency),
		Overdue: f.Overdue, Attention: f.Attention, Reference: f.Q, Page: page}
	if f.Mine {
		q.Mine = s.staff.ID
	}
	var problems []core.FieldError
	if qv.Get(searchRefused) == "yes" {
		// The filter form was posted with something other than a
		// reference (listSearch), which is not repeated here.
		problems = append(problems, core.FieldError{Field: "reference", Message: core.ReferenceSearchOnly})
	}
	switch f.Status {
	case "", "open":
		if view == core.ViewSent && f.Status == "open" {
			q.Statuses = []core.Status{core.StatusRequested, core.StatusAccepted, core.StatusInProgress, core.StatusOnHold}
		}
	case "closed":
		q.Statuses = []core.Status{core.StatusCompleted, core.StatusRejected, core.StatusFailed, core.StatusCancelled}
	default:
		q.Statuses = []core.Status{core.Status(f.Status)}
	}
	if f.Agency != "" {
		id, err := strconv.ParseInt(f.Agency, 10, 64)
		if err != nil || id <= 0 {
			problems = append(problems, core.FieldError{Field: "agency", Message: "Choose an agency from the list"})
		} else {
			q.Other = core.AgencyID(id)
		}
	}
	loc := b.location(ctx)
	for _, d := range []struct {
		field, value string
		dst          **time.Time
		days         int
	}{{"from", f.From, &q.From, 0}, {"to", f.To, &q.To, 1}} {
		if d.value == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", d.value, loc)
		if err != nil {
			problems = append(problems, core.FieldError{Field: d.field, Message: "Enter the date as year-month-day, like 2026-11-30"})
			continue
		}
		t = t.AddDate(0, 0, d.days)
		*d.dst = &t
	}
	none := qv.Get(searchNone) == "yes"
	res, err := b.engine.List(ctx, q)
	var invalid *core.ValidationError
	if errors.As(err, &invalid) {
		problems = append(problems, invalid.Fields...)
		// Show the list without the filters that were not offered.
		for _, fe := range invalid.Fields {
			switch fe.Field {
			case "status":
				q.Statuses, f.Status = nil, ""
			case "need":
				q.Need, f.Need = "", ""
			case "urgency":
				q.Urgency, f.Urgency = "", ""
			case "reference":
				// Not shown back: it may be a client's name.
				q.Reference, f.Q = "", ""
			}
		}
		res, err = b.engine.List(ctx, q)
	}
	if err == nil && len(res.Rows) == 0 && res.Page > res.Pages() {
		// Past the last page (an old link, a number typed in): the last
		// page, rather than an empty one saying "Page 10000 of 1".
		q.Page = res.Pages()
		res, err = b.engine.List(ctx, q)
	}
	if err != nil {
		return listView{}, 0, err
	}
	if none {
		// A search that found nothing lists nothing.
		res = core.ListPage{Page: 1, PerPage: res.PerPage}
	}
	status := http.StatusOK
	if len(problems) > 0 {
		status = http.StatusBadRequest
		c.setFieldErrors(problems, map[string]string{"status": "status", "need": "need", "urgency": "urgency",
			"agency": "agency", "from": "from", "to": "to", "reference": "q"}, "q")
	}
	v := listView{CSRF: s.csrf, View: view, Filter: f, Page: res, Rows: res.Rows, Now: b.clock.Now(), Location: loc,
		Filtered: f != (listFilter{}) || none, SearchedNone: none, SeesAll: s.staff.Actor().Coordinates()}
	if res.Total == 0 && f.Q != "" {
		if v.Found, v.Searched, err = b.searchedReference(ctx, s, view, f.Q); err != nil {
			return listView{}, 0, err
		}
		v.SeesAll = s.staff.Actor().Coordinates()
	}
	v.Statuses = append(v.Statuses, option{Value: "", Label: map[core.ListView]string{core.ViewInbox: "Open", core.ViewSent: "Any"}[view], Selected: f.Status == ""})
	if view == core.ViewSent {
		v.Statuses = append(v.Statuses, option{Value: "open", Label: "Open", Selected: f.Status == "open"})
	}
	v.Statuses = append(v.Statuses, option{Value: "closed", Label: "Closed", Selected: f.Status == "closed"})
	for _, st := range core.Statuses {
		v.Statuses = append(v.Statuses, option{Value: string(st), Label: statusLabels[st], Selected: f.Status == string(st)})
	}
	v.Needs = append(v.Needs, option{Value: "", Label: "Any need", Selected: f.Need == ""})
	for _, n := range core.Needs {
		v.Needs = append(v.Needs, option{Value: string(n), Label: n.Label(), Selected: f.Need == string(n)})
	}
	if view == core.ViewSent {
		agencies, err := b.engine.Agencies(ctx)
		if err != nil {
			return listView{}, 0, err
		}
		v.Agencies = append(v.Agencies, option{Value: "", Label: "Any agency", Selected: f.Agency == ""})
		for _, a := range agencies {
			if a.ID == s.staff.AgencyID {
				continue
			}
			id := strconv.FormatInt(int64(a.ID), 10)
			v.Agencies = append(v.Agencies, option{Value: id, Label: a.Name, Selected: f.Agency == id})
		}
	}
	base := "/staff/"
	if view == core.ViewSent {
		base = "/staff/sent"
	}
	link := func(p int) string {
		q := url.Values{}
		for k, val := range map[string]string{"status": f.Status, "need": f.Need, "urgency": f.Urgency, "q": f.Q,
			"agency": f.Agency, "from": f.From, "to": f.To} {
			if val != "" {
				q.Set(k, val)
			}
		}
		for k, on := range map[string]bool{"overdue": f.Overdue, "mine": f.Mine, "attention": f.Attention} {
			if on {
				q.Set(k, "yes")
			}
		}
		q.Set("page", strconv.Itoa(p))
		return base + "?" + q.Encode()
	}
	if res.Page > 1 {
		v.PrevURL = link(min(res.Page-1, res.Pages()))
	}
	if res.Page < res.Pages() {
		v.NextURL = link(res.Page + 1)
	}
	return v, status, nil
}
