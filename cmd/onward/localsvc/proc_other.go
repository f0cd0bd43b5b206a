//go:build !unix

package localsvc

import (
	"context"
	"os/exec"
)

// On systems without Unix users and flock, private servers run as this
// process's user and concurrent starts are not serialised.

func serverAccount(string) (*account, error)          { return nil, nil }
func prepare(*exec.Cmd, *account)                     {}
func chown(string, *account) error                    { return nil }
func chownTree(string, *account) error                { return nil }
func ownerOf(string) (uint32, error)                  { return 0, nil }
func canReach(*account, string) error                 { return nil }
func lockDir(context.Context, string) (func(), error) { return func() {}, nil }
