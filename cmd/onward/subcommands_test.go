package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// An on-call engineer's slip (`onward partner lst`, `onward staff`) is a
// usage error: exit 2, not 1 as for a command that ran and failed, with
// the word named, the nearest command offered, and nothing on stdout for
// a script to mistake for output. Every family is checked, from its own
// list of commands.
func TestAFamilyGivenNoCommandOrAnUnknownOneIsAUsageError(t *testing.T) {
	families := 0
	for _, name := range commandNames() {
		c := commands[name]
		if len(c.subs) == 0 {
			continue
		}
		families++
		run := func(args ...string) (int, string, string) {
			var stdout, stderr bytes.Buffer
			code := dispatch(context.Background(), append([]string{name}, args...), &stdout, &stderr)
			return code, stdout.String(), stderr.String()
		}
		if code, out, errOut := run(); code != exitUsage || out != "" || !strings.Contains(errOut, "say which: ") || !strings.Contains(errOut, "Usage") {
			t.Errorf("onward %s: exit %d, stdout %q, stderr %q; want exit 2 with the usage and the commands on stderr", name, code, out, errOut)
		}
		if code, out, errOut := run("frobnicate"); code != exitUsage || out != "" || !strings.Contains(errOut, `no command "frobnicate"`) || strings.Contains(errOut, "did you mean") {
			t.Errorf("onward %s frobnicate: exit %d, stdout %q, stderr %q; want exit 2 naming the word, no guess", name, code, out, errOut)
		}
		// A slip: the family's first command with its last letter doubled.
		sub := c.subs[0]
		slip := sub + sub[len(sub)-1:]
		if code, _, errOut := run(slip); code != exitUsage || !strings.Contains(errOut, `did you mean "`+sub+`"?`) {
			t.Errorf("onward %s %s: exit %d, stderr %q; want exit 2 offering %q", name, slip, code, errOut, sub)
		}
		for _, help := range []string{"--help", "help"} {
			if code, out, _ := run(help); code != 0 || out == "" {
				t.Errorf("onward %s %s: exit %d, stdout %q; want the usage and exit 0", name, help, code, out)
			}
		}
		// Each listed command is the family's own: its usage names it.
		var usageText bytes.Buffer
		dispatch(context.Background(), []string{name, "--help"}, &usageText, &usageText)
		for _, s := range c.subs {
			if !strings.Contains(usageText.String(), "onward "+name+" "+s) {
				t.Errorf("onward %s lists %q, which its usage does not show:\n%s", name, s, usageText.String())
			}
		}
	}
	if families < 10 {
		t.Errorf("%d families of commands checked; want every one (staff, partner, client, …)", families)
	}
}

func TestAnUnknownCommandOffersTheNearest(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := dispatch(context.Background(), []string{"stafff"}, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), `did you mean "staff"?`) {
		t.Errorf("onward stafff: exit %d, stderr %q; want exit 2 offering staff", code, stderr.String())
	}
}

func TestNearest(t *testing.T) {
	words := []string{"add", "list", "revoke", "rotate-secret", "webhook-resume"}
	for typed, want := range map[string]string{
		"lst": "list", "lsit": "list", "LIST": "list", "revok": "revoke", "rotate": "rotate-secret",
		"webhook": "webhook-resume", "ad": "add", "remove": "revoke", "x": "", "delete": "", "": "",
	} {
		if got := nearest(typed, words); got != want {
			t.Errorf("nearest(%q) = %q, want %q", typed, got, want)
		}
	}
}
