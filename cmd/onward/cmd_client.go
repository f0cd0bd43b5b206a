package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/onward-network/onward/cmd/internal/wiring"
	"github.com/onward-network/onward/core"
)

const clientUsage = `Usage:
  onward client withdraw REF --evidence TEXT   record that the client withdrew consent
  onward client erase REF --reason TEXT        erase the client's details for good
  onward client export REF [--html FILE]       everything held about the client (JSON on stdout)
  onward client retention [--dry-run]          erase clients due under the network's retention setting
  onward client settings [--referrer-days N] [--retention-months N] [--withdraw-keyword WORD]
                                               show or change the data protection settings

REF is any of the client's referral references (ONW-...). Withdrawal
cancels their open referrals, tells the agencies holding them and the client,
and stops every disclosure of their details. Erasure destroys the client's
data key: their details cannot be read again from the database or any
backup, while anonymous figures and the audit log remain. Export writes the
details, consents with their exact wording, referrals, events and every
disclosure, as JSON, and as a readable page with --html.
`

func init() {
	register(command{name: "client", summary: "withdraw consent, erase, or export everything held about a client", run: runClient})
}

func runClient(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 1 {
		fmt.Fprint(stderr, clientUsage)
		return errors.New("say `onward client withdraw|erase|export REF`")
	}
	sub := args[0]
	fs := newFlags("client "+sub, clientUsage, stdout, stderr)
	dryRun := fs.Bool("dry-run", false, "retention: list who would be erased, erase nothing")
	referrerDays := fs.Int("referrer-days", -1, "settings: days after closure the referring agency still sees details")
	retentionMonths := fs.Int("retention-months", -1, "settings: months after the last referral closed before details are erased (0 = never)")
	keyword := fs.String("withdraw-keyword", "", "settings: the word a client texts to withdraw consent")
	evidence := fs.String("evidence", "", "withdraw: how the client asked (e.g. \"letter of 3 Dec\")")
	reason := fs.String("reason", "", "erase: why (e.g. \"client asked\")")
	htmlOut := fs.String("html", "", "export: also write a readable page to this file")
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
	var page *os.File
	if sub == "export" && *htmlOut != "" {
		// Opened before anything is read: a path that cannot be written
		// fails the export before any detail is disclosed or audited.
		if page, err = os.OpenFile(*htmlOut, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600); err != nil {
			return fmt.Errorf("--html: %w", err)
		}
		defer page.Close()
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
	eng := core.NewEngine(pool, crypt, core.SystemClock{}, core.RandomIDs{}, newLogger(cfg))
	defer eng.Close()
	if sub == "erase" { // retention's erasures leave Redis to expire (core.ApplyRetention)
		rdb, _, err := wiring.NewRedis(cfg.RedisURL)
		if err != nil {
			return fmt.Errorf("ONWARD_REDIS_URL: %w", err)
		}
		defer rdb.Close()
		wiring.AddDeadline(rdb, cfg.RedisTimeout)
		forgetErasedTexts(eng, rdb)
	}
	switch sub {
	case "retention":
		res, err := eng.ApplyRetention(ctx, *dryRun)
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
		for _, id := range res.Clients {
			fmt.Fprintf(stdout, "  client %d\n", id)
		}
	case "settings":
		dp, err := eng.DataProtection(ctx)
		if err != nil {
			return err
		}
		if *referrerDays >= 0 || *retentionMonths >= 0 || *keyword != "" {
			if *referrerDays >= 0 {
				dp.ReferrerDetailsDays = *referrerDays
			}
			if *retentionMonths >= 0 {
				dp.RetentionMonths = *retentionMonths
			}
			if *keyword != "" {
				dp.WithdrawKeyword = *keyword
			}
			if err := eng.SetDataProtection(ctx, dp); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "referrer sees details for %d days after closure; retention %d months (0 = never); withdraw keyword %s\n",
			dp.ReferrerDetailsDays, dp.RetentionMonths, strings.ToUpper(dp.WithdrawKeyword))
	case "withdraw":
		res, err := eng.WithdrawByReference(ctx, ref, cliActor, "cli", *evidence)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Consent withdrawn; %d open referral(s) cancelled. Nobody can see this client's details now.\n", res.Cancelled)
	case "erase":
		client, _, err := eng.ClientByReference(ctx, ref)
		if err != nil {
			return err
		}
		if err := eng.EraseClient(ctx, client, cliActor, *reason); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "Client's details erased: their data key is destroyed. Referral figures and the audit log remain.")
	case "export":
		client, _, err := eng.ClientByReference(ctx, ref)
		if err != nil {
			return err
		}
		sa, err := eng.ExportClient(ctx, client, cliActor, "cli")
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
