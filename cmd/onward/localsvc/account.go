package localsvc

import "strconv"

// account is the OS user a private PostgreSQL runs as when this process is
// root, which PostgreSQL refuses to run as. A nil *account means this
// process's own user.
type account struct {
	name     string
	uid, gid uint32
}

func (a *account) String() string {
	if a == nil {
		return "current user"
	}
	if a.name != "" {
		return a.name
	}
	return "uid " + strconv.FormatUint(uint64(a.uid), 10)
}
