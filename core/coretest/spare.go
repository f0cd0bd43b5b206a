package coretest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cloning the template costs about half a second on a server that syncs
// to disk (CREATE DATABASE writes the whole template through the WAL and
// waits for it), most of it spent waiting, not working. So each test
// process makes the database for its next test while the current one
// runs: NewDatabase takes the one made ahead, if it was made from the
// same template on the same server, and starts the next.
//
// A process that ends leaves at most one spare behind. Spares carry the
// time they were made in their name, and the first test of a process
// drops those older than spareMaxAge: no test process lives that long
// (make test gives each package 30 minutes), so none is in use.
const (
	sparePrefix = "onward_spare_"
	spareMaxAge = 45 * time.Minute
)

// spareDB is a database being made, or made, ahead of its test.
type spareDB struct {
	admin, template string        // the server and template it is made from
	done            chan struct{} // closed once name and err are set
	name            string
	err             error
}

var spares struct {
	mu    sync.Mutex
	next  *spareDB
	swept sync.Once
}

// takeDatabase returns a new database cloned from tmpl on the server at
// admin: the one made ahead when it matches, else one made now. Either
// way it starts making the next.
func takeDatabase(ctx context.Context, admin *pgx.Conn, adminURL, tmpl string) (string, error) {
	spares.swept.Do(func() { sweepSpares(ctx, admin) })
	spares.mu.Lock()
	s := spares.next
	spares.next = &spareDB{admin: adminURL, template: tmpl, done: make(chan struct{})}
	go spares.next.make()
	spares.mu.Unlock()
	if s != nil && s.admin == adminURL && s.template == tmpl {
		select {
		case <-s.done:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		if s.err == nil {
			return s.name, nil
		}
	}
	return cloneTemplate(ctx, admin, tmpl)
}

// make clones the template on its own connection, as the test that will
// use it may start after the test that asked for it has ended.
func (s *spareDB) make() {
	defer close(s.done)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, s.admin)
	if err != nil {
		s.err = fmt.Errorf("connect to make a spare test database: %w", err)
		return
	}
	defer admin.Close(context.Background())
	s.name, s.err = cloneTemplate(ctx, admin, s.template)
}

// cloneTemplate creates a database from tmpl under a new spare name. A
// clone started while another connection briefly holds the template is
// tried again.
func cloneTemplate(ctx context.Context, admin *pgx.Conn, tmpl string) (string, error) {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := sparePrefix + strconv.FormatInt(time.Now().Unix(), 10) + "_" + hex.EncodeToString(b)
	var err error
	for attempt := 0; ; attempt++ {
		_, err = admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmpl)
		if err == nil || attempt == 20 || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		return "", fmt.Errorf("create test database from %s: %w", tmpl, err)
	}
	return name, nil
}

// sweepSpares drops spares left by test processes that ended before
// using them. A failure is left for the next process to sweep.
func sweepSpares(ctx context.Context, admin *pgx.Conn) {
	rows, err := admin.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE $1", sparePrefix+"%")
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, name := range names {
		made, _, _ := strings.Cut(strings.TrimPrefix(name, sparePrefix), "_")
		unix, err := strconv.ParseInt(made, 10, 64)
		if err != nil || time.Since(time.Unix(unix, 0)) < spareMaxAge {
			continue
		}
		_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	}
}
