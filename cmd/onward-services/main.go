// Command onward-services is `onward services` alone: it finds or starts
// the PostgreSQL and Redis that Onward needs and prints export lines for
// them, or stops the private ones it started. `make test` runs it before
// anything else: it compiles in a fraction of the time the whole onward
// binary takes, which matters on a machine with an empty build cache. Its
// words and flags are those of `onward services`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/onward-network/onward/cmd/onward/localsvc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := localsvc.Command(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "onward services: "+err.Error())
		os.Exit(1)
	}
}
