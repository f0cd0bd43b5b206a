package core_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// sentRow is one row of sms_segments.
type sentRow struct {
	Month    time.Time `db:"month"`
	Language string    `db:"language"`
	Encoding string    `db:"encoding"`
	Texts    int64     `db:"texts"`
	Segments int64     `db:"segments"`
}

func sentRows(t *testing.T, env *coretest.Env) []sentRow {
	t.Helper()
	rows, _ := env.Pool.Query(context.Background(), `SELECT month, language, encoding, texts, segments FROM sms_segments ORDER BY 1, 2, 3`)
	got, err := pgx.CollectRows(rows, pgx.RowToStructByName[sentRow])
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// Texts are counted per month of the network's time zone (Europe/London:
// 23:30 UTC on 30 June is already July), per language and encoding, with
// the segments SMSSegments gives; counts noted in memory reach Postgres
// only when flushed, and add to what RecordTx wrote in a transaction.
func TestSentTextsCountedPerMonthLanguageAndEncoding(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	if _, err := env.Pool.Exec(ctx, `UPDATE network_settings SET timezone = 'Europe/London'`); err != nil {
		t.Fatal(err)
	}
	st := env.Engine.SentTexts()
	june := time.Date(2026, 6, 30, 22, 30, 0, 0, time.UTC) // 23:30 in London
	july := time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC) // 00:30 on 1 July in London
	long := strings.Repeat("a", 161)                       // two GSM-7 segments
	polish := "Dziękujemy. Odpowiemy wkrótce."             // UCS-2: ę is not GSM
	st.Count(june, "en", "Thanks", long, "")
	st.Count(july, "pl", polish)
	st.Count(july, "", "Hello") // unknown language counts as English
	if got := sentRows(t, env); len(got) != 0 {
		t.Fatalf("before a flush: %+v", got)
	}
	if err := st.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	err := pgx.BeginFunc(ctx, env.Pool, func(tx pgx.Tx) error {
		return st.RecordTx(ctx, tx, july, "pl", strings.Repeat("ż", 71)) // two UCS-2 segments
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Flush(ctx); err != nil { // nothing new: no change
		t.Fatal(err)
	}
	d := func(m time.Month) time.Time { return time.Date(2026, m, 1, 0, 0, 0, 0, time.UTC) }
	want := []sentRow{
		{d(6), "en", core.SMSEncodingGSM7, 2, 3},
		{d(7), "en", core.SMSEncodingGSM7, 1, 1},
		{d(7), "pl", core.SMSEncodingUCS2, 2, 3},
	}
	got := sentRows(t, env)
	if len(got) != len(want) {
		t.Fatalf("rows = %+v, want %+v", got, want)
	}
	for i := range want {
		if !got[i].Month.Equal(want[i].Month) || got[i].Language != want[i].Language || got[i].Encoding != want[i].Encoding ||
			got[i].Texts != want[i].Texts || got[i].Segments != want[i].Segments {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}

	// A transaction that rolls back takes its count with it.
	_ = pgx.BeginFunc(ctx, env.Pool, func(tx pgx.Tx) error {
		if err := st.RecordTx(ctx, tx, july, "pl", polish); err != nil {
			t.Fatal(err)
		}
		return context.Canceled
	})
	if got := sentRows(t, env); got[2].Texts != 2 {
		t.Errorf("after a rollback: %+v", got[2])
	}
}

// A flush that fails keeps its counts for the next one.
func TestSentTextsKeptWhenFlushFails(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	st := env.Engine.SentTexts()
	st.Count(env.Clock.Now(), "uk", "Дякуємо")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := st.Flush(cancelled); err == nil {
		t.Fatal("flush with a cancelled context succeeded")
	}
	if err := st.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got := sentRows(t, env)
	if len(got) != 1 || got[0].Language != "uk" || got[0].Encoding != core.SMSEncodingUCS2 || got[0].Texts != 1 || got[0].Segments != 1 {
		t.Fatalf("rows = %+v", got)
	}
}

// A flush waits for one already under way, so a last flush at shutdown
// returns only when nothing counted before it is still on its way: here
// the flush in flight is cut short (its context ends while the table is
// locked, as a shutdown cancels the periodic flusher), puts its count
// back, and the last flush, called while it was still waiting, writes it
// before returning. Without the wait the last flush found nothing to do
// and returned at once, and the process closed its pool with the count
// still in memory.
func TestSentTextsLastFlushWaitsForOneUnderWay(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	st := env.Engine.SentTexts()
	st.Count(env.Clock.Now(), "pl", "Dziękujemy")
	// The location the flush reads first is cached before the lock, so
	// the flush stops at its INSERT.
	if err := st.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	st.Count(env.Clock.Now(), "pl", "Dziękujemy")
	lock, err := env.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback(ctx)
	if _, err := lock.Exec(ctx, `LOCK TABLE sms_segments IN EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	periodic, stopPeriodic := context.WithCancel(ctx)
	periodicDone := make(chan error, 1)
	go func() { periodicDone <- st.Flush(periodic) }()
	waitForLockWait(t, env, "sms_segments")
	lastDone := make(chan error, 1)
	go func() { lastDone <- st.Flush(ctx) }()
	select {
	case err := <-lastDone:
		t.Fatalf("the last flush returned (%v) while another was still writing", err)
	case <-time.After(100 * time.Millisecond):
	}
	stopPeriodic() // the shutdown cancels the periodic flusher's context
	if err := <-periodicDone; err == nil {
		t.Fatal("the cut-short flush reported success")
	}
	if err := lock.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-lastDone; err != nil {
		t.Fatal(err)
	}
	got := sentRows(t, env)
	if len(got) != 1 || got[0].Language != "pl" || got[0].Texts != 2 {
		t.Fatalf("rows = %+v, want the two Polish texts written", got)
	}
}

// waitForLockWait waits until a statement on table waits for a lock.
func waitForLockWait(t *testing.T, env *coretest.Env, table string) {
	t.Helper()
	for range 500 {
		var n int
		if err := env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%' || $1 || '%'`, table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no statement on %s came to wait for its lock", table)
}

// TestSentTextsRecordedInATransactionNeedNoSecondConnection: counting a
// text in the transaction that marks it sent reads what it needs through
// that transaction, even when the network's settings are not yet cached:
// with every connection of the pool held by such transactions (here the
// only one), waiting for another would wait for ever.
func TestSentTextsRecordedInATransactionNeedNoSecondConnection(t *testing.T) {
	t.Parallel()
	env, pool, eng, ctx := oneConnectionEngine(t)
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		return eng.SentTexts().RecordTx(ctx, tx, at, "en", "Your referral KAN-1 was accepted.")
	})
	if err != nil {
		t.Fatalf("recording a sent text in a transaction on a pool of one connection: %v", err)
	}
	if got := sentRows(t, env); len(got) != 1 {
		t.Fatalf("counted %+v, want one row", got)
	}
}

// TestSentTextsRecordedWhileSettingsAreReadElsewhere: a transaction that
// counts a text does not wait behind another caller reading the
// network's settings, who is itself waiting for the connection the
// transaction holds: the settings cache is never locked while reading.
func TestSentTextsRecordedWhileSettingsAreReadElsewhere(t *testing.T) {
	t.Parallel()
	_, pool, eng, ctx := oneConnectionEngine(t)
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	elsewhere := make(chan error, 1)
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// Another caller reads the settings; it waits for this
		// transaction's connection, the pool's only one.
		go func() { _, err := eng.Network(ctx); elsewhere <- err }()
		time.Sleep(200 * time.Millisecond) // let it reach the pool
		return eng.SentTexts().RecordTx(ctx, tx, at, "en", "Your referral KAN-2 was accepted.")
	})
	if err != nil {
		t.Fatalf("recording a sent text while another caller waits for the pool: %v", err)
	}
	if err := <-elsewhere; err != nil {
		t.Fatalf("the other caller's read of the settings: %v", err)
	}
}

