package localsvc

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestConfiguredPostgresSaysWhyItRefused: a server that answers "no such
// database" or "wrong password" is not reported as one that did not
// answer, and the password never appears.
func TestConfiguredPostgresSaysWhyItRefused(t *testing.T) {
	const url = "postgres://onward:s3cret@127.0.0.1:5432/onward_auditA1"
	cases := []struct {
		err  error
		want []string
	}{
		{&pgconn.PgError{Code: "3D000", Message: `database "onward_auditA1" does not exist`},
			[]string{"answered but refused", `database "onward_auditA1" does not exist`, "lower case"}},
		{&pgconn.PgError{Code: "28P01", Message: `password authentication failed for user "onward"`},
			[]string{"answered but refused", "Check the user name and password"}},
		{context.DeadlineExceeded, []string{"did not answer within"}},
		{errors.New("dial tcp 127.0.0.1:5432: connect: connection refused"), []string{"did not answer within"}},
	}
	for _, c := range cases {
		got := configuredPostgresError(url, c.err).Error()
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("for %v: %q does not say %q", c.err, got, w)
			}
		}
		if strings.Contains(got, "s3cret") {
			t.Errorf("the error shows the password: %q", got)
		}
		if _, refused := c.err.(*pgconn.PgError); refused && strings.Contains(got, "did not answer") {
			t.Errorf("a server that answered is reported as not answering: %q", got)
		}
	}
}
