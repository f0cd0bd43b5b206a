package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/onward-network/onward/cmd/internal/wiring"
	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
	"github.com/onward-network/onward/intake/sim"
	"github.com/onward-network/onward/intake/sms"
	"github.com/onward-network/onward/internal/redisurl"
	"github.com/onward-network/onward/templates"
)

// clientUsage is the command's help, with core's lists of erasure
// reasons and of the ways a subject access request comes in.
func clientUsage() string {
	list := func(cs []core.Choice) string {
		var b strings.Builder
		for _, c := range cs {
			fmt.Fprintf(&b, "    %-20s %s\n", c.Code, c.Label)
		}
		return b.String()
	}
	return `Usage:
  onward client withdraw REF --by EMAIL --evidence TEXT
                                               record that the client withdrew consent
  onward client erase REF --by EMAIL --reason CODE
                                               erase the client's details for good
  onward client export REF --by EMAIL --request-via HOW --request-date YYYY-MM-DD --request-ref REF [--html FILE]
                                               everything held about the client (JSON on stdout),
                                               answering the subject access request given
  onward client retention --by EMAIL | --scheduled | --dry-run
                                               erase clients due under the network's retention setting,
                                               and list the referrals open longer than it (kept)
  onward client settings [--by EMAIL --referrer-days N --retention-months N --withdraw-keyword WORD]
                                               show or change the data protection settings

REF is any of the client's referral references (ONW-...). --by is the email
of the coordinator or admin running the command: the audit log names them.
A run of retention by hand takes --by too; --scheduled says the network's
own schedule (cron) runs it, and the log names Onward, as it does for the
worker's daily run.
Withdrawal cancels their open referrals, tells the agencies holding them and
the client, and stops every disclosure of their details. Erasure destroys the
client's data key: their details cannot be read again from the database or
any backup, while anonymous figures and the audit log remain. Export writes
the details, consents with their exact wording, referrals, events and every
disclosure, as JSON, and as a readable page with --html; the audit log keeps
it with the request it answers.

Erasure reasons (--reason):
` + list(core.ErasureReasons()) + `
How a subject access request came in (--request-via):
` + list(core.RequestChannels())
}

func init() {
	register(command{name: "client", subs: []string{"withdraw", "erase", "export", "retention", "settings"}, summary: "withdraw consent, erase, or export everything held about a client", run: runClient})
}

