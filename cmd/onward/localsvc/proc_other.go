//go:build !unix

package localsvc

import (
	"context"

	"github.com/onward-network/onward/internal/serverproc"
)

// On systems without Unix users and flock, private servers run as this
// process's user and concurrent starts are not serialised.

func chownTree(string, *serverproc.Account) error     { return nil }
func ownerOf(string) (uint32, error)                  { return 0, nil }
func canReach(*serverproc.Account, string) error      { return nil }
func lockDir(context.Context, string) (func(), error) { return func() {}, nil }
