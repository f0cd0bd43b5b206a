package main

import (
	"context"
	"fmt"
	"io"
	"strings"
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
		fmt.Fprintf(stderr, "\nonward %s: say which: %s\n", c.name, orList(c.subs))
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
	fmt.Fprintf(stderr, "%s\nIt takes %s (onward %s --help says more).\n", msg, orList(c.subs), c.name)
	return false
}

// orList is words as a list read aloud: "a, b or c".
func orList(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
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
		if d := editDistance(typed, w); d < bestDist && d < len(w) {
			best, bestDist = w, d
		}
	}
	return best
}

// editDistance is the number of single-letter insertions, deletions,
// substitutions and swaps of neighbours that turn a into b (optimal
// string alignment distance).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
