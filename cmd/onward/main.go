// Command onward is the Onward binary: the HTTP server, the outbox worker,
// migrations, the demo network, the local dev setup and maintenance
// commands (the benchmarks are cmd/onward-bench, so this binary links no
// test code). main only parses the subcommand; each lives in a cmd_*.go
// file and registers itself.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/onward-network/onward/cmd/onward/localsvc"
	"github.com/onward-network/onward/core"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	// subs are the commands of a family (`onward staff add`, …), read
	// by checkSubcommand before the family runs; none for a command that
	// is one thing (serve) or takes names of its own (report).
	subs []string
	run  func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

// register adds a subcommand; each cmd_*.go file registers its own in init.
func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("onward: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: onward <command> [flags]   (onward <command> --help for more)")
	fmt.Fprintln(w, "\nCommands:")
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
}

// commandNames are the commands' names in order.
func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// dispatch runs the command args name and returns the exit code: 0 on
// success and for --help, 2 (exitUsage) for a command that does not
// exist or a family's command missing or unknown, 1 (or the
// command's own exitError) when it fails, after printing why, and 3
// (exitCutShort) when serve's drain ran out of its grace.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) < 1 || isHelp(args[0]) || args[0] == "help" {
		usage(stdout)
		if len(args) < 1 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "onward: unknown command %q", args[0])
		if near := nearest(args[0], commandNames()); near != "" {
			fmt.Fprintf(stderr, "; did you mean %q?", near)
		}
		fmt.Fprint(stderr, "\n\n")
		usage(stderr)
		return exitUsage
	}
	if len(args) == 2 && (isHelp(args[1]) || args[1] == "help") {
		// `onward CMD --help` prints the command's usage and succeeds.
		// Commands made of sub-commands (client, keys, partner, …) take
		// a lone --help for an unknown sub-command: they print their
		// usage, to stderr for some, and return an error, which asked
		// for help is no error. None of them does any work first.
		_ = c.run(ctx, args[1:], stdout, stdout)
		return 0
	}
	if !checkSubcommand(ctx, c, args[1:], stderr) {
		return exitUsage
	}
	err := c.run(ctx, args[1:], stdout, stderr)
	var ex exitError
	var coded interface{ ExitCode() int }
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.As(err, &ex):
		return int(ex)
	case errors.As(err, &coded):
		// An error with a status of its own (a drain cut short) is said,
		// then exits with that status.
		printError(stderr, c.name, err)
		return coded.ExitCode()
	default:
		printError(stderr, c.name, err)
		return 1
	}
	return 0
}

// isHelp reports whether a word asks for help, as Go's flag package reads
// it.
func isHelp(word string) bool {
	return word == "-h" || word == "--help" || word == "-help" || word == "--h"
}

// printError says why a command failed: on one line, or, when it found
// several problems at once (config.Validate names every one), one line
// each, so none runs into the next.
func printError(w io.Writer, name string, err error) {
	lines := problems(err)
	if len(lines) == 1 {
		fmt.Fprintln(w, "onward "+name+": "+lines[0])
		return
	}
	fmt.Fprintf(w, "onward %s: %d problems:\n", name, len(lines))
	for _, l := range lines {
		fmt.Fprintln(w, "  - "+l)
	}
}

// problems are err's messages, one line each: the parts of an
// errors.Join (nested ones too), the fields of a core.ValidationError
// that has several (a feed imported with a problem in each of several
// services), or err's own message on one line.
func problems(err error) []string {
	if ve, ok := err.(*core.ValidationError); ok && len(ve.Fields) > 1 {
		lines := make([]string, len(ve.Fields))
		for i, f := range ve.Fields {
			lines[i] = oneLine(f.Message)
		}
		return lines
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var parts, texts []string
		for _, e := range j.Unwrap() {
			if e != nil {
				parts = append(parts, problems(e)...)
				texts = append(texts, e.Error())
			}
		}
		// Only a join reads as its parts one per line: an error made by
		// fmt.Errorf with several %w says more than its parts.
		if len(parts) > 0 && err.Error() == strings.Join(texts, "\n") {
			return parts
		}
	}
	return []string{oneLine(err.Error())}
}

// exitError makes main exit with a code without printing anything more
// (the command has already said what happened).
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit %d", int(e)) }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// newFlags returns a flag set whose --help prints the command's usage.
func newFlags(name, usageText string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("onward "+name, flag.ContinueOnError)
	// Go's flag prints a parse error to its output before returning it;
	// dispatch prints every error a command returns, so the flag set's
	// own copy goes nowhere and the error is said once.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprint(stdout, usageText)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args with fs, taking flags wherever they stand among
// the command's words, and returns the words in order. Go's flag stops at
// the first word that is not a flag, so a stray word would otherwise drop
// every flag after it without a word (an --agency forgotten before a name
// would drop --publish too); each command then says which words it takes.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return words, nil
		}
		words = append(words, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// onlyFlags parses args for a command that takes flags and no words,
// and refuses any word, naming it beside the command's usage line (the
// first line of usageText): `onward serve extra` would otherwise run as
// if the word were not there.
func onlyFlags(fs *flag.FlagSet, args []string, usageText string) error {
	words, err := parseFlags(fs, args)
	if err != nil || len(words) == 0 {
		return err
	}
	line, _, _ := strings.Cut(usageText, "\n")
	line = strings.TrimSpace(strings.TrimPrefix(line, "Usage:"))
	if line == "" {
		line = fs.Name() + " [flags]"
	}
	return fmt.Errorf("does not take %q; usage: %s", strings.Join(words, " "), line)
}

// strayWords is the error for words a command does not take.
func strayWords(command string, words []string) error {
	return fmt.Errorf("onward %s does not take %q: give each value after its flag (onward %s --help lists them)", command, strings.Join(words, " "), command)
}

func init() {
	register(command{name: "services", summary: "find or start PostgreSQL and Redis for dev and tests",
		run: localsvc.Command})
}
