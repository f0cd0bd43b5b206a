package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// This file applies a network file to what the network already holds:
// `onward network import` run again after the file changed. An agency is
// matched by its short name, a service by its name within its agency, a
// member of staff by email. What the file adds or changes is written with
// the same checks and audit events as the staff web and the command line;
// what the file no longer lists is not deleted but warned about, saying how
// to remove it, since deleting someone's access or a service because a line
// went missing from a file is too easy to do by mistake.

// Ordinal is a one-based position in words people count in: 1st, 2nd,
// 3rd, 4th, 11th, 12th, 13th, 21st. Messages about a file name its items
// so ("the 4th agency"), not by a zero-based index.
func Ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// Tally counts what an import did to one kind of thing.
type Tally struct {
	Added, Changed, Unchanged int
	// Skipped are listed in the file but left as they are, each with a
	// warning (a deactivated member of staff, an agency that has left the
	// network).
	Skipped int
}

// Add adds t's counts to u's.
func (t *Tally) Add(u Tally) {
	t.Added += u.Added
	t.Changed += u.Changed
	t.Unchanged += u.Unchanged
	t.Skipped += u.Skipped
}

// AgencyEntry is one agency as the network file gives it: its details and
// notification settings, its services and its staff. The services' and
// staff's AgencyID are filled in by SyncAgency.
type AgencyEntry struct {
	NewAgency
	Services []NewService
	Staff    []NewStaff
}

// AgencySync is what SyncAgency did to one agency, and what the person
// importing should know about it.
type AgencySync struct {
	ID       AgencyID
	Agency   Tally // one of its counts is 1
	Services Tally
	Staff    Tally
	Warnings []string
}

