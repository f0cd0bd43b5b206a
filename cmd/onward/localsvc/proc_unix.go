//go:build unix

package localsvc

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/onward-network/onward/internal/serverproc"
)

func chownTree(root string, as *serverproc.Account) error {
	return filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(path, int(as.UID), int(as.GID)); err != nil {
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
func canReach(as *serverproc.Account, path string) error {
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
			case st.Uid == as.UID:
				ok = perm&0o100 != 0
			case st.Gid == as.GID:
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
