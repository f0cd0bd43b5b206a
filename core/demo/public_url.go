package demo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// sqlSetOwnPageURLs moves only the two links the demo seeds as Onward's
// own pages; SetNetwork would rewrite every setting to change them.
const sqlSetOwnPageURLs = `UPDATE network_settings SET directory_url = $1, data_sharing_url = $2, updated_at = $3`

// FollowPublicURL points the network's directory and data-sharing links
// at publicURL when they are still Onward's own pages on a local address
// (localhost, 127.0.0.1, [::1]): a demo seeded by `onward dev` on one
// port and served on another would otherwise send every client to the
// first. A link anywhere else was chosen by the network and is left
// alone. It reports whether it changed a link.
func FollowPublicURL(ctx context.Context, eng *core.Engine, publicURL string) (bool, error) {
	n, err := eng.Network(ctx)
	if errors.Is(err, core.ErrNoNetwork) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read the network's links: %w", err)
	}
	base := strings.TrimRight(publicURL, "/")
	dir, sharing := n.DirectoryURL, n.DataSharingURL
	if localOwnPage(dir, "/directory") {
		dir = base + "/directory"
	}
	if localOwnPage(sharing, "/data-sharing") {
		sharing = base + "/data-sharing"
	}
	if dir == n.DirectoryURL && sharing == n.DataSharingURL {
		return false, nil
	}
	err = eng.ChangeSettings(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, sqlSetOwnPageURLs, dir, sharing, eng.Clock().Now())
		return err
	})
	if err != nil {
		return false, fmt.Errorf("point the network's links at %s: %w", base, err)
	}
	return true, nil
}

// localOwnPage says whether link is Onward's page at path on this
// machine, as the demo seeds it.
func localOwnPage(link, path string) bool {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Path != path || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
