package localsvc

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

const servicesUsage = `Usage: onward services <command> [flags]

Find or start the PostgreSQL and Redis that Onward needs on this machine:
ONWARD_DATABASE_URL / ONWARD_REDIS_URL if set, else the machine's servers on
their default ports, else private servers started under the state folder.

Commands:
  env    print export lines for ONWARD_DATABASE_URL and ONWARD_REDIS_URL;
         private servers it starts keep running for the next command
           eval "$(onward services env)"
  stop   stop the private servers recorded under the state folder

Flags:
  --dir DIR     state folder for private servers (default .onward)
  --db NAME     database to use, created if missing (default onward; env only)
  --private     skip the machine's servers, use private ones (env only)
`

// Command implements `onward services env|stop`: the shell glue that lets
// `make test` export the URLs Ensure finds, and stop what it started. The
// onward binary runs it, and so does cmd/onward-services, which the
// Makefile runs because it compiles in a fraction of the time.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, servicesUsage)
		return errors.New("say env or stop")
	}
	cmd, args := args[0], args[1:]
	if cmd == "help" || cmd == "-h" || cmd == "-help" || cmd == "--help" {
		fmt.Fprint(stdout, servicesUsage)
		return nil
	}

	fs := flag.NewFlagSet("onward services "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // the error is returned, and printed once by dispatch
	fs.Usage = func() { fmt.Fprint(stdout, servicesUsage) }
	dir := fs.String("dir", ".onward", "")
	db := fs.String("db", "onward", "")
	private := fs.Bool("private", false, "")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", cmd, fs.Arg(0))
	}
	// stdout carries only the export lines, so progress goes to stderr.
	log := slog.New(slog.NewTextHandler(stderr, nil))

	switch cmd {
	case "env":
		svc, err := Ensure(ctx, Options{
			Dir:           *dir,
			DatabaseURL:   os.Getenv("ONWARD_DATABASE_URL"),
			RedisURL:      os.Getenv("ONWARD_REDIS_URL"),
			DBName:        *db,
			PreferPrivate: *private,
			Log:           log,
		})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "export ONWARD_DATABASE_URL=%s\nexport ONWARD_REDIS_URL=%s\n",
			shellQuote(svc.DatabaseURL), shellQuote(svc.RedisURL))
		return err
	case "stop":
		return StopPrivate(ctx, *dir, log)
	default:
		fmt.Fprint(stderr, servicesUsage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// shellQuote single-quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
