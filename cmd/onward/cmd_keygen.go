package main

import (
	"context"
	"fmt"
	"io"

	"github.com/onward-network/onward/core/config"
)

func init() {
	register(command{name: "keygen", summary: "print a new random key for ONWARD_ENCRYPTION_KEY or ONWARD_SESSION_SECRET",
		run: func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			fs := newFlags("keygen", "Usage: onward keygen\n\nPrint base64 of 32 random bytes.\n", stdout, stderr)
			if err := fs.Parse(args); err != nil {
				return err
			}
			fmt.Fprintln(stdout, config.NewKey())
			return nil
		}})
}
