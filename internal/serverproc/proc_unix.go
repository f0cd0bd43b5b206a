//go:build unix

package serverproc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
)

// ServerAccount returns the account a private PostgreSQL runs as: nil
// (this process's user) unless this process is root. As root it keeps
// the owner of an existing data folder (dataDir may be "" or not exist
// yet), else uses the postgres user, else nobody.
func ServerAccount(dataDir string) (*Account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	if fi, err := os.Stat(dataDir); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != 0 {
			a := &Account{UID: st.Uid, GID: st.Gid}
			if u, err := user.LookupId(strconv.FormatUint(uint64(st.Uid), 10)); err == nil {
				a.Name = u.Username
				if gid, err := strconv.ParseUint(u.Gid, 10, 32); err == nil {
					a.GID = uint32(gid)
				}
			}
			return a, nil
		}
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil || uid == 0 {
			continue
		}
		return &Account{Name: name, UID: uint32(uid), GID: uint32(gid)}, nil
	}
	return nil, errors.New("PostgreSQL refuses to run as root, and there is neither a postgres nor a nobody user to run it as")
}

// Prepare starts cmd in its own session, so a Ctrl-C in the terminal does
// not reach a server it leaves running, and as account as when not nil.
func Prepare(cmd *exec.Cmd, as *Account) {
	attr := &syscall.SysProcAttr{Setsid: true}
	if as != nil {
		attr.Credential = &syscall.Credential{Uid: as.UID, Gid: as.GID, Groups: []uint32{}}
	}
	cmd.SysProcAttr = attr
}

// Chown gives path to account as; a nil account leaves it alone.
func Chown(path string, as *Account) error {
	if as == nil {
		return nil
	}
	if err := os.Chown(path, int(as.UID), int(as.GID)); err != nil {
		return fmt.Errorf("give %s to %s: %w", path, as, err)
	}
	return nil
}
