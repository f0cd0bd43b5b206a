package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"text/tabwriter"

	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/intake/flow"
	"github.com/onward-network/onward/templates"
)

const textsUsage = `Usage: onward texts [--lang CODE]

Print every text a client can be sent, in every shipped language (or one),
with the SMS segments it takes and its encoding, rendered with this
network's name, helpline, links and consent wording from the database
(ONWARD_DATABASE_URL) and long sample values for the rest (an agency's
name, a reference). GSM-7 carries 160 characters a segment, UCS-2 (any
Polish, Ukrainian, Arabic or Urdu letter) 70. The report "texts" counts
what was actually sent, per month and language, and its cost.

Flags:
`

func init() {
	register(command{name: "texts", summary: "list every client text per language with its SMS segments", run: runTexts})
}

func runTexts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("texts", textsUsage, stdout, stderr)
	only := fs.String("lang", "", "only the language with this `code` (en, pl, uk, ar, ur, gd)")
	words, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(words) > 0 {
		return strayWords("texts", words)
	}
	cat, err := lang.Load(templates.FS, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	if *only != "" {
		if _, ok := cat.Language(*only); !ok {
			return fmt.Errorf("--lang: no shipped language %q", *only)
		}
	}
	f, err := flow.LoadFlowIn(templates.FS, "self_referral", cat)
	if err != nil {
		return err
	}
	eng, done, err := openCLIEngine(ctx)
	if err != nil {
		return err
	}
	defer done()
	n, err := eng.Network(ctx)
	if err != nil {
		return err
	}
	w, err := eng.CurrentConsentWording(ctx)
	if err != nil {
		return err
	}
	sizes, err := f.MessageSizes(map[string]any{"Network": n.Name, "Helpline": n.Phone, "Hours": n.OpeningHours,
		"DirectoryURL": n.DirectoryURL, "DataSharingURL": n.DataSharingURL, "ConsentWording": w.Body})
	if err != nil {
		return err
	}
	sizes = slices.DeleteFunc(sizes, func(s flow.MessageSize) bool { return *only != "" && s.Lang != *only })
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TEXT\tLANGUAGE\tSEGMENTS\tENCODING")
	for _, s := range sizes {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", s.ID, s.Lang, s.Segments, s.Encoding)
	}
	return tw.Flush()
}