func runClient(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 1 {
		fmt.Fprint(stderr, clientUsage())
		return errors.New("say `onward client withdraw|erase|export REF`")
	}
	sub := args[0]
	fs := newFlags("client "+sub, clientUsage(), stdout, stderr)
	dryRun := fs.Bool("dry-run", false, "retention: list who would be erased, erase nothing")
	scheduled := fs.Bool("scheduled", false, "retention: this run is the network's schedule (cron), not a person: the audit log names Onward")
	// The settings flags change only what is given: their help says so
	// rather than show a made-up default (a setting's value is the
	// network's, shown by `onward client settings`).
	referrerDays := fs.Int("referrer-days", 0, "settings: days after closure the referring agency still sees details (unchanged when not given)")
	retentionMonths := fs.Int("retention-months", 0, "settings: months after the last referral closed before details are erased, 0 to keep them until erased by hand (unchanged when not given)")
	keyword := fs.String("withdraw-keyword", "", "settings: the word a client texts to withdraw consent (unchanged when not given)")
	evidence := fs.String("evidence", "", "withdraw: how the client asked (e.g. \"letter of 3 Dec\")")
	reason := fs.String("reason", "", "erase: why, as a `code` from the list above")
	htmlOut := fs.String("html", "", "export: also write a readable page to this file")
	by := fs.String("by", "", "the `email` of the coordinator or admin running it, for the audit log")
	requestVia := fs.String("request-via", "", "export: how the subject access request came in (a `code` from the list above)")
	requestDate := fs.String("request-date", "", "export: the `day` the request was received, YYYY-MM-DD")
	requestRef := fs.String("request-ref", "", "export: your organisation's own case `reference` for the request, such as "+core.RequestReferenceExample+" (letters, digits and - / . _; not the client's name, phone, email or postcode)")
	words, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	ref := ""
	switch sub {
	case "withdraw", "erase", "export":
		if len(words) == 0 {
			return fmt.Errorf("say which client: onward client %s REF", sub)
		}
		if ref = words[0]; len(words) > 1 {
			return strayWords("client "+sub, words[1:])
		}
	case "retention", "settings":
		if len(words) > 0 {
			return strayWords("client "+sub, words)
		}
	default:
		fs.Usage()
		return fmt.Errorf("unknown client command %q", sub)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	changing := given["referrer-days"] || given["retention-months"] || *keyword != ""
	if *by == "" && (sub == "withdraw" || sub == "erase" || sub == "export" || sub == "settings" && changing) {
		return fmt.Errorf("say who is running it: onward client %s --by EMAIL (a coordinator's or admin's, for the audit log)", sub)
	}
	if sub == "retention" && !*dryRun {
		// A real run erases: the audit log names the person who ran it,
		// or Onward when it is the network's own schedule.
		switch {
		case *by == "" && !*scheduled:
			return errors.New("say who is running it: onward client retention --by EMAIL (a coordinator's or admin's, for the audit log), " +
				"or --scheduled when the network's schedule runs it (cron), not a person")
		case *by != "" && *scheduled:
			return errors.New("give --by EMAIL when a person runs it, or --scheduled when the network's schedule does, not both")
		}
	}
	cfg, err := loadDBConfig()
	if err != nil {
		return err
	}
	crypt, err := newCrypter(cfg)
	if err != nil {
		return err
	}
	pool, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	eng, err := newEngine(cfg, pool, crypt, newLogger(cfg))
	if err != nil {
		return err
	}
	defer eng.Close()
	operator := cliActor
	if *by != "" {
		if operator, err = operatorBy(ctx, eng, *by, "run data protection commands"); err != nil {
			return err
		}
	}
	var page *os.File
	if sub == "export" && *htmlOut != "" {
		// Opened before any client's detail is read: a path that cannot
		// be written fails the export before anything is disclosed or
		// audited.
		if page, err = os.OpenFile(*htmlOut, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600); err != nil {
			return fmt.Errorf("--html: %w", err)
		}
		defer page.Close()
	}
	if sub == "erase" { // retention's erasures leave Redis to expire (core.ApplyRetention)
		rdb, _, err := redisurl.New(cfg.RedisURL)
		if err != nil {
			return fmt.Errorf("ONWARD_REDIS_URL: %w", err)
		}
		defer rdb.Close()
		wiring.AddDeadline(rdb, cfg.RedisTimeout)
		if cfg.Dev() {
			// Run beside `onward dev`, the erasure removes the phone's
			// simulator threads too, as one from the dev server does
			// (mountSMS), after its texts; the threads go even when the
			// texts' removal fails.
			texts := sms.Forget(rdb, "onward:")
			eng.OnErase(func(ctx context.Context, phoneHash []byte) error {
				return errors.Join(texts(ctx, phoneHash), sim.ForgetThreads(ctx, rdb, "onward:", phoneHash))
			})
		} else {
			forgetErasedTexts(eng, rdb)
		}
	}
	switch sub {
	case "retention":
		retainer := core.SystemActor
		if *by != "" {
			retainer = operator
		}
		res, err := eng.ApplyRetention(ctx, retainer, *dryRun)
		if err != nil {
			return err
		}
		if res.Months == 0 {
			fmt.Fprintln(stdout, "No retention period is set (onward client settings --retention-months N): nothing is erased.")
			return nil
		}
		verb := "Erased"
		if res.DryRun {
			verb = "Would erase"
		}
		fmt.Fprintf(stdout, "%s the details of %d client(s) whose last referral closed before %s:\n", verb, len(res.Clients), res.Cutoff.Format("2 Jan 2006"))
		dates, err := eng.ReferralDatesOf(ctx, res.Clients)
		if err != nil {
			return err
		}
		for _, id := range res.Clients {
			fmt.Fprintf(stdout, "  %s\n", referralDatesLine(dates[id]))
		}
		writeKeptOpen(stdout, res)
	case "settings":
		dp, err := eng.DataProtection(ctx)
		if err != nil {
			return err
		}
		if changing {
			if given["referrer-days"] {
				dp.ReferrerDetailsDays = *referrerDays
			}
			if given["retention-months"] {
				dp.RetentionMonths = *retentionMonths
			}
			if *keyword != "" {
				dp.WithdrawKeyword = *keyword
			}
			words, err := flow.LoadFlow(templates.FS, "self_referral")
			if err != nil {
				return err
			}
			clashes := func(word string) string { return words.KeywordClash(word, flow.KeywordWithdraw) }
			if err := eng.SetDataProtection(ctx, core.DataProtectionChange{DataProtection: dp, By: operator, Clashes: clashes}); err != nil {
				return err
			}
			if dp, err = eng.DataProtection(ctx); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "referrer sees details for %d days after closure; retention %d months (0 = never); withdraw keyword %s\n",
			dp.ReferrerDetailsDays, dp.RetentionMonths, strings.ToUpper(dp.WithdrawKeyword))
	case "withdraw":
		res, err := eng.WithdrawByReference(ctx, ref, operator, "cli", *evidence)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Consent withdrawn; %d open referral(s) cancelled. Nobody can see this client's details now.\n", res.Cancelled)
	case "erase":
		client, _, err := eng.ClientByReference(ctx, ref)
		if err != nil {
			return err
		}
		if err := eng.EraseClient(ctx, client, operator, core.ErasureReason(*reason), "cli"); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "Client's details erased: their data key is destroyed. Referral figures and the audit log remain.")
	case "export":
		client, _, err := eng.ClientByReference(ctx, ref)
		if err != nil {
			return err
		}
		req := core.SubjectAccessRequest{Channel: core.RequestChannel(*requestVia), Reference: *requestRef}
		if *requestDate != "" {
			if req.Received, err = time.Parse(time.DateOnly, *requestDate); err != nil {
				return fmt.Errorf("--request-date %q: give the day as YYYY-MM-DD", *requestDate)
			}
		}
		sa, err := eng.ExportClient(ctx, client, operator, "cli", req)
		if err != nil {
			return err
		}
		if page != nil {
			if err := core.WriteSubjectAccessHTML(page, sa); err != nil {
				return fmt.Errorf("write %s: %w", *htmlOut, err)
			}
			if err := page.Close(); err != nil {
				return fmt.Errorf("write %s: %w", *htmlOut, err)
			}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sa); err != nil {
			return err
		}
	}
	return nil
}

