package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/openreferral"
)

const directoryUsage = `Usage: onward directory export [> directory.json]
       onward directory import [--dry-run] [--by EMAIL] FILE|URL|-

export writes the whole directory as Open Referral UK (HSDS 3.0) JSON: an
array of full services with their organizations and locations. It imports
back with no change.

import reads an Open Referral UK 3.0 feed — a file of full services (or a
page, an organization with its services), "-" for standard input, or the
address of another directory's API (its /services are read page by page)
— and merges it by id in one transaction: new services are added (not
yet referable: a coordinator enables them), changed ones are updated, and
services of the feed's organizations that the feed no longer lists are
retired. --dry-run says what would be added, changed and retired, and
writes nothing. Each change is recorded in the audit log with the feed's
file or address and who ran the import (--by a coordinator's email, else
the command line). A feed with broken records names each one, and nothing is
written.

Needs ONWARD_DATABASE_URL.
`

func init() {
	register(command{name: "directory", subs: []string{"export", "import"}, summary: "export the directory as Open Referral UK JSON, or import a feed", run: runDirectory})
}

// feedTimeout bounds reading a feed from another directory's API.
const feedTimeout = 2 * time.Minute

func runDirectory(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("directory", directoryUsage, stdout, stderr)
	dryRun := fs.Bool("dry-run", false, "say what would change, and change nothing")
	by := fs.String("by", "", "the `email` of the coordinator running the import, for the audit log (else the command line)")
	if len(args) > 0 && (args[0] == "import" || args[0] == "export") {
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
	} else {
		fs.Usage()
		return errors.New("say `onward directory export` or `onward directory import FILE|URL`")
	}
	if args[0] == "import" && fs.NArg() != 1 || args[0] == "export" && fs.NArg() != 0 {
		fs.Usage()
		return errors.New("say `onward directory export` or `onward directory import [--dry-run] FILE|URL`")
	}
	eng, closeEng, err := openCLIEngine(ctx)
	if err != nil {
		return err
	}
	defer closeEng()
	api, err := openreferral.New(openreferral.Config{Engine: eng})
	if err != nil {
		return err
	}
	if args[0] == "export" {
		w := bufio.NewWriter(stdout)
		if err := api.Export(ctx, w); err != nil {
			return err
		}
		return w.Flush()
	}
	src := fs.Arg(0)
	var data []byte
	switch {
	case src == "-":
		data, err = io.ReadAll(os.Stdin)
	case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
		data, err = openreferral.FetchFeed(ctx, &http.Client{}, src, feedTimeout)
	default:
		data, err = os.ReadFile(src)
	}
	if err != nil {
		return fmt.Errorf("read the feed: %w", err)
	}
	services, warnings, err := api.ReadFeed(ctx, data)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintln(stderr, "note:", w)
	}
	from := core.DirectoryImportFrom{Source: feedSource(src), By: cliActor}
	if *by != "" {
		s, err := eng.StaffByEmail(ctx, *by)
		if err != nil {
			return fmt.Errorf("--by %s: %w", *by, err)
		}
		from.By = s.Actor()
	}
	rep, err := eng.ImportDirectory(ctx, services, *dryRun, from)
	if err != nil {
		return err
	}
	for _, c := range rep.Changes {
		fmt.Fprintln(stdout, c)
	}
	verb := "imported"
	if *dryRun {
		verb = "dry run, nothing written"
	}
	if len(rep.Changes) == 0 {
		fmt.Fprintf(stdout, "no change (%d services read; %s)\n", len(services), verb)
		return nil
	}
	fmt.Fprintf(stdout, "%d to add, %d to change, %d to retire (%d services read; %s)\n",
		rep.Count("add"), rep.Count("change"), rep.Count("retire"), len(services), verb)
	return nil
}

// feedSource names a feed for the audit log: the file as given, or the
// address without its user, query or fragment, which may hold a key.
func feedSource(src string) string {
	if src == "-" {
		return "standard input"
	}
	u, err := url.Parse(src)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return src
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}
