package core_test

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestSubjectAccessShowsTheConsentAsGiven: the export of everything held
// about a client shows each consent in the language it was given in, with
// the words the client was shown in that language (the hash stored is of
// those words).
func TestSubjectAccessShowsTheConsentAsGiven(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	in := coretest.SelfReferral("polish-consent")
	in.Consent.Language = "pl"
	res, err := env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := env.Engine.ExportClient(ctx, res.Referral.ClientID, env.Net.Coordinator.Actor(), "web")
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Consents) != 1 {
		t.Fatalf("%d consents in the export, want 1", len(out.Consents))
	}
	if c := out.Consents[0]; c.Language != "pl" || c.Wording != coretest.ConsentTextPolish {
		t.Errorf("the export shows the consent in %q with the words %q; want pl and the Polish words the client agreed to", c.Language, c.Wording)
	}
}

// TestSubjectAccessExportIsADisclosure: a coordinator's export reads
// every detail held about the client, so it is one of the times someone
// saw them: audited with the channel, and listed in the export itself
// (and every later one) among who saw the client's details. A client
// nobody has seen has an empty list, not a missing one.
func TestSubjectAccessExportIsADisclosure(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("export-is-a-disclosure"))
	if err != nil {
		t.Fatal(err)
	}
	client := res.Referral.ClientID
	first, err := env.Engine.ExportClient(ctx, client, env.Net.Coordinator.Actor(), "web")
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Disclosures) != 1 || first.Disclosures[0].Via != "subject access export (web)" || first.Disclosures[0].Who == "" {
		t.Fatalf("the first export lists %+v, want itself, by the coordinator, through the staff web", first.Disclosures)
	}
	second, err := env.Engine.ExportClient(ctx, client, core.Actor{Kind: core.ActorSystem, Name: "onward command line"}, "cli")
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Disclosures) != 2 || second.Disclosures[1].Via != "subject access export (cli)" {
		t.Fatalf("the second export lists %+v, want both exports, the second from the command line", second.Disclosures)
	}
	var vias []string
	rows, err := env.Pool.Query(ctx, `SELECT coalesce(data->>'via', '') FROM events WHERE kind = $1 AND client_id = $2 ORDER BY id`, string(core.EventSubjectAccess), client)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vias = append(vias, v)
	}
	if rows.Err() != nil || strings.Join(vias, ",") != "web,cli" {
		t.Fatalf("audited exports through %v (%v), want web,cli", vias, rows.Err())
	}
}
