package demo

import (
	"context"
	"log/slog"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// A demo seeded by `onward dev` on :8080 and run again on another address
// sends clients to the new address; a network's own links stay.
func TestFollowPublicURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name                    string
		directory, sharing      string // as stored before
		publicURL               string
		changed                 bool
		wantDirectory, wantShar string
	}{
		{"seeded on :8080, served on 127.0.0.1:8191",
			"http://localhost:8080/directory", "http://localhost:8080/data-sharing", "http://127.0.0.1:8191/", true,
			"http://127.0.0.1:8191/directory", "http://127.0.0.1:8191/data-sharing"},
		{"served through a tunnel",
			"http://127.0.0.1:8191/directory", "http://[::1]:8191/data-sharing", "https://onward-dev.example.org", true,
			"https://onward-dev.example.org/directory", "https://onward-dev.example.org/data-sharing"},
		{"already there",
			"http://localhost:8080/directory", "http://localhost:8080/data-sharing", "http://localhost:8080", false,
			"http://localhost:8080/directory", "http://localhost:8080/data-sharing"},
		{"the network's own pages",
			"https://advice.example.org/directory", "https://advice.example.org/data-sharing", "http://127.0.0.1:8191", false,
			"https://advice.example.org/directory", "https://advice.example.org/data-sharing"},
		{"a local page that is not Onward's",
			"http://localhost:8080/directory", "http://localhost:9000/protocol.pdf", "http://127.0.0.1:8191", true,
			"http://127.0.0.1:8191/directory", "http://localhost:9000/protocol.pdf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := coretest.NewEnv(t)
			err := env.Engine.ChangeSettings(ctx, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE network_settings SET directory_url = $1, data_sharing_url = $2`, tc.directory, tc.sharing)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			changed, err := FollowPublicURL(ctx, env.Engine, tc.publicURL)
			if err != nil || changed != tc.changed {
				t.Fatalf("changed = %v, %v; want %v", changed, err, tc.changed)
			}
			// Read through the same engine: its cached settings must go.
			n, err := env.Engine.Network(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n.DirectoryURL != tc.wantDirectory || n.DataSharingURL != tc.wantShar {
				t.Errorf("links = %q, %q; want %q, %q", n.DirectoryURL, n.DataSharingURL, tc.wantDirectory, tc.wantShar)
			}
			if again, err := FollowPublicURL(ctx, env.Engine, tc.publicURL); err != nil || again {
				t.Errorf("a second call changed = %v, %v; want nothing to do", again, err)
			}
		})
	}
}

func TestFollowPublicURLWithoutNetwork(t *testing.T) {
	t.Parallel()
	pool := coretest.NewPool(t)
	eng := core.NewEngine(pool, testCrypter(t), core.SystemClock{}, core.RandomIDs{}, slog.New(slog.DiscardHandler))
	defer eng.Close()
	if changed, err := FollowPublicURL(context.Background(), eng, "http://127.0.0.1:8191"); err != nil || changed {
		t.Fatalf("on an empty database: changed = %v, %v; want nothing to do", changed, err)
	}
}
