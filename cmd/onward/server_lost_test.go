package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/onward-network/onward/core"
)

// A key check cut short by PostgreSQL going away (shut down mid-start, as
// the many-process test does) waits and checks again; a check the
// server answered, or a key refused, stops the start.
func TestServerLost(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		lost bool
	}{
		{"shut down mid-statement", fmt.Errorf("read audit checkpoints: %w", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}), true},
		{"connection refused", fmt.Errorf("check keys: %w", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}), true},
		{"connection cut", fmt.Errorf("check keys: %w", io.ErrUnexpectedEOF), true},
		{"a statement refused", fmt.Errorf("check keys: %w", &pgconn.PgError{Code: "42P01", Message: "relation does not exist"}), false},
		{"a key refused", errors.New("ONWARD_ENCRYPTION_KEY does not open the data stored in this database"), false},
		{"keys do not open", fmt.Errorf("client 3: %w", core.ErrKeysDoNotOpen), false},
		{"schema behind", fmt.Errorf("check: %w", core.ErrSchemaBehind), false},
	} {
		if got := serverLost(c.err); got != c.lost {
			t.Errorf("%s: serverLost = %v, want %v", c.name, got, c.lost)
		}
	}
}
