package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/intake/flow"
	"github.com/onward-network/onward/templates"
)

const textsUsage = `Usage: onward texts [--lang CODE]

Print every text a client can be sent, in every shipped language (or one),
with the SMS segments it takes and its encoding, and its words beneath
it, indented, rendered with this
network's name, helpline, links, and opening hours and consent wording
in that language, from the database (ONWARD_DATABASE_URL), and long
sample values for the rest (an agency's name, a reference). GSM-7
carries 160 characters a segment, UCS-2 (any Polish, Ukrainian, Arabic
or Urdu letter) 70. The report "texts" counts what was actually sent,
per month and language, and its cost.

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
	var sizes []flow.MessageSize
	for _, l := range cat.Languages() {
		if *only != "" && l.Code != *only {
			continue
		}
		in, err := textSizesIn(ctx, eng, f, l.Code, n, w)
		if err != nil {
			return err
		}
		sizes = append(sizes, in...)
	}
	// One line a text, then its words indented beneath it, so the
	// network's people can read what their clients are sent.
	width := len("TEXT")
	for _, s := range sizes {
		width = max(width, len(s.ID))
	}
	fmt.Fprintf(stdout, "%-*s  %-8s  %-8s  %s\n", width, "TEXT", "LANGUAGE", "SEGMENTS", "ENCODING")
	for _, s := range sizes {
		fmt.Fprintf(stdout, "%-*s  %-8s  %-8d  %s\n", width, s.ID, s.Lang, s.Segments, s.Encoding)
		for _, line := range strings.Split(s.Text, "\n") {
			fmt.Fprintln(stdout, "    "+line)
		}
	}
	return nil
}

// textSizesIn are the sizes of every client text in language code,
// rendered with the network's keys as a text in that language carries
// them: the opening hours and the consent wording in that language (the
// network's translation, or the English), as the SMS sends them. The
// help text of a language whose hours are long costs more parts than
// the English hours would say.
func textSizesIn(ctx context.Context, eng *core.Engine, f *flow.Flow, code string, n core.Network, w core.ConsentWording) ([]flow.MessageSize, error) {
	if code != lang.English {
		var err error
		if w, err = eng.ConsentWordingIn(ctx, w.Version, code); err != nil {
			return nil, err
		}
	}
	districts, err := eng.Districts(ctx)
	if err != nil {
		return nil, err
	}
	// A client in another language is sent Onward's own data sharing page
	// with ?lang= (flow.DataSharingURLIn); counted as if the address the
	// network gives were Onward's own, the longer of the two.
	sharing := n.DataSharingURL
	if u, err := url.Parse(sharing); err == nil && code != lang.English {
		sharing = flow.DataSharingURLIn(sharing, code, u.Host)
	}
	keys := map[string]any{"Network": n.Name, "Helpline": n.Phone, "Hours": n.OpeningHoursIn(code),
		"DirectoryURL": n.DirectoryURL, "DataSharingURL": sharing, "ConsentWording": w.Body}
	// The network's own crisis lines and area example, as the texts give them.
	maps.Copy(keys, flow.LocalKeys(n.CrisisLines, flow.AreaExampleOf(districts)))
	sizes, err := f.MessageSizes(keys)
	if err != nil {
		return nil, err
	}
	// MessageSizes renders every language with the keys it is given:
	// keep the one they are right for.
	return slices.DeleteFunc(sizes, func(s flow.MessageSize) bool { return s.Lang != code }), nil
}
