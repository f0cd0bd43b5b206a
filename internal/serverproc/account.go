package serverproc

import "strconv"

// Account is the OS user a private PostgreSQL runs as when this process
// is root, which PostgreSQL refuses to run as. A nil *Account means this
// process's own user.
type Account struct {
	Name     string
	UID, GID uint32
}

func (a *Account) String() string {
	if a == nil {
		return "current user"
	}
	if a.Name != "" {
		return a.Name
	}
	return "uid " + strconv.FormatUint(uint64(a.UID), 10)
}
