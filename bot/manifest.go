package bot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/onward-network/onward/core/config"
)

// Manifest returns the Slack app manifest for this deployment as indented
// JSON: request URLs from ONWARD_PUBLIC_URL, the bot scopes the bot uses
// (chat:write, commands, users:read, users:read.email, im:write), the
// /onward and /refer commands and interactivity. An admin pastes it into
// "Create an app → From an app manifest".
func Manifest(cfg config.Config) ([]byte, error) {
	base := strings.TrimRight(cfg.PublicURL, "/")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("ONWARD_PUBLIC_URL must be an absolute URL Slack can reach, got %q", cfg.PublicURL)
	}
	raw := say("manifest", struct{ CommandsURL, InteractionsURL string }{base + "/slack/commands", base + "/slack/interactions"})
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(raw), "", "  "); err != nil {
		return nil, fmt.Errorf("slack manifest template: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}
