package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/onward-network/onward/core"
)

const partnerUsage = `Usage: onward partner add --by EMAIL --name NAME [--agency SLUG] [--scopes read,refer,act] [--rate N]
       onward partner list
       onward partner revoke ID --by EMAIL
       onward partner rotate-secret ID --by EMAIL
       onward partner webhook-resume SUBSCRIPTION_ID --by EMAIL

add registers a partner system (a casework system, an NHS service) that
uses the partner API (/api/v1) and FHIR (/fhir) for one agency, or for the
whole network without --agency (a coordinators' system). It prints the
client id and secret ONCE: Onward keeps only a hash of the secret. The
partner exchanges them for short-lived tokens at POST /oauth/token.
Scopes: read (referrals, directory, webhooks), refer (create referrals),
act (accept, reject, contacted, complete, cancel). --rate is calls a minute.

list prints every partner system and its state, then every webhook
subscription: its id (what webhook-resume takes), its partner, the address
events go to, and whether it is paused (when its deliveries have failed
through a day of retries, or its receiver answered 410 Gone). revoke stops a partner at once, its tokens included. rotate-secret
gives a partner a new secret, printed ONCE, in place of its current one
(leaked, or due for a change): the old secret and every token got with it
stop working at once; its client id, scopes, webhook subscriptions and
the Patient ids it knows stay. webhook-resume
restarts a paused webhook subscription (events that waited are then
delivered). All are recorded in the audit log.

add, revoke and rotate-secret change who may receive clients' details,
and webhook-resume starts deliveries to a partner again: --by is the
email of the coordinator or admin making the change, whom the audit log
names.

An agency that has left the network (retired) takes no partner system.

All need ONWARD_DATABASE_URL; ` + "`make run`" + ` keeps dev values that are used when unset.
`

func init() {
	register(command{name: "partner", subs: []string{"add", "list", "revoke", "rotate-secret", "webhook-resume"}, summary: "add, list, revoke or give a new secret to partner systems (API, FHIR, webhooks)", run: runPartner})
}

func runPartner(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	fs := newFlags("partner "+sub, partnerUsage, stdout, stderr)
	name := fs.String("name", "", "the partner system's name, as coordinators know it (add)")
	agency := fs.String("agency", "", "the agency it acts for (add; none: the whole network)")
	scopes := fs.String("scopes", "read,refer,act", "comma-separated scopes (add)")
	rate := fs.Int("rate", 600, "calls a minute (add)")
	by := fs.String("by", "", "the `email` of the coordinator or admin making the change, for the audit log (add, revoke, rotate-secret, webhook-resume)")
	words, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case sub == "add" && len(words) == 0:
	case sub == "list" && len(words) == 0:
	case (sub == "revoke" || sub == "rotate-secret" || sub == "webhook-resume") && len(words) == 1:
	default:
		fs.Usage()
		return errors.New("say `onward partner add --by EMAIL --name NAME …`, `onward partner list`, `onward partner revoke ID --by EMAIL`, " +
			"`onward partner rotate-secret ID --by EMAIL` or `onward partner webhook-resume ID --by EMAIL`")
	}
	changes := sub == "add" || sub == "revoke" || sub == "rotate-secret" || sub == "webhook-resume"
	if changes && *by == "" {
		return fmt.Errorf("say who is making the change: onward partner %s --by EMAIL (a coordinator's or admin's, for the audit log)", sub)
	}
	eng, closeEng, err := openCLIEngine(ctx)
	if err != nil {
		return err
	}
	defer closeEng()
	var operator core.Actor
	if changes {
		if operator, err = operatorBy(ctx, eng, *by, "change partner systems"); err != nil {
			return err
		}
	}
	switch sub {
	case "list":
		return listPartners(ctx, eng, stdout)
	case "revoke", "rotate-secret", "webhook-resume":
		id, err := strconv.ParseInt(words[0], 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not an id: `onward partner list` shows them", words[0])
		}
		if sub == "revoke" {
			if err := eng.RevokePartner(ctx, core.PartnerID(id), operator); err != nil {
				if errors.Is(err, core.ErrNotFound) {
					return fmt.Errorf("no partner %d that is not already revoked", id)
				}
				return err
			}
			fmt.Fprintf(stdout, "Revoked partner %d: its credentials and tokens no longer work.\n", id)
			return nil
		}
		if sub == "rotate-secret" {
			c, err := eng.RotatePartnerSecret(ctx, core.PartnerID(id), operator)
			if errors.Is(err, core.ErrNotFound) {
				return fmt.Errorf("no partner %d that is not revoked: `onward partner list` shows them", id)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "New secret for partner %d, %s: the old one, and every token got with it, no longer work.\n"+
				"Keep the secret safe: it is shown now and never again.\n", c.Partner.ID, c.Partner.Name)
			fmt.Fprintf(stdout, "client_id=%s\nclient_secret=%s\n", c.Partner.ClientID, c.Secret)
			return nil
		}
		if err := eng.ResumeSubscription(ctx, core.WebhookSubscriptionID(id), operator); err != nil {
			if errors.Is(err, core.ErrNotFound) {
				return fmt.Errorf("no webhook subscription %d: `onward partner list` shows them", id)
			}
			return err
		}
		fmt.Fprintf(stdout, "Resumed webhook subscription %d: events that waited are being delivered.\n", id)
		return nil
	}
	in := core.NewPartner{Name: *name, RatePerMinute: *rate}
	for _, s := range strings.Split(*scopes, ",") {
		if s = strings.TrimSpace(s); s != "" {
			in.Scopes = append(in.Scopes, core.PartnerScope(s))
		}
	}
	agencyName := "the whole network"
	if *agency != "" {
		a, err := agencyBySlug(ctx, eng, *agency)
		if err != nil {
			return err
		}
		in.AgencyID, agencyName = a.ID, a.Name // one that has left the network is refused by AddPartner
	}
	c, err := eng.AddPartner(ctx, in, operator)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Added partner %d, %s, acting for %s with scopes %v.\nKeep the secret safe: it is shown now and never again.\n",
		c.Partner.ID, c.Partner.Name, agencyName, c.Partner.Scopes)
	fmt.Fprintf(stdout, "client_id=%s\nclient_secret=%s\n", c.Partner.ClientID, c.Secret)
	return nil
}

