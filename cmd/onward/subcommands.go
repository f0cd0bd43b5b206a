package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/onward-network/onward/bot/api"
	"github.com/onward-network/onward/core"
)

// exitUsage is the exit status of a command line that names no command
// Onward has: an unknown command, or a family of commands (staff,
// partner, …) given none of its own or one it does not have. Scripts can
// tell it from a command that ran and failed (1).
const exitUsage = 2

// checkSubcommand reads the word after a family's name (`onward staff
// frob`) against the family's own commands, before the family runs. It
// returns false, having said what was wrong, when there is no word (the
// family's usage then goes to stderr) or the word is not one of them
// (named, with the nearest command if one is close). A first word that is
// a flag is left to the family, as some take flags before their command.
func checkSubcommand(ctx context.Context, c command, args []string, stderr io.Writer) bool {
	if len(c.subs) == 0 || len(args) > 0 && strings.HasPrefix(args[0], "-") {
		return true
	}
	if len(args) == 0 {
		// Asked for help, every family prints its usage and does no work.
		_ = c.run(ctx, []string{"--help"}, stderr, stderr)
		fmt.Fprintf(stderr, "\nonward %s: say which: %s\n", c.name, api.OrList(c.subs))
		return false
	}
	for _, s := range c.subs {
		if args[0] == s {
			return true
		}
	}
	msg := fmt.Sprintf("onward %s: there is no command %q", c.name, args[0])
	if near := nearest(args[0], c.subs); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	fmt.Fprintf(stderr, "%s\nIt takes %s (onward %s --help says more).\n", msg, api.OrList(c.subs), c.name)
	return false
}

// nearest is the word among words closest to typed, when close enough to
// be a slip (a letter or two wrong, missing, doubled or swapped, or the
// start of it typed), or "" when none is.
func nearest(typed string, words []string) string {
	typed = strings.ToLower(typed)
	best, bestDist := "", 3
	for _, w := range words {
		if len(typed) >= 3 && strings.HasPrefix(w, typed) {
			return w
		}
		if d := core.EditDistance(typed, w); d < bestDist && d < len(w) {
			best, bestDist = w, d
		}
	}
	return best
}
