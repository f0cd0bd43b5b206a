//go:build unix

package localsvc

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// serverAccount returns the account a private PostgreSQL runs as: nil (this
// process's user) unless this process is root. As root it keeps the owner of
// an existing data folder, else uses the postgres user, else nobody.
func serverAccount(dataDir string) (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	if fi, err := os.Stat(dataDir); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != 0 {
			a := &account{uid: st.Uid, gid: st.Gid}
			if u, err := user.LookupId(strconv.FormatUint(uint64(st.Uid), 10)); err == nil {
				a.name = u.Username
				if gid, err := strconv.ParseUint(u.Gid, 10, 32); err == nil {
					a.gid = uint32(gid)
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
		return &account{name: name, uid: uint32(uid), gid: uint32(gid)}, nil
	}
	return nil, errors.New("PostgreSQL refuses to run as root, and there is neither a postgres nor a nobody user to run it as")
}

// prepare starts cmd in its own session, so a Ctrl-C in the terminal does not
// reach a server it leaves running, and as account as when not nil.
func prepare(cmd *exec.Cmd, as *account) {
	attr := &syscall.SysProcAttr{Setsid: true}
	if as != nil {
		attr.Credential = &syscall.Credential{Uid: as.uid, Gid: as.gid, Groups: []uint32{}}
	}
	cmd.SysProcAttr = attr
}

func chown(path string, as *account) error {
	if as == nil {
		return nil
	}
	if err := os.Chown(path, int(as.uid), int(as.gid)); err != nil {
		return fmt.Errorf("give %s to %s: %w", path, as, err)
	}
	return nil
}

func chownTree(root string, as *account) error {
	return filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(path, int(as.uid), int(as.gid)); err != nil {
			return fmt.Errorf("give %s to %s: %w", path, as, err)
		}
		return nil
	})
}

func ownerOf(path string) (uint32, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, fmt.Errorf("no owner for %s", path)
	}
	return st.Uid, nil
}

// canReach checks that account as may enter every folder above path, so a
// checkout under /root (mode 0700) fails with a fix rather than with
// initdb's "could not change directory". It reads mode bits only; ACLs and
// supplementary groups are not considered.
func canReach(as *account, path string) error {
	if as == nil {
		return nil
	}
	for d := filepath.Dir(path); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		perm := fi.Mode().Perm()
		ok := perm&0o001 != 0
		if st, isStat := fi.Sys().(*syscall.Stat_t); isStat {
			switch {
			case st.Uid == as.uid:
				ok = perm&0o100 != 0
			case st.Gid == as.gid:
				ok = perm&0o010 != 0
			}
		}
		if !ok {
			return fmt.Errorf("PostgreSQL refuses to run as root, so it runs as user %s, who cannot enter %s (mode %04o): run `chmod o+x %s`, or use a state folder that user can reach", as, d, perm, d)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

// lockDir takes an exclusive lock on dir/.lock, waiting while another
// process holds it, and returns the function that releases it.
func lockDir(ctx context.Context, dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock state folder: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock state folder: %w", err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("wait for another onward process to finish starting services in %s: %w", dir, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
