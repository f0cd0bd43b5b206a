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
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
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
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) < 2 || os.Args[1] == "help" || os.Args[1] == "-h" || os.Args[1] == "--help" {
		usage(os.Stdout)
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	c, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "onward: unknown command %q\n\n", os.Args[1])
		usage(os.Stderr)
		os.Exit(2)
	}
	err := c.run(ctx, os.Args[2:], os.Stdout, os.Stderr)
	var ex exitError
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.As(err, &ex):
		os.Exit(int(ex))
	default:
		fmt.Fprintln(os.Stderr, "onward "+c.name+": "+oneLine(err.Error()))
		os.Exit(1)
	}
}

// exitError makes main exit with a code without printing anything more
// (the command has already said what happened).
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit %d", int(e)) }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// newFlags returns a flag set whose --help prints the command's usage.
func newFlags(name, usageText string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("onward "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
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

// strayWords is the error for words a command does not take.
func strayWords(command string, words []string) error {
	return fmt.Errorf("onward %s does not take %q: give each value after its flag (onward %s --help lists them)", command, strings.Join(words, " "), command)
}

func init() {
	register(command{name: "services", summary: "find or start PostgreSQL and Redis for dev and tests",
		run: runServices})
}
