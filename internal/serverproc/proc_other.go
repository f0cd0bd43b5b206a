//go:build !unix

package serverproc

import "os/exec"

// On systems without Unix users, private servers run as this process's
// user.

// ServerAccount is always this process's user here.
func ServerAccount(string) (*Account, error) { return nil, nil }

// Prepare leaves cmd as it is here.
func Prepare(*exec.Cmd, *Account) {}

// Chown does nothing here.
func Chown(string, *Account) error { return nil }
