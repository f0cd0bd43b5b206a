package core_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestNoPlaintextPersonalDataAtRest writes clients through every entry
// point, dumps every table as text and fails on any plaintext name, phone
// (in any common format), email, full postcode or note.
func TestNoPlaintextPersonalDataAtRest(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	self := coretest.SelfReferral("pii-1")
	self.Client = core.ClientDetails{Name: "Fionnghal Zebedee-Quarrie", Phone: "07700 900987", Email: "fionnghal.zq@example.org",
		Postcode: "KY2 6QQ", Notes: "Threatening letter from Zanzibar Lending", PreferredContact: "call"}
	res, err := env.Engine.SelfRefer(ctx, self)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "pii-2", By: env.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Torquil Xanthopoulos", Phone: "+447700900654", Email: "torquil@example.net", Postcode: "ky11 9zz", Notes: "Prefers Gaelic speaker Quixotic"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: env.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.Engine.DiscloseClient(ctx, res.Referral.ID, env.Net.Adviser.Actor(), "web"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: res.Referral.ID, Action: core.ActionAccept, Actor: env.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}

	forbidden := []string{"Fionnghal", "Zebedee", "07700900987", "7700900987", "07700 900987", "fionnghal.zq", "KY2 6QQ", "KY26QQ", "Zanzibar",
		"Torquil", "Xanthopoulos", "7700900654", "torquil@", "KY11 9ZZ", "ky11 9zz", "Quixotic"}
	rows, _ := env.Pool.Query(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(tables) < 10 {
		t.Fatalf("tables = %v, %v", tables, err)
	}
	dumped := 0
	for _, table := range tables {
		var dump string
		// Both the text form and the bytea escape form of every row.
		if err := env.Pool.QueryRow(ctx, "SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM "+pgx.Identifier{table}.Sanitize()+" t").Scan(&dump); err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		dumped += len(dump)
		for _, f := range forbidden {
			if strings.Contains(strings.ToLower(dump), strings.ToLower(f)) {
				t.Errorf("table %s holds %q in plain text", table, f)
			}
		}
	}
	if dumped < 1000 {
		t.Fatalf("dumped only %d bytes: the test is not looking at the data", dumped)
	}
	// The district stays in clear for matching and reports.
	var district string
	env.Pool.QueryRow(ctx, "SELECT postcode_district FROM referrals WHERE id = $1", res.Referral.ID).Scan(&district)
	if district != "KY2" {
		t.Errorf("district = %q, want KY2 in clear", district)
	}
}
