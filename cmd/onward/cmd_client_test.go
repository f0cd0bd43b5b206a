package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// The data protection commands work from a reference: export shows
// everything held (consent wording, disclosures), withdraw and erase act.
// clientCLIEnv is a test database the commands reach through their
// environment, with one self-referral made under key; it returns the
// referral.
func clientCLIEnv(t *testing.T, key string) (*coretest.Env, core.SelfReferralResult) {
	t.Helper()
	env := coretest.NewEnv(t)
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENCRYPTION_KEY", base64.StdEncoding.EncodeToString(coretest.TestKey))
	t.Setenv("ONWARD_ENV", "dev") // the test engines chain events with the stand-in audit key
	res, err := env.Engine.SelfRefer(context.Background(), coretest.SelfReferral(key))
	if err != nil {
		t.Fatal(err)
	}
	return env, res
}

func TestClientCommands(t *testing.T) {
	env, res := clientCLIEnv(t, "cli-1")
	ctx := context.Background()
	ref := res.Referral.Reference
	if _, _, err := env.Engine.DiscloseClient(ctx, res.Referral.ID, env.Net.Adviser.Actor(), "slack"); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	page := filepath.Join(t.TempDir(), "sar.html")
	if err := runClient(ctx, []string{"export", ref, "--html", page, "--by", "morven@network.example", "--request-via", "letter", "--request-date", "2026-01-05", "--request-ref", "SAR-2026-014"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var sa core.SubjectAccess
	if err := json.Unmarshal(out.Bytes(), &sa); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, out.String())
	}
	if sa.Client.Name != "Morag Baird" || len(sa.Consents) != 1 || sa.Consents[0].Wording == "" ||
		len(sa.Referrals) != 1 || sa.Referrals[0].Notes == "" || len(sa.Disclosures) != 2 || sa.Disclosures[0].Via != "slack" ||
		sa.Disclosures[1].Via != "cli" {
		t.Errorf("export = %+v", sa)
	}
	html, err := os.ReadFile(page)
	if err != nil || !strings.Contains(string(html), "Ailsa Brodie") || !strings.Contains(string(html), sa.Consents[0].Wording) {
		t.Errorf("readable page lacks who saw the details or the consent wording: %v", err)
	}
	if err := runClient(ctx, []string{"withdraw", ref, "--by", "morven@network.example"}, io.Discard, io.Discard); err == nil {
		t.Error("withdraw without evidence succeeded")
	}
	out.Reset()
	if err := runClient(ctx, []string{"withdraw", ref, "--evidence", "letter of 3 Dec", "--by", "morven@network.example"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "1 open referral") {
		t.Errorf("withdraw: %v %s", err, out.String())
	}
	// What Redis holds for the client's phone (a conversation, a reply
	// kept for Twilio's retries) goes with the erasure.
	phone, err := core.ParsePhone(coretest.SelfReferral("cli-1").Client.Phone)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := loadDBConfig()
	if err != nil {
		t.Fatal(err)
	}
	crypt, err := newCrypter(cfg) // the CLI's keys, as it hashes the phone
	if err != nil {
		t.Fatal(err)
	}
	tag := "{" + hex.EncodeToString(crypt.PhoneHash(phone)) + "}"
	t.Setenv("ONWARD_REDIS_URL", coretest.RedisURL())
	opt, err := redis.ParseURL(coretest.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	held := []string{"onward:sms:conv:" + tag, "onward:sms:sid:" + tag + ":SM0123"}
	for _, k := range held {
		if err := rdb.Set(ctx, k, "sealed", time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { rdb.Del(context.Background(), held...) })
	if err := runClient(ctx, []string{"erase", ref, "--reason", "client-asked", "--by", "morven@network.example"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if c, err := env.Engine.ClientDetailsFor(ctx, res.Referral.ClientID); err != nil || !c.Erased || c.Name != "" {
		t.Errorf("after erase: %+v, %v", c, err)
	}
	if n, err := rdb.Exists(ctx, held...).Result(); err != nil || n != 0 {
		t.Errorf("after erase Redis still holds %d of the phone's keys (%v)", n, err)
	}
	if err := runClient(ctx, []string{"erase", "ONW-NOSUCH", "--reason", "client-asked", "--by", "morven@network.example"}, io.Discard, io.Discard); err == nil {
		t.Error("erase of an unknown reference succeeded")
	}
}

// TestCommandWordsAndFlags: flags are read wherever they stand among a
// command's words, and a word a command does not take is refused, naming
// it, rather than silently dropping every flag after it (a report meant
// for publication came out with exact small numbers); an export to a page
// that cannot be written fails before any detail is read, shown or
// audited.
func TestCommandWordsAndFlags(t *testing.T) {
	env, res := clientCLIEnv(t, "cli-words")
	ctx := context.Background()
	ref := res.Referral.Reference
	for _, c := range []struct {
		run  func(context.Context, []string, io.Writer, io.Writer) error
		args []string
		want string
	}{
		{runReport, []string{"national-standards", "kirkton-cab", "--from", "2026-01-01", "--publish"}, `"kirkton-cab"`},
		{runReport, []string{"partners", "2026-01-01", "--format", "json"}, `"2026-01-01"`},
		{runTexts, []string{"extra", "--lang", "pl"}, `"extra"`},
		{runOutbox, []string{"list", "--dead", "extra"}, `"extra"`},
		{runClient, []string{"export", ref, "extra"}, `"extra"`},
		{runClient, []string{"export", "--html"}, "flag needs an argument"},
		{runClient, []string{"erase", "--reason", "asked"}, "say which client"},
	} {
		var out bytes.Buffer
		err := c.run(ctx, c.args, &out, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want one naming %s", c.args, err, c.want)
		}
		if out.Len() != 0 && !strings.Contains(out.String(), "Usage:") {
			t.Errorf("%q printed %q before refusing", c.args, out.String())
		}
	}
	// A flag before the reference is a flag.
	page := filepath.Join(t.TempDir(), "sar.html")
	var out bytes.Buffer
	if err := runClient(ctx, []string{"export", "--html", page, ref, "--by", "morven@network.example", "--request-via", "letter", "--request-date", "2026-01-05", "--request-ref", "SAR-2026-014"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "Morag Baird") {
		t.Fatalf("export with --html before the reference: %v", err)
	}
	if _, err := os.Stat(page); err != nil {
		t.Errorf("the readable page was not written: %v", err)
	}
	// A page that cannot be written: nothing printed, nothing audited.
	exports := func() int {
		var n int
		if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = $1`, string(core.EventSubjectAccess)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := exports()
	out.Reset()
	err := runClient(ctx, []string{"export", ref, "--html", filepath.Join(t.TempDir(), "no", "such", "dir", "x.html"), "--by", "morven@network.example", "--request-via", "letter", "--request-date", "2026-01-05", "--request-ref", "SAR-2026-014"}, &out, io.Discard)
	if err == nil || out.Len() != 0 || exports() != before {
		t.Errorf("export to an unwritable page: err %v, printed %d bytes, %d exports audited; want an error, nothing printed or audited", err, out.Len(), exports()-before)
	}
}

// TestClientCommandsRecordWhoRanThem (audit D 1, 6, 8, 16, 17): the data
// protection commands name who ran them (--by, a coordinator or admin)
// in the audit log; an export needs the subject access request it answers
// and keeps it with the export; an erasure's reason is a code from core's
// list; the withdraw keyword cannot be a word that means something else
// to a client, and every settings change is audited; a retention dry run
// names clients by references and dates, not internal ids.
func TestClientCommandsRecordWhoRanThem(t *testing.T) {
	env, res := clientCLIEnv(t, "cli-by")
	ctx := context.Background()
	ref := res.Referral.Reference
	sar := []string{"--request-via", "email", "--request-date", "2026-12-01", "--request-ref", "SAR-7"}
	refused := func(want string, args ...string) {
		t.Helper()
		var out bytes.Buffer
		if err := runClient(ctx, args, &out, io.Discard); err == nil || !strings.Contains(err.Error(), want) || strings.Contains(out.String(), "Morag") {
			t.Errorf("%q: %v, want refused saying %q and nothing shown", args, err, want)
		}
	}
	refused("--by EMAIL", append([]string{"export", ref}, sar...)...)
	refused("--by EMAIL", "withdraw", ref, "--evidence", "letter")
	refused("--by EMAIL", "erase", ref, "--reason", "client-asked")
	refused("only a coordinator or admin", append([]string{"export", ref, "--by", "ailsa@cab.example"}, sar...)...)
	refused("no current member of staff", append([]string{"export", ref, "--by", "nobody@example.org"}, sar...)...)
	refused("request reference", "export", ref, "--by", "morven@network.example", "--request-via", "email", "--request-date", "2026-12-01")
	// The reference is shown in clear on the data protection officer's
	// list: a client's name and phone are refused (review ops F11).
	refused("request reference: this looks like a phone number", "export", ref, "--by", "morven@network.example", "--request-via", "phone",
		"--request-date", "2026-12-01", "--request-ref", "Morag Baird 07700 900123")
	refused("YYYY-MM-DD", "export", ref, "--by", "morven@network.example", "--request-via", "email", "--request-date", "1 Dec", "--request-ref", "SAR-7")
	refused("choose one of client-asked", "erase", ref, "--by", "morven@network.example", "--reason", "Morag phoned on 07700 900123")
	var exported int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind IN ($1, $2)`, string(core.EventSubjectAccess), string(core.EventClientErased)).Scan(&exported); err != nil || exported != 0 {
		t.Fatalf("%d exports or erasures audited after refusals (%v)", exported, err)
	}

	if err := runClient(ctx, append([]string{"export", ref, "--by", "Morven@Network.example"}, sar...), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var kind, channel, day string
	var actor *int64
	if err := env.Pool.QueryRow(ctx, `SELECT actor_kind, actor_id, data->>'request_channel', data->>'request_received' FROM events WHERE kind = $1`,
		string(core.EventSubjectAccess)).Scan(&kind, &actor, &channel, &day); err != nil {
		t.Fatal(err)
	}
	if kind != "staff" || actor == nil || *actor != int64(env.Net.Coordinator.ID) || channel != "email" || day != "2026-12-01" {
		t.Errorf("the export is audited as %s %v with %s %s, want the coordinator, email, 2026-12-01", kind, actor, channel, day)
	}

	// Settings: who changes them, and no keyword that clashes.
	for _, word := range []string{"YES", "stop", "Help", "TAK", "POLSKI"} {
		refused("withdraw keyword: "+strings.ToUpper(word)+" is already", "settings", "--by", "morven@network.example", "--withdraw-keyword", word)
	}
	refused("--by EMAIL", "settings", "--retention-months", "1")
	var out bytes.Buffer
	if err := runClient(ctx, []string{"settings", "--by", "morven@network.example", "--retention-months", "1"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "retention 1 months") {
		t.Fatalf("settings: %v %s", err, out.String())
	}
	var changes int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = $1 AND actor_id = $2 AND data ? 'retention_months' AND NOT data ? 'withdraw_keyword'`,
		string(core.EventDataProtectionChanged), int64(env.Net.Coordinator.ID)).Scan(&changes); err != nil || changes != 1 {
		t.Errorf("settings changes audited: %d (%v), want the one", changes, err)
	}

	// Retention's dry run names the client by reference and dates.
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: res.Referral.ID, Action: core.ActionCancel, Actor: core.ClientActor}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Pool.Exec(ctx, `UPDATE referrals SET closed_at = closed_at - interval '400 days', created_at = created_at - interval '401 days'`); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := runClient(ctx, []string{"retention", "--dry-run"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, ref+" (made ") || !strings.Contains(s, ", closed ") || strings.Contains(s, "client "+strconv.FormatInt(int64(res.Referral.ClientID), 10)) || strings.Contains(s, "Morag") {
		t.Errorf("retention dry run said:\n%s\nwant the reference with its dates, and no id or name", s)
	}

	// A real run erases: by hand it names who ran it; the network's own
	// schedule (cron) says so with --scheduled, and the log names Onward.
	refused("or --scheduled when the network's schedule runs it", "retention")
	refused("only a coordinator or admin", "retention", "--by", "ailsa@cab.example")
	refused("not both", "retention", "--by", "morven@network.example", "--scheduled")
	if n := erasures(t, env); len(n) != 0 {
		t.Fatalf("erasures after refused retention runs: %v", n)
	}
	out.Reset()
	if err := runClient(ctx, []string{"retention", "--by", "morven@network.example"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "Erased the details of 1 client") {
		t.Fatalf("retention by hand: %v\n%s", err, out.String())
	}
	in := coretest.SelfReferral("cli-by-scheduled")
	in.Client.Phone = "07700 900777"
	later, err := env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: later.Referral.ID, Action: core.ActionCancel, Actor: core.ClientActor}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Pool.Exec(ctx, `UPDATE referrals SET closed_at = closed_at - interval '400 days' WHERE id = $1`, later.Referral.ID); err != nil {
		t.Fatal(err)
	}
	if err := runClient(ctx, []string{"retention", "--scheduled"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	want := []string{fmt.Sprintf("staff %d through cli", env.Net.Coordinator.ID), "system 0 through retention"}
	if got := erasures(t, env); strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("retention erasures recorded as %v, want %v", got, want)
	}
}

// erasures lists the erasures the audit log holds, oldest first, as "who
// through what".
func erasures(t *testing.T, env *coretest.Env) []string {
	t.Helper()
	rows, err := env.Pool.Query(context.Background(), `SELECT actor_kind, coalesce(actor_id, 0), data->>'via' FROM events WHERE kind = $1 ORDER BY id`,
		string(core.EventClientErased))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var (
			kind, via string
			actor     int64
		)
		if err := rows.Scan(&kind, &actor, &via); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %d through %s", kind, actor, via))
	}
	return out
}

// TestClientEraseBesideDevForgetsSimulatorThreads (review ops F16): run
// beside `onward dev`, `onward client erase` removes what the dev phone
// simulator keeps of the client's phone (its SMS and WhatsApp threads,
// which hold their name and answers), as an erasure from the dev server
// does, with the SMS channel's own keys.
func TestClientEraseBesideDevForgetsSimulatorThreads(t *testing.T) {
	_, res := clientCLIEnv(t, "cli-sim")
	ctx := context.Background()
	t.Setenv("ONWARD_ENV", "dev")
	t.Setenv("ONWARD_REDIS_URL", coretest.RedisURL())
	phone, err := core.ParsePhone(coretest.SelfReferral("cli-sim").Client.Phone)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := loadDBConfig()
	if err != nil {
		t.Fatal(err)
	}
	crypt, err := newCrypter(cfg) // the CLI's keys, as it hashes the phone
	if err != nil {
		t.Fatal(err)
	}
	tag := "{" + hex.EncodeToString(crypt.PhoneHash(phone)) + "}"
	opt, err := redis.ParseURL(coretest.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	held := []string{"onward:sms:conv:" + tag, "onward:sim:thread:" + tag, "onward:sim:thread:wa:" + tag}
	for _, k := range held {
		if err := rdb.RPush(ctx, k, "sealed").Err(); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { rdb.Del(context.Background(), held...) })
	if err := runClient(ctx, []string{"erase", res.Referral.Reference, "--reason", "client-asked", "--by", "morven@network.example"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, k := range held {
		if n, err := rdb.Exists(ctx, k).Result(); err != nil || n != 0 {
			t.Errorf("after erase Redis still holds %s (%v)", k, err)
		}
	}
}

// TestClientRetentionListsReferralsKeptOpen: `onward client retention`,
// dry or real, lists the referrals open longer than the retention
// period under a heading saying they are kept because they are open and
// what to do, by reference, status, agency and age, never the client's
// name; and it erases nobody.
func TestClientRetentionListsReferralsKeptOpen(t *testing.T) {
	env, res := clientCLIEnv(t, "cli-kept-open")
	ctx := context.Background()
	if err := runClient(ctx, []string{"settings", "--by", "morven@network.example", "--retention-months", "2"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Pool.Exec(ctx, `UPDATE referrals SET created_at = now() - interval '100 days'`); err != nil {
		t.Fatal(err)
	}
	agency := "in triage"
	if res.Agency != nil {
		agency = res.Agency.Name
	}
	for _, args := range [][]string{{"retention", "--dry-run"}, {"retention", "--by", "morven@network.example"}} {
		var out bytes.Buffer
		if err := runClient(ctx, args, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		s := out.String()
		line := fmt.Sprintf("  %s  %s  %s  made ", res.Referral.Reference, core.StatusRequested.Label(), agency)
		if !strings.Contains(s, "1 referral(s) open for longer than the retention period") || !strings.Contains(s, core.RetentionKeptOpenAdvice) ||
			!strings.Contains(s, line) || !strings.Contains(s, ", 100 days ago") || strings.Contains(s, "Morag") {
			t.Errorf("%v said:\n%s\nwant the open referral under the heading, as %q…, 100 days ago, and no name", args, s, line)
		}
	}
	if c, _ := env.Engine.ClientDetailsFor(ctx, res.Referral.ClientID); c.Erased {
		t.Error("retention erased a client whose referral is open")
	}
}