// oneConnectionEngine is a new engine (nothing cached) on a pool of one
// connection, with a context that gives up after ten seconds, so a test
// that would wait for a second connection for ever fails instead.
func oneConnectionEngine(t *testing.T) (*coretest.Env, *pgxpool.Pool, *core.Engine, context.Context) {
	t.Helper()
	env := coretest.NewEnv(t)
	cfg, err := pgxpool.ParseConfig(env.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 1
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	eng, _, _, _ := coretest.NewEngine(t, pool)
	return env, pool, eng, ctx
}

// An on-call review found "count texts sent" warned every ten seconds
// while PostgreSQL was down. The flusher logs a spell of failures once
// when it starts and once when a flush works again, and the counts held
// meanwhile are written then.
func TestSentTextsFlusherLogsAnOutageOnceEachWay(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	pool, p := coretest.PoolThroughProxy(t, env.URL)
	eng, _, _, _ := coretest.NewEngine(t, pool)
	st := eng.SentTexts()
	p.SetUp(false)
	st.Count(env.Clock.Now(), "en", "Thank you")
	var log coretest.LogBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- st.RunFlusher(ctx, 20*time.Millisecond, slog.New(slog.NewTextHandler(&log, nil)))
	}()
	time.Sleep(300 * time.Millisecond) // many ticks fail
	p.SetUp(true)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(log.String(), "available again") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	got := log.String()
	if n := strings.Count(got, "count of texts sent unavailable"); n != 1 {
		t.Errorf("logged the outage's start %d times, want once:\n%s", n, got)
	}
	if n := strings.Count(got, "count of texts sent available again"); n != 1 {
		t.Errorf("logged the outage's end %d times, want once:\n%s", n, got)
	}
	if n := strings.Count(got, "\n"); n != 2 {
		t.Errorf("logged %d lines, want 2:\n%s", n, got)
	}
	if rows := sentRows(t, env); len(rows) != 1 || rows[0].Texts != 1 {
		t.Errorf("rows after the outage = %+v, want the text counted", rows)
	}
}