// SyncAgency makes an agency what the network file says, inside the
// import's transaction: a new short name adds the agency; a known one has
// its details, notification settings and Slack channel set from the file,
// its services added or changed (matched by name) and its staff added or
// their role and name changed (matched by email). Every value is checked
// as for a new agency, whether or not it changed, and each change is an
// audit event with by as the actor. Nothing is deleted: a service or a
// member of staff in Onward but not in the file, a deactivated member of
// staff the file lists, and an agency without staff are warnings. A
// member of staff of another agency, or a new agency with the name of one
// already in the network, is refused.
func (e *Engine) SyncAgency(ctx context.Context, tx pgx.Tx, a AgencyEntry, by Actor) (AgencySync, error) {
	var out AgencySync
	if err := a.check(); err != nil {
		return out, err
	}
	cur, err := getAgency(ctx, tx, "slug = $1", a.Slug)
	switch {
	case errors.Is(err, ErrNotFound):
		if out.ID, err = e.createAgency(ctx, tx, a.NewAgency, by); err != nil {
			return out, err
		}
		out.Agency.Added = 1
	case err != nil:
		return out, fmt.Errorf("agency %s: %w", a.Slug, err)
	case cur.RetiredAt != nil:
		// Its services left the directory with it; nothing un-retires
		// an agency, so the file's entry is checked and left.
		for j, s := range a.Services {
			s.AgencyID = cur.ID
			if _, err := checkService(s); err != nil {
				return out, fmt.Errorf("the %s service (%s): %w", Ordinal(j+1), s.Name, err)
			}
		}
		out.ID, out.Agency.Skipped = cur.ID, 1
		out.Warnings = append(out.Warnings, fmt.Sprintf("%s (%s) left the network on %s: its entry in the file is not applied. Take it out of the file.",
			cur.Name, cur.Slug, cur.RetiredAt.UTC().Format("2 Jan 2006")))
		return out, nil
	default:
		out.ID = cur.ID
		changed, err := e.syncAgencyDetails(ctx, tx, cur, a.NewAgency, by, &out.Warnings)
		if err != nil {
			return out, err
		}
		if changed {
			out.Agency.Changed = 1
		} else {
			out.Agency.Unchanged = 1
		}
	}
	if out.Services, err = e.syncServices(ctx, tx, out.ID, a, by, &out.Warnings); err != nil {
		return out, err
	}
	if out.Staff, err = e.syncStaff(ctx, tx, out.ID, a, by, &out.Warnings); err != nil {
		return out, err
	}
	var staff int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM staff WHERE agency_id = $1 AND deleted_at IS NULL`, out.ID).Scan(&staff); err != nil {
		return out, fmt.Errorf("count staff of %s: %w", a.Slug, err)
	}
	if staff == 0 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("%s (%s) has no staff: nobody can act on the referrals it is sent. List its staff under it in the file.",
			a.Name, a.Slug))
	}
	return out, nil
}

// syncAgencyDetails sets a known agency's details, notification settings
// and Slack channel from the file, each only when it changed; it reports
// whether any did.
func (e *Engine) syncAgencyDetails(ctx context.Context, tx pgx.Tx, cur Agency, a NewAgency, by Actor, warnings *[]string) (changed bool, err error) {
	// Its notifications and channel are checked together, as the file
	// sets them: the new address may stand in for the old channel.
	err = e.keepHearing(ctx, tx, cur.ID, "notifications", "the file's notifications and Slack channel for it", func() error {
		changed, err = e.syncAgencyFields(ctx, tx, cur, a, by, warnings)
		return err
	})
	return changed, err
}

// syncAgencyFields is syncAgencyDetails without keepHearing's check.
func (e *Engine) syncAgencyFields(ctx context.Context, tx pgx.Tx, cur Agency, a NewAgency, by Actor, warnings *[]string) (bool, error) {
	changed := false
	d := AgencyDetails{Name: a.Name, Description: a.Description, Phone: a.Phone, Email: a.Email, Website: a.Website,
		Address: a.Address, AckTargetHours: a.AckTargetHours, AcceptsSelfReferrals: a.AcceptsSelfReferrals}
	had := AgencyDetails{Name: cur.Name, Description: cur.Description, Phone: cur.Phone, Email: cur.Email, Website: cur.Website,
		Address: cur.Address, AckTargetHours: cur.AckTargetHours, AcceptsSelfReferrals: cur.AcceptsSelfReferrals}
	if d != had {
		if err := e.updateAgencyDetails(ctx, tx, cur.ID, d, by); err != nil {
			return false, err
		}
		changed = true
	}
	if n := a.Notifications; n.NotifyEmail != cur.NotifyEmail || n.EmailStaff != cur.EmailStaff {
		if err := e.setAgencyNotifications(ctx, tx, cur.ID, n, by); err != nil {
			return false, err
		}
		changed = true
	}
	if a.SlackChannelID != cur.SlackChannelID {
		if a.SlackChannelID == "" {
			*warnings = append(*warnings, fmt.Sprintf("%s (%s) is taken off Slack (its channel was %s): the file gives it no slack_channel. Its staff use the web inbox and email.",
				cur.Name, cur.Slug, cur.SlackChannelID))
		}
		if err := e.setSlackChannel(ctx, tx, cur.ID, a.SlackChannelID, by); err != nil {
			return false, err
		}
		changed = true
	}
	return changed, nil
}

// setAgencyNotifications is SetAgencyNotifications inside the caller's
// transaction: the import sets an agency's notifications in the same
// transaction as the rest of the file.
func (e *Engine) setAgencyNotifications(ctx context.Context, db DB, agency AgencyID, n AgencyNotifications, by Actor) error {
	if err := mayKeepDirectory(by); err != nil {
		return err
	}
	if err := n.check(); err != nil {
		return err
	}
	var id AgencyID
	if err := db.QueryRow(ctx, sqlSetAgencyNotifications, agency, n.NotifyEmail, n.EmailStaff, e.clock.Now()).Scan(&id); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("set notifications of agency %d: %w", agency, ErrNotFound)
		}
		return fmt.Errorf("set notifications of agency %d: %w", agency, err)
	}
	return e.appendEvent(ctx, db, newEvent{kind: EventNotificationsChanged, agency: agency, actor: by,
		data: eventData("shared_email", n.NotifyEmail != "", "email_staff", n.EmailStaff)})
}

// syncServices adds the file's new services of an agency and changes
// those that differ, matched by name (any case); services in Onward the
// file does not list are warned about.
func (e *Engine) syncServices(ctx context.Context, tx pgx.Tx, agency AgencyID, a AgencyEntry, by Actor, warnings *[]string) (Tally, error) {
	var t Tally
	rows, _ := tx.Query(ctx, `SELECT `+serviceColumns+` FROM services WHERE agency_id = $1 AND active ORDER BY name`, agency)
	existing, err := pgx.CollectRows(rows, pgx.RowToStructByName[Service])
	if err != nil {
		return t, fmt.Errorf("services of %s: %w", a.Slug, err)
	}
	have := map[string]Service{}
	for _, s := range existing {
		have[strings.ToLower(strings.TrimSpace(s.Name))] = s
	}
	seen := map[string]int{}
	for j, s := range a.Services {
		where := fmt.Sprintf("the %s service (%s)", Ordinal(j+1), s.Name)
		key := strings.ToLower(strings.TrimSpace(s.Name))
		if k, dup := seen[key]; dup {
			return t, fmt.Errorf("%s: the %s service has the same name; each service of an agency needs its own name", where, Ordinal(k+1))
		}
		seen[key] = j
		s.AgencyID = agency
		old, known := have[key]
		if !known {
			if _, err := e.addDirectoryService(ctx, tx, s, by); err != nil {
				return t, fmt.Errorf("%s: %w", where, err)
			}
			t.Added++
			continue
		}
		c, err := checkService(s)
		if err == nil {
			err = checkServiceDistricts(ctx, tx, c.districts)
		}
		if err != nil {
			return t, fmt.Errorf("%s: %w", where, err)
		}
		if sameService(old, s, c) {
			t.Unchanged++
			continue
		}
		if err := e.updateService(ctx, tx, old.ID, s, by); err != nil {
			return t, fmt.Errorf("%s: %w", where, err)
		}
		t.Changed++
	}
	for _, s := range existing {
		if _, listed := seen[strings.ToLower(strings.TrimSpace(s.Name))]; !listed {
			*warnings = append(*warnings, fmt.Sprintf("%s (%s) has the service %q in Onward, which the file does not list: it stays in the directory and matching. To stop referrals to it, a coordinator turns off \"offered for referrals\" at /staff/directory; to keep it, add it to the file.",
				a.Name, a.Slug, s.Name))
		}
	}
	return t, nil
}

// sameService reports whether a stored service already says what s
// (checked, with its areas and languages as checkService gives them)
// says.
func sameService(old Service, s NewService, c checkedService) bool {
	langs := c.langs
	if langs == nil {
		langs = []string{"en"}
	}
	return old.Name == s.Name && old.Description == s.Description && old.Eligibility == s.Eligibility &&
		old.OpeningHours == s.OpeningHours && slices.Equal(NeedStrings(old.Needs), NeedStrings(s.Needs)) &&
		slices.Equal(old.PostcodeDistricts, c.districts) && slices.Equal(old.CouncilAreas, c.councils) &&
		slices.Equal(old.Languages, langs)
}

// syncStaff adds the file's new staff of an agency and changes the role
// and name of those already there, matched by email.
func (e *Engine) syncStaff(ctx context.Context, tx pgx.Tx, agency AgencyID, a AgencyEntry, by Actor, warnings *[]string) (Tally, error) {
	var t Tally
	rows, _ := tx.Query(ctx, sqlListStaff, agency)
	current, err := pgx.CollectRows(rows, pgx.RowToStructByName[Staff])
	if err != nil {
		return t, fmt.Errorf("staff of %s: %w", a.Slug, err)
	}
	listed := map[string]bool{}
	for k, st := range a.Staff {
		where := fmt.Sprintf("the %s member of staff (%s)", Ordinal(k+1), st.Email)
		st.AgencyID = agency
		if err := validate(st); err != nil {
			return t, fmt.Errorf("%s: %w", where, err)
		}
		listed[strings.ToLower(strings.TrimSpace(st.Email))] = true
		r, err := staffRecordByEmail(ctx, tx, st.Email)
		switch {
		case errors.Is(err, ErrNotFound):
			if _, err := e.registerStaff(ctx, tx, st, by); err != nil {
				return t, fmt.Errorf("%s: %w", where, err)
			}
			t.Added++
			continue
		case err != nil:
			return t, fmt.Errorf("%s: %w", where, err)
		case r.DeactivatedAt != nil:
			*warnings = append(*warnings, fmt.Sprintf("%s (%s, listed under %s) was deactivated on %s: they are not given access again. `onward staff reactivate %s --agency %s` does that; or take them out of the file.",
				r.Name, r.Email, a.Slug, r.DeactivatedAt.UTC().Format("2 Jan 2006"), r.Email, a.Slug))
			t.Skipped++
			continue
		case r.AgencyID != agency:
			return t, fmt.Errorf("%s: %s is a member of staff of %s (%s), not of %s: `onward staff move %s --agency %s` moves them, or list them under %s in the file",
				where, r.Email, r.AgencyName, r.AgencySlug, a.Slug, r.Email, a.Slug, r.AgencySlug)
		}
		changed := false
		if r.Role != st.Role {
			if err := e.setStaffRole(ctx, tx, r.ID, st.Role, by); err != nil {
				return t, fmt.Errorf("%s: %w", where, err)
			}
			changed = true
		}
		if r.Name != st.Name || (st.SlackUserID != "" && (r.SlackUserID == nil || *r.SlackUserID != st.SlackUserID)) {
			if err := e.setStaffDetails(ctx, tx, r.ID, st.Name, st.SlackUserID, by); err != nil {
				return t, fmt.Errorf("%s: %w", where, err)
			}
			changed = true
		}
		if changed {
			t.Changed++
		} else {
			t.Unchanged++
		}
	}
	for _, s := range current {
		if !listed[strings.ToLower(s.Email)] {
			*warnings = append(*warnings, fmt.Sprintf("%s (%s) is a member of staff of %s in Onward, and the file does not list them: they keep their access. `onward staff deactivate %s` ends it; or add them to the file.",
				s.Name, s.Email, a.Slug, s.Email))
		}
	}
	return t, nil
}

const sqlAgencyNamed = `SELECT ` + agencyColumns + ` FROM agencies
WHERE lower(btrim(name)) = lower(btrim($1)) AND id <> $2 AND retired_at IS NULL ORDER BY id LIMIT 1`

// refuseNameTaken refuses a name another agency still in the network has
// (except, 0 for none, is the agency being named): the directory would
// list two alike and nobody could tell which to refer to. It names the
// other agency's short name, since a copy most often comes from renaming
// an agency's short name in the network file.
func refuseNameTaken(ctx context.Context, db DB, name string, except AgencyID) error {
	rows, _ := db.Query(ctx, sqlAgencyNamed, name, except)
	other, err := collectAgency(rows)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("agencies named %q: %w", name, err)
	}
	return &ValidationError{Fields: []FieldError{{Field: "name", Message: fmt.Sprintf(
		"another agency, %s (short name %s), already has this name: the directory would list two alike. If it is the same agency, keep its short name %s (a short name cannot be changed); if not, give this one a name people can tell apart",
		other.Name, other.Slug, other.Slug)}}}
}

// BankHoliday is a day the network does not work.
type BankHoliday struct {
	Day  time.Time
	Name string
}

// SetBankHolidays makes the network's bank holidays exactly days: each is
// stored (its name changed if it was there), and every other day removed.
// It returns how many were removed. Run it in ChangeSettings.
func (e *Engine) SetBankHolidays(ctx context.Context, db DB, days []BankHoliday) (removed int, err error) {
	keep := make([]string, len(days))
	for i, d := range days {
		if err := e.AddBankHoliday(ctx, db, d.Day, d.Name); err != nil {
			return 0, err
		}
		keep[i] = d.Day.Format(time.DateOnly)
	}
	tag, err := db.Exec(ctx, `DELETE FROM bank_holidays WHERE NOT (day::text = ANY($1::text[]))`, keep)
	if err != nil {
		return 0, fmt.Errorf("remove bank holidays: %w", err)
	}
	e.forgetCache()
	return int(tag.RowsAffected()), nil
}

// SetNeedTerms makes the network's need terms exactly terms (see
// SetNeedTerm): a term not among them is removed, so the Open Referral
// feed stops publishing it. It returns how many were removed.
func (e *Engine) SetNeedTerms(ctx context.Context, db DB, terms []NeedTerm) (removed int, err error) {
	taxonomies, codes := make([]string, len(terms)), make([]string, len(terms))
	for i, t := range terms {
		if err := e.SetNeedTerm(ctx, db, t); err != nil {
			return 0, err
		}
		taxonomies[i], codes[i] = strings.TrimSpace(t.Taxonomy), strings.TrimSpace(t.Term)
	}
	tag, err := db.Exec(ctx, `DELETE FROM need_terms n WHERE NOT EXISTS (
    SELECT 1 FROM unnest($1::text[], $2::text[]) AS k(taxonomy, term) WHERE k.taxonomy = n.taxonomy AND k.term = n.term)`,
		taxonomies, codes)
	if err != nil {
		return 0, fmt.Errorf("remove need terms: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// RemoveDistrictsNotIn removes the network's postcode districts that keep
// does not list, after the import has set its services. A district a
// service in the directory still covers is refused, naming the services:
// the file would say the network does not serve a place a service it
// lists serves, and clients there would be matched to it all the same. A
// district with referrals still open is kept, with a warning, until they
// are closed: refusing would block every other change to the file for
// weeks, and removing it would take the district's council area and town
// from referrals being worked on. It returns the districts removed.
func (e *Engine) RemoveDistrictsNotIn(ctx context.Context, db DB, keep []string) (removed, warnings []string, err error) {
	rows, _ := db.Query(ctx, `SELECT district FROM postcode_districts WHERE NOT (district = ANY($1::text[])) ORDER BY district`, nonNil(keep))
	gone, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, nil, fmt.Errorf("postcode districts: %w", err)
	}
	var refused []string
	for _, d := range gone {
		rows, _ := db.Query(ctx, `SELECT s.name || ' (' || a.slug || ')' FROM services s JOIN agencies a ON a.id = s.agency_id
WHERE s.active AND $1 = ANY(s.postcode_districts) ORDER BY a.slug, s.name`, d)
		users, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, nil, fmt.Errorf("services in %s: %w", d, err)
		}
		if len(users) > 0 {
			refused = append(refused, fmt.Sprintf("%s is not in the file's districts, but services still cover it: %s. Take %s out of their districts too, or keep it in the districts",
				d, strings.Join(users, ", "), d))
			continue
		}
		var open int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM referrals WHERE postcode_district = $1 AND status = ANY($2::text[])`, d, openStatuses).Scan(&open); err != nil {
			return nil, nil, fmt.Errorf("open referrals in %s: %w", d, err)
		}
		if open > 0 {
			warnings = append(warnings, fmt.Sprintf("%s is not in the file's districts but is kept: %d referral(s) from it are still open. Import the file again once they are closed to remove it.", d, open))
			continue
		}
		if _, err := db.Exec(ctx, `DELETE FROM postcode_districts WHERE district = $1`, d); err != nil {
			return nil, nil, fmt.Errorf("remove district %s: %w", d, err)
		}
		removed = append(removed, d)
	}
	if refused != nil {
		return nil, nil, &ValidationError{Fields: []FieldError{{Field: "districts", Message: strings.Join(refused, "; ")}}}
	}
	e.forgetCache()
	return removed, warnings, nil
}
