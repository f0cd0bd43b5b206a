package bot

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
)

func testConfigForAuth() config.Config {
	return config.Config{PublicURL: "https://onward.example.org", SessionSecret: testSessionSecret}
}

func TestManifest(t *testing.T) {
	t.Parallel()
	m, err := Manifest(config.Config{PublicURL: "https://onward.example.org/"})
	if err != nil {
		t.Fatal(err)
	}
	coretest.Golden(t, filepath.Join("testdata", "manifest.json.golden"), string(m))
	var v struct {
		Features struct {
			SlashCommands []struct{ Command, URL string } `json:"slash_commands"`
		} `json:"features"`
		OAuth struct {
			Scopes struct{ Bot []string } `json:"scopes"`
		} `json:"oauth_config"`
		Settings struct {
			Interactivity struct {
				IsEnabled  bool   `json:"is_enabled"`
				RequestURL string `json:"request_url"`
			} `json:"interactivity"`
		} `json:"settings"`
	}
	if err := json.Unmarshal(m, &v); err != nil {
		t.Fatalf("manifest is not JSON: %v", err)
	}
	if !v.Settings.Interactivity.IsEnabled || v.Settings.Interactivity.RequestURL != "https://onward.example.org/slack/interactions" {
		t.Errorf("interactivity %+v", v.Settings.Interactivity)
	}
	cmds := map[string]string{}
	for _, c := range v.Features.SlashCommands {
		cmds[c.Command] = c.URL
	}
	for _, c := range []string{"/onward", "/refer"} {
		if cmds[c] != "https://onward.example.org/slack/commands" {
			t.Errorf("command %s → %q", c, cmds[c])
		}
	}
	if got := strings.Join(v.OAuth.Scopes.Bot, ","); got != "chat:write,commands,users:read,users:read.email,im:write" {
		t.Errorf("scopes %s", got)
	}
	if _, err := Manifest(config.Config{PublicURL: "not a url"}); err == nil {
		t.Errorf("a relative public URL should be refused")
	}
}
