package demo

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/report"
)

// testNow is where the test history ends: a Monday morning in November.
var testNow = time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)

func testCrypter(t *testing.T) *core.Crypter {
	t.Helper()
	c, err := core.NewCrypter(coretest.TestKey, nil, []byte("demo-test-hash-key"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func count(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestSeed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := coretest.NewPool(t)
	crypt := testCrypter(t)
	var log strings.Builder
	// Three months rather than the default four keep the test quick on a
	// busy machine; the rate per month is what is checked.
	const months = 3
	sum, err := Seed(ctx, pool, crypt, Options{PublicURL: "https://onward.example.org/", Months: months, Seed: 7, Now: testNow}, &log)
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, log.String())
	}
	t.Log(sum)
	cutoff := testNow.Add(-recentWindow)

	t.Run("summary", func(t *testing.T) {
		if sum.Agencies < 15 || sum.Agencies > 17 {
			t.Errorf("agencies = %d, want about 16", sum.Agencies)
		}
		if perMonth := sum.Referrals / months; perMonth < 75 || perMonth > 150 {
			t.Errorf("%d referrals a month, want 75 to 150 (300 to 600 over the default four months)", perMonth)
		}
		if sum.Staff < 40 || sum.Services < 20 || sum.Districts != 12 || sum.Leaflets < 3 {
			t.Errorf("staff %d, services %d, districts %d, leaflets %d: directory too small", sum.Staff, sum.Services, sum.Districts, sum.Leaflets)
		}
		if got := count(t, pool, `SELECT count(*) FROM referrals`); got != sum.Referrals {
			t.Errorf("summary says %d referrals, table has %d", sum.Referrals, got)
		}
	})

	t.Run("the demand map draws every district", func(t *testing.T) {
		rp := report.New(pool, core.SystemClock{})
		if _, err := rp.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		rep, err := rp.Run(ctx, "demand-district", report.Filter{From: testNow.AddDate(0, -months, 0), To: testNow}, report.Viewer{})
		if err != nil {
			t.Fatal(err)
		}
		m, ok, err := rp.MapOf(ctx, rep)
		if err != nil || !ok || len(m.Places) != 12 || m.Unplaced != 0 || len(m.Boundaries) != 1 {
			t.Fatalf("demand map: %d places, %d unplaced, %d boundaries, %v, %v; want 12 districts over the council area",
				len(m.Places), m.Unplaced, len(m.Boundaries), ok, err)
		}
	})

	t.Run("demand by deprivation and ward show the demo's clients", func(t *testing.T) {
		rp := report.New(pool, core.SystemClock{})
		if _, err := rp.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		f := report.Filter{From: testNow.AddDate(0, -months, 0), To: testNow}
		simd, err := rp.Run(ctx, "demand-simd", f, report.Viewer{Network: true})
		if err != nil {
			t.Fatal(err)
		}
		known := 0
		for _, row := range simd.Rows {
			if strings.HasPrefix(row[0].Text, "Quintile") && row[1].Text != "0" {
				known++
			}
		}
		if known < 4 {
			t.Errorf("the demo's referrals fall in %d SIMD quintiles, want most of them: %v", known, simd.Rows)
		}
		ward, err := rp.Run(ctx, "demand-ward", f, report.Viewer{Network: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(ward.Rows) < 10 || ward.Rows[0][0].Text == ward.Rows[0][1].Text {
			t.Errorf("demand by ward: %v; want a dozen wards, by name", ward.Rows)
		}
	})

	t.Run("every status appears", func(t *testing.T) {
		for _, st := range core.Statuses {
			if n := count(t, pool, `SELECT count(*) FROM referrals WHERE status = $1`, st); n == 0 {
				t.Errorf("no referral is %s", st)
			}
		}
	})

	t.Run("every source and path appears", func(t *testing.T) {
		for name, sql := range map[string]string{
			"sms self-referrals":       `SELECT count(*) FROM referrals WHERE source = 'sms'`,
			"web self-referrals":       `SELECT count(*) FROM referrals WHERE source = 'web'`,
			"staff referrals":          `SELECT count(*) FROM referrals WHERE source = 'staff'`,
			"leaflet referrals":        `SELECT count(*) FROM referrals WHERE leaflet_code <> ''`,
			"crisis referrals":         `SELECT count(*) FROM referrals WHERE crisis`,
			"waiting in triage":        `SELECT count(*) FROM referrals WHERE to_agency_id IS NULL AND status = 'requested'`,
			"assigned by coordinators": `SELECT count(*) FROM events WHERE kind = 'referral.assigned'`,
			"redirected referrals":     `SELECT count(*) FROM referrals WHERE reason = 'redirected'`,
			"rerouted children":        `SELECT count(*) FROM referrals WHERE parent_id IS NOT NULL`,
			"feedback scores":          `SELECT count(*) FROM referrals WHERE feedback_score IS NOT NULL`,
			"consent withdrawals":      `SELECT count(*) FROM events WHERE kind = 'consent.withdrawn'`,
			"capacity changes":         `SELECT count(*) FROM events WHERE kind = 'agency.capacity-changed'`,
			"rejections with feedback": `SELECT count(*) FROM referrals WHERE status = 'rejected' AND reason <> 'redirected' AND feedback <> ''`,
		} {
			if count(t, pool, sql) == 0 {
				t.Errorf("no %s", name)
			}
		}
	})

	t.Run("audit log verifies", func(t *testing.T) {
		res, err := core.VerifyAuditLog(ctx, pool)
		if err != nil {
			t.Fatal(err)
		}
		if res.Break != nil {
			t.Fatalf("audit log broken: %v", res.Break)
		}
		if res.Events < 3*sum.Referrals {
			t.Errorf("only %d events for %d referrals", res.Events, sum.Referrals)
		}
	})

	t.Run("history is in time order and in the past", func(t *testing.T) {
		if n := count(t, pool, `SELECT count(*) FROM events e JOIN events p ON p.stream = e.stream AND p.stream_seq = e.stream_seq - 1
			WHERE e.created_at < p.created_at`); n != 0 {
			t.Errorf("%d events are older than the event before them", n)
		}
		if n := count(t, pool, `SELECT count(*) FROM events WHERE created_at > $1`, testNow); n != 0 {
			t.Errorf("%d events after the end of history", n)
		}
		if n := count(t, pool, `SELECT count(*) FROM referrals WHERE created_at < $1`, testNow.AddDate(0, -months, 0)); n != 0 {
			t.Errorf("%d referrals before the start of history", n)
		}
		if n := count(t, pool, `SELECT count(*) FROM referrals WHERE created_at < $1`, testNow.AddDate(0, -1, 0)); n < 100 {
			t.Errorf("only %d referrals older than a month: history is not spread out", n)
		}
	})

	t.Run("self-referring agencies have services", func(t *testing.T) {
		if n := count(t, pool, `SELECT count(*) FROM agencies a WHERE a.accepts_self_referrals
			AND NOT EXISTS (SELECT 1 FROM services s WHERE s.agency_id = a.id AND s.active)`); n != 0 {
			t.Errorf("%d agencies take self-referrals but list no service", n)
		}
		if n := count(t, pool, `SELECT count(*) FROM services WHERE languages && '{pl,ar,uk}'`); n == 0 {
			t.Error("no service offers help in Polish, Arabic or Ukrainian")
		}
	})

	t.Run("only recent referrals have messages pending", func(t *testing.T) {
		if n := count(t, pool, `SELECT count(*) FROM outbox o LEFT JOIN referrals r ON r.id = coalesce(o.referral_id, (o.payload->>'referral_id')::bigint)
			WHERE o.sent_at IS NULL AND o.dead_at IS NULL AND (r.id IS NULL OR r.created_at < $1)`, cutoff); n != 0 {
			t.Errorf("%d messages of old referrals are pending: the worker would send history", n)
		}
		pending := count(t, pool, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`)
		if pending == 0 || pending != sum.PendingOutbox {
			t.Errorf("pending messages = %d (summary %d), want some for the recent referrals", pending, sum.PendingOutbox)
		}
		if n := count(t, pool, `SELECT count(*) FROM referrals WHERE created_at >= $1`, cutoff); n < 3 {
			t.Errorf("%d referrals in the last hour, want a few waiting", n)
		}
		if n := count(t, pool, `SELECT count(*) FROM outbox WHERE delivery_status = 'seeded history' AND sent_at IS NOT NULL`); n < sum.Referrals {
			t.Errorf("only %d messages marked as seeded history", n)
		}
	})

	t.Run("no client details in clear", func(t *testing.T) {
		// The events' sealed fields (`…_enc`) are left out: JSON writes
		// their ciphertext in base64, where a short name such as "Ali"
		// turns up by chance.
		var dump string
		if err := pool.QueryRow(ctx, `SELECT concat((SELECT string_agg(c::text, E'\n') FROM clients c),
			(SELECT string_agg(r::text, E'\n') FROM referrals r),
			(SELECT string_agg((SELECT coalesce(jsonb_object_agg(k, v), '{}') FROM jsonb_each(e.data) AS j(k, v) WHERE k NOT LIKE '%\_enc')::text, E'\n') FROM events e),
			(SELECT string_agg(o.payload::text, E'\n') FROM outbox o))`).Scan(&dump); err != nil {
			t.Fatal(err)
		}
		for _, name := range append(firstNames, lastNames...) {
			if strings.Contains(dump, name) {
				t.Errorf("client name %q found in clear", name)
			}
		}
		for _, leak := range []string{"7700900", "7700 900", "@example.net", "Council tax arrears letter"} {
			if strings.Contains(dump, leak) {
				t.Errorf("%q found in clear", leak)
			}
		}
		// The encrypted details are really there.
		var id core.ClientID
		if err := pool.QueryRow(ctx, `SELECT id FROM clients WHERE phone_hash IS NOT NULL ORDER BY id LIMIT 1`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		eng := core.NewEngine(pool, crypt, core.SystemClock{}, core.RandomIDs{}, slog.New(slog.DiscardHandler))
		defer eng.Close()
		c, err := eng.ClientDetailsFor(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(c.Phone), "+447700900") || c.Name == "" {
			t.Errorf("decrypted client = %q %q, want a name and a drama-range phone", c.Name, c.Phone)
		}
	})

	// The phone simulator's free numbers are the rest of the drama range:
	// a seeded client on one of them would answer a "new" phone in the
	// client's language, with the client's area.
	t.Run("client phones keep to the demo block", func(t *testing.T) {
		rows, err := pool.Query(ctx, `SELECT id FROM clients WHERE phone_hash IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[core.ClientID])
		if err != nil {
			t.Fatal(err)
		}
		eng := core.NewEngine(pool, crypt, core.SystemClock{}, core.RandomIDs{}, slog.New(slog.DiscardHandler))
		defer eng.Close()
		phones := map[core.Phone]bool{}
		for _, id := range ids {
			c, err := eng.ClientDetailsFor(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !IsClientPhone(c.Phone) {
				t.Errorf("client phone %s is outside 07700 900%d–900%d", c.Phone, ClientPhoneFirst, ClientPhoneLast)
			}
			phones[c.Phone] = true
		}
		if len(phones) < 50 {
			t.Errorf("%d distinct client phones, want at least 50", len(phones))
		}
		t.Logf("%d distinct client phones", len(phones))
	})

	t.Run("network settings and consent", func(t *testing.T) {
		eng := core.NewEngine(pool, crypt, core.SystemClock{}, core.RandomIDs{}, slog.New(slog.DiscardHandler))
		defer eng.Close()
		n, err := eng.Network(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n.DirectoryURL != "https://onward.example.org/directory" || n.DataSharingURL != "https://onward.example.org/data-sharing" {
			t.Errorf("links = %q, %q", n.DirectoryURL, n.DataSharingURL)
		}
		w, err := eng.CurrentConsentWording(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Every way to withdraw, as the privacy notice gives them: the
		// keyword texted (the network's own), the withdrawal page, the
		// helpline and the agency.
		dp, err := eng.DataProtection(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if w.Version != consentVersion || dp.WithdrawKeyword != withdrawKeyword {
			t.Errorf("consent wording %s, withdraw keyword %s; want %s, %s", w.Version, dp.WithdrawKeyword, consentVersion, withdrawKeyword)
		}
		for _, want := range []string{"advice agencies", "tell the agency helping you", helpline,
			"reply " + withdrawKeyword + " to our texts", "onward.example.org/withdraw"} {
			if !strings.Contains(w.Body, want) {
				t.Errorf("consent wording lacks %q", want)
			}
		}
		// The wording clients agreed to before is there still, in each
		// language, with its own words.
		for _, v := range ConsentWordings("https://onward.example.org") {
			if got, err := eng.ConsentWordingIn(ctx, v.Version, v.Language); err != nil || got.Body != v.Body || got.Language != v.Language {
				t.Errorf("consent wording %s in %s = %q (%v), want %q", v.Version, v.Language, got.Body, err, v.Body)
			}
		}
		cal, err := eng.Calendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !cal.Holidays["2026-11-30"] || !cal.Holidays["2027-01-04"] {
			t.Errorf("St Andrew's Day 2026 or the 2 January 2027 substitute is missing: %v", cal.Holidays)
		}
		if _, err := eng.StaffByEmail(ctx, CoordinatorEmail); err != nil {
			t.Errorf("coordinator %s: %v", CoordinatorEmail, err)
		}
	})

	t.Run("a second seed refuses", func(t *testing.T) {
		_, err := Seed(ctx, pool, crypt, Options{Now: testNow}, io.Discard)
		if !errors.Is(err, ErrNotEmpty) {
			t.Fatalf("second seed: err = %v, want ErrNotEmpty", err)
		}
	})
}

func TestScottishBankHolidays(t *testing.T) {
	t.Parallel()
	for year, want := range map[int][]string{
		2026: {"2026-01-01", "2026-01-02", "2026-04-03", "2026-05-04", "2026-05-25", "2026-08-03", "2026-11-30", "2026-12-25", "2026-12-28"},
		2027: {"2027-01-01", "2027-01-04", "2027-03-26", "2027-05-03", "2027-05-31", "2027-08-02", "2027-11-30", "2027-12-27", "2027-12-28"},
		2028: {"2028-01-03", "2028-01-04", "2028-04-14", "2028-05-01", "2028-05-29", "2028-08-07", "2028-11-30", "2028-12-25", "2028-12-26"},
	} {
		got := scottishBankHolidays(year)
		if len(got) != len(want) {
			t.Fatalf("%d: %d holidays, want %d", year, len(got), len(want))
		}
		for i, h := range got {
			if d := h.day.Format(time.DateOnly); d != want[i] {
				t.Errorf("%d: %s on %s, want %s", year, h.name, d, want[i])
			}
		}
	}
}

func TestSeedRefusesBadMonths(t *testing.T) {
	t.Parallel()
	_, err := Seed(context.Background(), nil, nil, Options{Months: 30}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "1 to 24 months") {
		t.Fatalf("err = %v, want a months range error", err)
	}
}

// TestSeedIsRepeatable checks the promise of Options.Seed: the same seed
// and end of history give the same referrals, references and outcomes.
func TestSeedIsRepeatable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var digests []string
	for range 2 {
		pool := coretest.NewPool(t)
		if _, err := Seed(ctx, pool, testCrypter(t), Options{Months: 1, Seed: 5, Now: testNow}, io.Discard); err != nil {
			t.Fatal(err)
		}
		var d string
		if err := pool.QueryRow(ctx, `SELECT md5(string_agg(concat_ws('|', reference, status, to_agency_id, created_at, reason), ',' ORDER BY id))
			FROM referrals`).Scan(&d); err != nil {
			t.Fatal(err)
		}
		digests = append(digests, d)
	}
	if digests[0] != digests[1] {
		t.Fatalf("two seeds with the same options differ: %v", digests)
	}
}
