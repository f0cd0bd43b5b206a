package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

func TestPartnerCommands(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	var out bytes.Buffer
	if err := runPartner(ctx, []string{"add", "--name", "Kirkton casework", "--agency", "kirkton-cab", "--scopes", "read,act"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var clientID, secret string
	for _, line := range strings.Split(out.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "client_id="); ok {
			clientID = v
		}
		if v, ok := strings.CutPrefix(line, "client_secret="); ok {
			secret = v
		}
	}
	p, err := env.Engine.AuthenticatePartner(ctx, clientID, secret)
	if err != nil || p.AgencyID == nil || *p.AgencyID != env.Net.CAB || !p.Has(core.ScopeAct) || p.Has(core.ScopeRefer) {
		t.Fatalf("partner from the command: %+v, %v", p, err)
	}
	var stored []byte
	if err := env.Pool.QueryRow(ctx, `SELECT secret_sha256 FROM partners WHERE id = $1`, p.ID).Scan(&stored); err != nil || bytes.Contains(stored, []byte(secret)) {
		t.Fatalf("secret stored in clear: %v", err)
	}
	out.Reset()
	if err := runPartner(ctx, []string{"list"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "Kirkton casework") ||
		strings.Contains(out.String(), secret) {
		t.Fatalf("list: %v\n%s", err, out.String())
	}
	if err := runPartner(ctx, []string{"revoke", "1"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.AuthenticatePartner(ctx, clientID, secret); err == nil {
		t.Fatal("revoked partner still authenticates")
	}
	for _, bad := range [][]string{
		{"add", "--name", "X", "--scopes", "everything"},
		{"add", "--name", "X", "--agency", "no-such-agency"},
		{"add", "--scopes", "read"},
		{"revoke", "1"},
		{"revoke", "abc"},
		{"frobnicate"},
	} {
		if err := runPartner(ctx, bad, io.Discard, io.Discard); err == nil {
			t.Errorf("partner %q succeeded", bad)
		}
	}
}
