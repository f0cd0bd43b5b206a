package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/onward-network/onward/core/config"
)

// keygenSettings are the settings that take a key `onward keygen`
// prints: every one whose error says to generate it with keygen.
var keygenSettings = []string{"ONWARD_ENCRYPTION_KEY", "ONWARD_SESSION_SECRET", "ONWARD_AUDIT_KEY", "ONWARD_HASH_KEY", "ONWARD_METRICS_TOKEN"}

func init() {
	register(command{name: "keygen", summary: "print a new random key for " + strings.Join(keygenSettings, ", "),
		run: func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			fs := newFlags("keygen", "Usage: onward keygen\n\nPrint base64 of 32 random bytes: a new key for any of\n"+
				strings.Join(keygenSettings, ", ")+".\nGenerate a separate key for each. ONWARD_HASH_KEY takes a new key only on a\n"+
				"new database: on one in use, set it to what `onward keys hash-key` prints.\n", stdout, stderr)
			if err := onlyFlags(fs, args, "Usage: onward keygen"); err != nil {
				return err
			}
			fmt.Fprintln(stdout, config.NewKey())
			return nil
		}})
}
