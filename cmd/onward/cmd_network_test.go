package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

func TestNetworkImport(t *testing.T) {
	ctx := context.Background()
	url := coretest.NewDatabase(t)
	t.Setenv("ONWARD_DATABASE_URL", url)
	dir := t.TempDir()
	write := func(name string, body []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, body, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	// The example prints, and imports as it is.
	var example bytes.Buffer
	if err := runNetwork(ctx, []string{"example"}, &example, io.Discard); err != nil {
		t.Fatal(err)
	}
	file := write("network.yaml", example.Bytes())
	var out bytes.Buffer
	if err := runNetwork(ctx, []string{"import", file}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1 agencies added, 0 already there; 1 services; 2 staff added") {
		t.Errorf("summary: %s", out.String())
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	eng := core.NewEngine(pool, nil, core.SystemClock{}, core.RandomIDs{}, slog.New(slog.DiscardHandler))
	defer eng.Close()
	n, err := eng.Network(ctx)
	if err != nil || n.Name != "Eastloch Advice Partnership" {
		t.Fatalf("network %+v, %v", n, err)
	}
	a, err := eng.AgencyBySlug(ctx, "eastloch-money-advice")
	if err != nil || a.AckTargetHours != 16 || !a.AcceptsSelfReferrals {
		t.Fatalf("agency %+v, %v", a, err)
	}
	if a.NotifyEmail != "advice-team@money.example.org" || a.EmailStaff != core.StaffEmailWithoutSlack {
		t.Errorf("agency notifications: shared %q, staff %q; want the file's", a.NotifyEmail, a.EmailStaff)
	}
	if s, err := eng.StaffByEmail(ctx, "rory@money.example.org"); err != nil || s.Role != core.RoleCoordinator {
		t.Fatalf("staff %+v, %v", s, err)
	}
	if ts, err := eng.NeedTerms(ctx); err != nil || len(ts) != 2 || ts[0] != (core.NeedTerm{Need: core.NeedDebt, Taxonomy: "esd-service-types", Term: "1466", Name: "Debt advice"}) {
		t.Fatalf("need terms %+v, %v", ts, err)
	}
	m, err := eng.Suggest(ctx, core.MatchQuery{Needs: []core.Need{core.NeedDebt}, District: "EH2", SelfReferral: true})
	if err != nil || len(m.Suggestions) != 1 || m.Suggestions[0].Agency.ID != a.ID {
		t.Fatalf("matching after import: %+v, %v", m.Suggestions, err)
	}

	// Importing again adds nothing and changes nothing.
	out.Reset()
	if err := runNetwork(ctx, []string{"import", file}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0 agencies added, 1 already there; 0 services; 0 staff added, 2 already there") {
		t.Errorf("second import: %s", out.String())
	}

	// A mistake anywhere is named, and nothing of the file is written.
	for _, c := range []struct{ from, to, want string }{
		{"needs: [debt, benefits, income-maximisation]", "needs: [debt, hope]", `services[0] (Debt and benefits advice): "hope" is not a need`},
		{"slug: eastloch-money-advice", "slug: eastloch-food-bank\n    nmae: typo", "field nmae not found"},
		{"email: aileen@money.example.org", "email: not-an-email", "staff[0]"},
		{"{date: 2026-12-25, name: Christmas Day}", "{date: 25/12/2026, name: Christmas Day}", "bank_holidays[0]"},
		{"{need: food, taxonomy", "{need: groceries, taxonomy", `need_terms[1]: "groceries" is not a need`},
		{`term: "1601", name: Food banks`, `term: "", name: Food banks`, "need_terms[1]: term is missing: give the term's id or code"},
		{`name: Debt advice}`, `name: ""}`, "need_terms[0]: name is missing"},
		{`{need: food, taxonomy: esd-service-types, term: "1601"`, `{need: food, taxonomy: esd-service-types, term: "1466"`, `need_terms[1]: the term "1466" of "esd-service-types" is also need_terms[0]`},
		{"notify_email: advice-team@money.example.org", "notify_email: advice team", `notify email must be one email address, like team@agency.example.org; "advice team" is not`},
		{"notify_email: advice-team@money.example.org", "notify_email: \"a@b.example\\r\\nBcc: x@y.example\"", "notify email must be one email address"},
		{"email_staff: without-slack", "email_staff: sometimes", `email staff must be one of always, without-slack, never; "sometimes" is not`},
	} {
		body := strings.Replace(example.String(), c.from, c.to, 1)
		body = strings.Replace(body, "slug: eastloch-money-advice", "slug: eastloch-new-agency", 1)
		body = strings.Replace(body, "aileen@money.example.org", "aileen2@money.example.org", 1)
		body = strings.Replace(body, "rory@money.example.org", "rory2@money.example.org", 1)
		err := runNetwork(ctx, []string{"import", write("bad.yaml", []byte(body))}, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s → %s: err = %v, want it to mention %q", c.from, c.to, err, c.want)
		}
		if _, err := eng.AgencyBySlug(ctx, "eastloch-new-agency"); err == nil {
			t.Fatalf("%s → %s: a failed import left an agency behind", c.from, c.to)
		}
	}
}