// operatorBy is the member of staff named by --by, who must be a
// coordinator or admin: the audit log names them as the one who acted
// from the command line (through "cli"). what says what they are doing,
// for the refusal ("run data protection commands").
func operatorBy(ctx context.Context, eng *core.Engine, email, what string) (core.Actor, error) {
	s, err := eng.StaffByEmail(ctx, email)
	if errors.Is(err, core.ErrNotFound) {
		return core.Actor{}, fmt.Errorf("--by %s: no current member of staff has that email (onward staff list)", email)
	}
	if err != nil {
		return core.Actor{}, fmt.Errorf("--by %s: %w", email, err)
	}
	if a := s.Actor(); a.Coordinates() {
		return a, nil
	}
	return core.Actor{}, fmt.Errorf("--by %s: only a coordinator or admin can %s", email, what)
}

// writeKeptOpen lists the referrals open longer than the retention
// period, whose clients retention keeps, under core's words on why and
// what to do; by reference, status, agency and age, never a client's
// details.
func writeKeptOpen(w io.Writer, res core.RetentionResult) {
	if len(res.KeptOpen) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%d referral(s) open for longer than the retention period (made before %s):\n%s\n",
		len(res.KeptOpen), res.Cutoff.Format("2 Jan 2006"), core.RetentionKeptOpenAdvice)
	for _, r := range res.KeptOpen {
		agency := r.Agency
		if agency == "" {
			agency = "in triage"
		}
		fmt.Fprintf(w, "  %s  %s  %s  made %s, %d days ago\n", r.Reference, r.Status.Label(), agency, r.CreatedAt.Format("2 Jan 2006"), r.Days)
	}
}

// referralDatesLine names a client by their referrals' references and
// dates, never their details or internal id.
func referralDatesLine(refs []core.ReferralDates) string {
	if len(refs) == 0 {
		return "a client with no referral"
	}
	parts := make([]string, len(refs))
	for i, r := range refs {
		parts[i] = r.Reference + " (made " + r.CreatedAt.Format("2 Jan 2006")
		if r.ClosedAt != nil {
			parts[i] += ", closed " + r.ClosedAt.Format("2 Jan 2006")
		}
		parts[i] += ")"
	}
	return strings.Join(parts, ", ")
}