func listPartners(ctx context.Context, eng *core.Engine, stdout io.Writer) error {
	ps, err := eng.Partners(ctx)
	if err != nil {
		return err
	}
	as, err := eng.Agencies(ctx)
	if err != nil {
		return err
	}
	slugs := map[core.AgencyID]string{}
	for _, a := range as {
		slugs[a.ID] = a.Slug
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tAGENCY\tSCOPES\tRATE/MIN\tCLIENT ID\tSTATE")
	for _, p := range ps {
		agency, state := "(network)", "active"
		if p.AgencyID != nil {
			agency = slugs[*p.AgencyID]
		}
		if p.RevokedAt != nil {
			state = "revoked " + p.RevokedAt.Format("2006-01-02 15:04")
		}
		ss := make([]string, len(p.Scopes))
		for i, s := range p.Scopes {
			ss[i] = string(s)
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", p.ID, p.Name, agency, strings.Join(ss, ","), p.RatePerMinute, p.ClientID, state)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	subs, err := eng.Subscriptions(ctx, 0)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	if len(subs) == 0 {
		fmt.Fprintln(stdout, "No webhook subscriptions.")
		return nil
	}
	w = tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SUBSCRIPTION\tPARTNER\tURL\tSTATE")
	for _, sub := range subs {
		fmt.Fprintf(w, "%d\t%d\t%s\t%s\n", sub.ID, sub.PartnerID, sub.URL, subscriptionState(sub))
	}
	return w.Flush()
}

// subscriptionState says whether a webhook subscription delivers, for the
// list: paused ones wait for `onward partner webhook-resume ID --by EMAIL`.
func subscriptionState(s core.WebhookSubscription) string {
	switch {
	case s.PausedAt != nil:
		failed := fmt.Sprintf("%d failed deliveries", s.Failures)
		if s.Failures == 1 {
			failed = "1 failed delivery" // a 410 Gone pauses at once
		}
		return fmt.Sprintf("paused %s after %s: webhook-resume %d --by EMAIL", s.PausedAt.Format("2006-01-02 15:04"), failed, s.ID)
	case s.Failures > 0:
		return fmt.Sprintf("delivering (%d failed in a row)", s.Failures)
	}
	return "delivering"
}
