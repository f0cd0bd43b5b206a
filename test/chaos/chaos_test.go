// Package chaos_test runs Onward as it runs past one machine — two serve
// and three worker processes built from this repository, one database —
// while the providers fail, workers are SIGKILLed and PostgreSQL and Redis
// restart under them, then counts what was delivered against what the
// README's delivery guarantees promise.
package chaos_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/bot"
	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/intake/sms"
	"github.com/onward-network/onward/notify/notifytest"
)

const (
	chaosSMSClients = 150 // whole SMS conversations
	chaosWebClients = 50  // web forms
	chaosFailShare  = 0.30
	// chaosLease is the worker lease the processes are given (the
	// ONWARD_WORKER_LEASE setting); a worker killed mid-claim holds its
	// rows this long.
	chaosLease       = "15s"
	chaosDrainWithin = 5 * time.Minute
	chaosPublicURL   = "https://onward.chaos.test"
	chaosAccountSID  = "ACchaos0000000000000000000000000000"
	chaosAuthToken   = "chaosauthtoken000000000000000000"
	chaosFrom        = "+447700900000"
	chaosBotToken    = "xoxb-chaos"
	chaosSigning     = "chaos-signing-secret-0123456789abcdef"
	// workerConcurrency is notify's default deliveries in flight per
	// worker: the most texts one SIGKILL can leave "sending".
	workerConcurrency = 64
)

// TestManyProcessesOneTruth is issue 18's "many processes, one truth":
// 2 serve + 3 worker processes on one database, providers failing 30% of
// calls, a worker SIGKILLed every few seconds, PostgreSQL and Redis each
// stopped and started once; then drain and count. It takes a few
// minutes, most of them the drain.
func TestManyProcessesOneTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test skipped under -short: it builds the binary and runs for a few minutes")
	}
	pgBin := postgresBin()
	redisBin, redisErr := exec.LookPath("redis-server")
	if pgBin == "" || redisErr != nil {
		t.Skip("chaos test skipped: it needs PostgreSQL's server binaries (initdb, pg_ctl) and redis-server to start private servers it can stop and restart; install postgresql and redis-server")
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "onward-chaos-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("process logs kept in %s", dir)
			return
		}
		os.RemoveAll(dir)
	})
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}

	bin := buildOnward(t, dir)
	pg := startPostgres(t, pgBin, dir)
	rds := startRedis(t, redisBin, dir)
	if err := pg.createDatabase(ctx, "onward"); err != nil {
		t.Fatal(err)
	}
	dbURL := pg.url("onward")

	// Provider fakes: the repo's, behind a 30% fault injector each.
	twilio := notifytest.NewTwilio(t, chaosAccountSID, chaosAuthToken)
	slack := notifytest.NewSlack(t, chaosBotToken)
	twFaults, twSrv := newFaulty(t, "Twilio", chaosFailShare, 1, twilio.Server.Config.Handler, true, twilioKey)
	slFaults, slSrv := newFaulty(t, "Slack", chaosFailShare, 2, slack.Server.Config.Handler, false, slackKey)

	key := base64.StdEncoding.EncodeToString(coretest.TestKey)
	env := append(os.Environ(),
		"ONWARD_ENV=production", "ONWARD_DATABASE_URL="+dbURL, "ONWARD_REDIS_URL="+rds.url(),
		"ONWARD_PUBLIC_URL="+chaosPublicURL, "ONWARD_ENCRYPTION_KEY="+key, "ONWARD_SESSION_SECRET="+key, "ONWARD_AUDIT_KEY="+key,
		"ONWARD_TWILIO_ACCOUNT_SID="+chaosAccountSID, "ONWARD_TWILIO_AUTH_TOKEN="+chaosAuthToken,
		"ONWARD_TWILIO_FROM="+chaosFrom, "ONWARD_TWILIO_API_URL="+twSrv.URL,
		"ONWARD_SLACK_BOT_TOKEN="+chaosBotToken, "ONWARD_SLACK_SIGNING_SECRET="+chaosSigning,
		"ONWARD_SLACK_API_URL="+slSrv.URL+"/api/", "ONWARD_SLACK_TRIAGE_CHANNEL=C0TRIAGE",
		"ONWARD_SMS_RATE_PER_HOUR=100000", "ONWARD_IP_RATE_PER_MINUTE=1000000", "ONWARD_WEB_TEXTS_PER_DAY=100000",
		"ONWARD_WORKER_POLL=1s", "ONWARD_WORKER_LEASE="+chaosLease, "ONWARD_LOG_LEVEL=warn")
	mig := exec.Command(bin, "migrate")
	mig.Env = env
	if out, err := mig.CombinedOutput(); err != nil {
		t.Fatalf("onward migrate: %v\n%s", err, out)
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	crypt, err := core.NewCrypter(coretest.TestKey, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	eng := core.NewEngine(pool, crypt, core.SystemClock{}, core.RandomIDs{}, slog.New(slog.DiscardHandler))
	defer eng.Close()
	network, err := coretest.SeedNetwork(ctx, eng, pool)
	if err != nil {
		t.Fatal(err)
	}
	// Clients' texts are not held for the network's quiet hours, whatever
	// the hour the test runs: held, none would reach Twilio and the
	// checks on texts would prove nothing (and held ones falling due just
	// after the drain would read as stuck).
	if _, err := pool.Exec(ctx, `UPDATE network_settings SET quiet_start = '00:00', quiet_end = '00:00'`); err != nil {
		t.Fatalf("turn off quiet hours: %v", err)
	}

	// Two serve processes (no worker inside) and three workers.
	var serves, workers []*proc
	var bases []string
	for i := range 2 {
		port := freePort(t)
		p := newProc(fmt.Sprintf("serve%d", i+1), bin, dir, append(slices.Clone(env), fmt.Sprintf("ONWARD_HTTP_ADDR=127.0.0.1:%d", port)),
			"serve", "--worker=false")
		serves = append(serves, p)
		bases = append(bases, fmt.Sprintf("http://127.0.0.1:%d", port))
	}
	for i := range 3 {
		workers = append(workers, newProc(fmt.Sprintf("worker%d", i+1), bin, dir, env, "worker"))
	}
	all := append(slices.Clone(serves), workers...)
	for _, p := range all {
		if err := p.start(); err != nil {
			t.Fatal(err)
		}
	}
	// Run after the processes are stopped (cleanups run last first), so a
	// race found while draining on SIGTERM counts too.
	t.Cleanup(func() {
		for _, p := range all {
			if report, n := p.raceReport(); n > 0 {
				t.Errorf("%s: the race detector reported %d data races; the first:\n%s", p.name, n, report)
			}
		}
	})
	t.Cleanup(func() {
		for _, p := range all {
			p.signal(syscall.SIGTERM, 10*time.Second)
		}
	})
	for i, b := range bases {
		if err := waitReady(ctx, b+"/readyz", 60*time.Second, serves[i]); err != nil {
			t.Fatalf("%v\n%s", err, serves[i].logTail(20))
		}
	}

	d := &driver{t: t, bases: bases, client: &http.Client{Timeout: 20 * time.Second}, pool: pool,
		staff: map[core.AgencyID][]string{network.CAB: {"U0AILSA", "U0CALLUM"}, network.Welfare: {"U0ISLA"}}}

	// Chaos: SIGKILL a random worker every 2–5 s and start it again;
	// stop PostgreSQL for 8 s and Redis for 5 s, once each.
	start := time.Now()
	chaosCtx, stopChaos := context.WithCancel(ctx)
	var chaosWG sync.WaitGroup
	var kills []time.Time
	var killsMu sync.Mutex
	// On an early failure the chaos stops before the processes are
	// stopped (cleanups run last first), so nothing restarts them after.
	t.Cleanup(func() { stopChaos(); chaosWG.Wait() })
	chaosWG.Add(2)
	go func() {
		defer chaosWG.Done()
		rnd := rand.New(rand.NewPCG(3, 18))
		for {
			select {
			case <-chaosCtx.Done():
				return
			case <-time.After(2*time.Second + time.Duration(rnd.IntN(3000))*time.Millisecond):
			}
			w := workers[rnd.IntN(len(workers))]
			killsMu.Lock()
			kills = append(kills, time.Now())
			killsMu.Unlock()
			w.signal(syscall.SIGKILL, 5*time.Second)
			time.Sleep(300 * time.Millisecond)
			if err := w.start(); err != nil {
				t.Errorf("restart %s: %v", w.name, err)
			}
		}
	}()
	// A supervisor, as systemd would be: a process that exited by itself
	// is started again a second later. Processes wait for their servers,
	// so it should find nothing to do; it stays because a process can
	// still crash, and every restart it makes is reported below.
	chaosWG.Add(1)
	go func() {
		defer chaosWG.Done()
		for {
			select {
			case <-chaosCtx.Done():
				return
			case <-time.After(time.Second):
			}
			for _, p := range all {
				if err := p.restartIfCrashed(); err != nil {
					t.Errorf("restart %s: %v", p.name, err)
				}
			}
		}
	}()
	// The times are written by the goroutine below and read only after
	// serversBack is closed or the chaos has stopped.
	var pgDown, redisDown [2]time.Time
	serversBack := make(chan struct{})
	go func() {
		defer chaosWG.Done()
		sleep := func(d time.Duration) bool {
			select {
			case <-chaosCtx.Done():
				return false
			case <-time.After(d):
				return true
			}
		}
		if !sleep(15 * time.Second) {
			return
		}
		pgDown[0] = time.Now()
		if err := pg.stop(); err != nil {
			t.Errorf("stop PostgreSQL: %v", err)
		}
		time.Sleep(8 * time.Second)
		if err := pg.start(); err != nil {
			t.Errorf("start PostgreSQL again: %v", err)
		}
		pgDown[1] = time.Now()
		if !sleep(12 * time.Second) {
			return
		}
		redisDown[0] = time.Now()
		if err := rds.stop(); err != nil {
			t.Errorf("stop Redis: %v", err)
		}
		time.Sleep(5 * time.Second)
		if err := rds.start(); err != nil {
			t.Errorf("start Redis again: %v", err)
		}
		redisDown[1] = time.Now()
		close(serversBack)
	}()

	// Clients: SMS conversations and web forms, several at a time; staff
	// act on the cards as they arrive.
	staffCtx, stopStaff := context.WithCancel(ctx)
	staffDone := make(chan struct{})
	go func() { defer close(staffDone); d.staffLoop(staffCtx) }()
	var wg sync.WaitGroup
	jobs := make(chan func(), 16)
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j()
			}
		}()
	}
	for i := range chaosSMSClients + chaosWebClients {
		if i%4 == 3 && i/4 < chaosWebClients {
			jobs <- func() { d.webForm(ctx, i) }
		} else {
			jobs <- func() { d.conversation(ctx, i) }
		}
	}
	close(jobs)
	wg.Wait()
	t.Logf("clients done after %s: %d conversations completed, %d web forms sent, %d gave up",
		time.Since(start).Round(time.Second), d.smsDone.Load(), d.webDone.Load(), d.gaveUp.Load())
	for kind, transcript := range d.failures {
		t.Logf("the first of %s that did not end with a reference:\n%s", kind, transcript)
	}
	// Let the chaos run until PostgreSQL and Redis have both been
	// restarted; then stop it, and let the staff finish while the
	// workers drain.
	<-serversBack
	stopChaos()
	chaosWG.Wait()
	for _, p := range all {
		if !p.running() {
			if err := p.start(); err != nil {
				t.Fatal(err)
			}
		}
	}
	chaosEnd := time.Now()
	t.Logf("chaos over after %s: %d workers killed; PostgreSQL down %s–%s, Redis down %s–%s",
		chaosEnd.Sub(start).Round(time.Second), len(kills), pgDown[0].Format("15:04:05"), pgDown[1].Format("15:04:05"),
		redisDown[0].Format("15:04:05"), redisDown[1].Format("15:04:05"))

	// Drain: nothing due may stay pending (rows scheduled hours ahead,
	// reminders and contact checks, are not due, nor news of a completion
	// held while it can be undone: core.UndoWindow), and no card may wait
	// for the staff.
	pending := func() int {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL AND dead_at IS NULL
			AND available_at < now() + interval '30 minutes'
			AND NOT (available_at > now() AND ((kind = 'sms.client' AND payload->>'template' = 'feedback_request')
			                                   OR (kind = 'email.notify' AND payload->>'action' = 'complete')))`).Scan(&n); err != nil {
			return -1
		}
		return n
	}
	drainDeadline := time.Now().Add(chaosDrainWithin)
	for {
		todo, err := d.actionable(ctx)
		n := pending()
		if err == nil && n == 0 && len(todo) == 0 {
			break
		}
		if time.Now().After(drainDeadline) {
			t.Errorf("nothing left pending: %d outbox rows still due and %d cards waiting for staff %s after the chaos ended", n, len(todo), chaosDrainWithin)
			break
		}
		time.Sleep(time.Second)
	}
	stopStaff()
	<-staffDone
	for n := pending(); n != 0 && time.Now().Before(drainDeadline.Add(30*time.Second)); n = pending() {
		time.Sleep(time.Second)
	}
	t.Logf("drained %s after the chaos ended", time.Since(chaosEnd).Round(time.Second))
	t.Log(twFaults.summary())
	t.Log(slFaults.summary())

	d.count(t, twilio, slack, kills)

	// serve and worker wait for PostgreSQL and Redis rather than exit, so
	// the supervisor should have had nothing to do: a start refused while
	// a server was down is a failure now, as is any other exit.
	refused := 0
	for _, p := range all {
		r := p.startRefusals()
		refused += len(r)
		if len(r) > 0 {
			t.Errorf("processes wait for their servers: %s refused to start %d times (the supervisor started it again); the first: %s; its log ends:\n%s",
				p.name, len(r), r[0], p.logTail(15))
		}
		for _, e := range p.exits() {
			t.Errorf("processes recover by themselves: %s; its log ends:\n%s", e, p.logTail(15))
		}
	}
	if refused == 0 {
		t.Logf("no process refused to start or exited by itself while a server was down: each waited for it")
	}
}

// driver plays clients and staff against the serve processes.
type driver struct {
	t      *testing.T
	bases  []string
	client *http.Client
	pool   *pgxpool.Pool
	staff  map[core.AgencyID][]string // Slack users of the agencies staff act for
	sid    atomic.Int64

	smsDone, webDone, gaveUp atomic.Int64

	mu       sync.Mutex
	acted    map[core.ReferralID]pressed // what staff last did
	failures map[string]string           // kind of client → first failed transcript
	ackTries atomic.Int64
}

func (d *driver) base(i int) string { return d.bases[i%len(d.bases)] }

// conversation is one client texting a whole self-referral; every tenth
// says they have no money for food today (a crisis, to triage).
func (d *driver) conversation(ctx context.Context, i int) {
	// Ofcom's drama range: numbers that are never anyone's.
	phone := fmt.Sprintf("+447700900%03d", i)
	food := "no"
	if i%10 == 0 {
		food = "yes"
	}
	script := []string{"Hi", "1 3", "KY1 1AB", food, "no", fmt.Sprintf("Client %d", i), "1", "morning", "yes"}
	var transcript strings.Builder
	for step, body := range script {
		reply, ok := d.text(ctx, i+step, phone, body)
		fmt.Fprintf(&transcript, ">>> %q\n<<< %s\n", body, reply)
		if !ok {
			d.gaveUp.Add(1)
			d.failed("a conversation", transcript.String())
			return
		}
		if step == len(script)-1 {
			// A client whose "yes" got an apology (a server was down)
			// says yes again, as a new text, a few seconds later.
			for again := 0; again < 4 && !strings.Contains(reply, "ONW-"); again++ {
				time.Sleep(3 * time.Second)
				reply, _ = d.text(ctx, i+step+again, phone, body)
				fmt.Fprintf(&transcript, ">>> %q (again)\n<<< %s\n", body, reply)
			}
			if strings.Contains(reply, "ONW-") {
				d.smsDone.Add(1)
			} else {
				d.failed("a conversation", transcript.String())
			}
		}
		time.Sleep(time.Duration(20+rand.IntN(150)) * time.Millisecond)
	}
}

// failed keeps the first failure of each kind of client, for the log.
func (d *driver) failed(kind, transcript string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.failures == nil {
		d.failures = map[string]string{}
	}
	if _, ok := d.failures[kind]; !ok {
		d.failures[kind] = transcript
	}
}

// text sends one signed inbound SMS as Twilio does, to either serve, and
// sends it again with the same MessageSid (as Twilio's retry would) until
// it is answered 200, for up to a minute.
func (d *driver) text(ctx context.Context, n int, phone, body string) (string, bool) {
	sid := fmt.Sprintf("SM%032x", d.sid.Add(1))
	params := map[string]string{"MessageSid": sid, "SmsSid": sid, "AccountSid": chaosAccountSID, "From": phone,
		"To": chaosFrom, "Body": body, "NumMedia": "0", "NumSegments": "1", "ApiVersion": "2010-04-01"}
	form := make([]string, 0, len(params))
	for k, v := range params {
		form = append(form, k+"="+urlEscape(v))
	}
	sig := twilioSignature(chaosAuthToken, chaosPublicURL+"/twilio/sms", params)
	deadline := time.Now().Add(time.Minute)
	for try := 0; ; try++ {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, d.base(n+try)+"/twilio/sms", strings.NewReader(strings.Join(form, "&")))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", sig)
		res, err := d.client.Do(req)
		var last string
		if err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return string(b), true
			}
			last = fmt.Sprintf("status %d: %.300s", res.StatusCode, b)
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			return last, false
		}
		time.Sleep(500 * time.Millisecond)
	}
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// webForm is one client filling the web form on either serve (their
// session lives in Redis, so each page may come from the other process);
// the form starts again from the top if a step fails, up to three times.
func (d *driver) webForm(ctx context.Context, i int) {
	for attempt := 0; attempt < 3; attempt++ {
		if d.webFormOnce(ctx, i, attempt) {
			d.webDone.Add(1)
			return
		}
		time.Sleep(2 * time.Second)
	}
	d.gaveUp.Add(1)
}

func (d *driver) webFormOnce(ctx context.Context, i, attempt int) bool {
	jar := newJar()
	c := &http.Client{Timeout: 20 * time.Second, Jar: jar}
	n := i + attempt
	get := func(path string) (string, bool) {
		n++
		res, err := c.Get(d.base(n) + path)
		if err != nil {
			return "", false
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return string(b), res.StatusCode == http.StatusOK
	}
	post := func(path string, v map[string]string) (string, string, bool) {
		page, ok := get(path)
		if !ok {
			return page, path, false
		}
		m := csrfRe.FindStringSubmatch(page)
		if m == nil {
			return page, path, false
		}
		form := []string{"csrf=" + urlEscape(m[1])}
		for k, val := range v {
			form = append(form, k+"="+urlEscape(val))
		}
		n++
		res, err := c.Post(d.base(n)+path, "application/x-www-form-urlencoded", strings.NewReader(strings.Join(form, "&")))
		if err != nil {
			return "", "", false
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return string(b), res.Request.URL.Path, res.StatusCode == http.StatusOK && !strings.Contains(string(b), "There is a problem")
	}
	if _, ok := get("/refer"); !ok {
		return false
	}
	steps := []struct {
		path string
		v    map[string]string
	}{
		{"/refer/needs", map[string]string{"needs": "debt"}},
		{"/refer/postcode", map[string]string{"postcode": "KY1 1AB"}},
		{"/refer/money-today", map[string]string{"no_food": "no"}},
		{"/refer/home", map[string]string{"losing_home": "no"}},
		{"/refer/name", map[string]string{"name": fmt.Sprintf("Web Client %d", i)}},
		{"/refer/contact", map[string]string{"phone": fmt.Sprintf("07700 900%03d", 500+i), "email": fmt.Sprintf("client%d@example.org", i)}},
		{"/refer/contact-method", map[string]string{"contact_method": "text"}},
		{"/refer/contact-time", map[string]string{"contact_time": "morning"}},
		{"/refer/consent", map[string]string{"consent": "yes", "version": "v1"}},
	}
	for _, s := range steps {
		if body, path, ok := post(s.path, s.v); !ok {
			d.failed("a web form", fmt.Sprintf("POST %s ended at %s:\n%.3000s", s.path, path, body))
			return false
		}
	}
	body, path, ok := post("/refer/check", nil)
	if !(ok && path == "/refer/done" && strings.Contains(body, "ONW-")) {
		d.failed("a web form", fmt.Sprintf("sending the form ended at %s:\n%.3000s", path, body))
		return false
	}
	return true
}

// staffLoop plays the advisers: each card that has reached its agency's
// channel is accepted then completed, or (one in five) rejected, by
// signed Slack interactions to either serve.
func (d *driver) staffLoop(ctx context.Context) {
	d.mu.Lock()
	d.acted = map[core.ReferralID]pressed{}
	d.mu.Unlock()
	for ctx.Err() == nil {
		time.Sleep(time.Second)
		todo, err := d.actionable(ctx)
		if err != nil {
			continue // PostgreSQL may be down: the staff wait too
		}
		for _, r := range todo {
			d.act(ctx, r)
		}
	}
}

type cardState struct {
	id      core.ReferralID
	version int
	status  string
	agency  core.AgencyID
}

const sqlActionable = `
SELECT r.id, r.version, r.status, r.to_agency_id
FROM referrals r JOIN slack_cards c ON c.referral_id = r.id AND c.channel_kind = 'agency' AND c.agency_id = r.to_agency_id
WHERE r.status IN ('requested', 'accepted', 'in-progress') AND r.to_agency_id = ANY($1)`

func (d *driver) actionable(ctx context.Context) ([]cardState, error) {
	var agencies []int64
	for a := range d.staff {
		agencies = append(agencies, int64(a))
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	rows, err := d.pool.Query(ctx, sqlActionable, agencies)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cardState
	for rows.Next() {
		var c cardState
		if err := rows.Scan(&c.id, &c.version, &c.status, &c.agency); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// act sends the next press for one card. Presses are acknowledged before
// the work, so the loop looks again at the database to see what landed.
func (d *driver) act(ctx context.Context, c cardState) {
	users := d.staff[c.agency]
	user := users[int(c.id)%len(users)]
	var payload map[string]any
	var last string
	value := fmt.Sprintf("%d:%d", c.id, c.version)
	switch {
	case c.status == "requested" && c.id%5 == 0:
		last = "reject"
		payload = viewSubmission(user, "reject", value, map[string]any{
			"reason":   map[string]any{"reason": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": string(core.ReasonNoCapacity)}}},
			"feedback": map[string]any{"feedback": map[string]any{"type": "plain_text_input", "value": "No appointments this fortnight"}},
		})
	case c.status == "requested":
		last = "accept"
		payload = d.press(user, "accept", value)
	case c.status == "accepted":
		last = "contact"
		payload = d.press(user, "contact", value)
	default: // in progress: the client was contacted
		last = "complete"
		payload = viewSubmission(user, "complete", value, map[string]any{
			"outcome":      map[string]any{"outcome": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": string(core.OutcomeHelpGiven)}}},
			"outcome_note": map[string]any{"outcome_note": map[string]any{"type": "plain_text_input", "value": "Budget done"}},
		})
	}
	// The same press on the same card is made again only when it has
	// not landed after a few seconds (a server was down, say), as an
	// adviser would press again.
	d.mu.Lock()
	p := d.acted[c.id]
	if p.what == last+value && time.Since(p.at) < 5*time.Second {
		d.mu.Unlock()
		return
	}
	d.acted[c.id] = pressed{what: last + value, at: time.Now()}
	d.mu.Unlock()
	_ = d.slack(ctx, int(c.id), payload)
}

// pressed is the last press staff made on a card, and when.
type pressed struct {
	what string
	at   time.Time
}

// press is a button on a card, as Slack's block_actions payload.
func (d *driver) press(user, action, value string) map[string]any {
	return map[string]any{"type": "block_actions", "user": map[string]any{"id": user}, "team": map[string]any{"id": "T0CHAOS"},
		"trigger_id": fmt.Sprintf("1.%d", d.ackTries.Add(1)),
		"container":  map[string]any{"type": "message", "message_ts": "1.1", "channel_id": "C0CAB"},
		"channel":    map[string]any{"id": "C0CAB"},
		"actions": []any{map[string]any{"action_id": action, "block_id": "card_actions", "type": "button", "value": value,
			"action_ts": fmt.Sprintf("%d.%06d", time.Now().Unix(), d.ackTries.Add(1)%1000000)}}}
}

func viewSubmission(user, callback, metadata string, values map[string]any) map[string]any {
	return map[string]any{"type": "view_submission", "user": map[string]any{"id": user}, "team": map[string]any{"id": "T0CHAOS"},
		"view": map[string]any{"id": fmt.Sprintf("V%s%d", callback, time.Now().UnixNano()), "callback_id": callback,
			"private_metadata": metadata, "state": map[string]any{"values": values}}}
}

// count checks what the providers received against the guarantees.
func (d *driver) count(t *testing.T, twilio *notifytest.Twilio, slack *notifytest.Slack, kills []time.Time) {
	ctx := context.Background()
	type ref struct {
		id        core.ReferralID
		reference string
		source    string
		status    string
	}
	rows, err := d.pool.Query(ctx, `SELECT id, reference, source, status || CASE WHEN to_agency_id IS NULL THEN ' in triage' ELSE '' END FROM referrals ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var refs []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.id, &r.reference, &r.source, &r.status); err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r)
	}
	rows.Close()
	bySource, byStatus, status := map[string]int{}, map[string]int{}, map[string]string{}
	for _, r := range refs {
		status[r.reference] = r.status
		bySource[r.source]++
		byStatus[r.status]++
	}
	t.Logf("referrals: %d (%v), statuses %v", len(refs), bySource, byStatus)
	if want := int(d.smsDone.Load() + d.webDone.Load()); len(refs) < want {
		t.Errorf("%d referrals in the database, but clients were given %d references", len(refs), want)
	}
	// One conversation, one referral: a client who said yes again after
	// an apology must not be referred twice. (A rejected referral's
	// follow-up in triage has it as parent; a web client who starts the
	// form again after an error page fills in a new form.)
	dupes, err := d.pool.Query(ctx, `SELECT count(*), string_agg(reference, ' ' ORDER BY id) FROM referrals
		WHERE source = 'sms' AND parent_id IS NULL GROUP BY client_id HAVING count(*) > 1`)
	if err != nil {
		t.Fatal(err)
	}
	for dupes.Next() {
		var n int
		var refs string
		if err := dupes.Scan(&n, &refs); err != nil {
			t.Fatal(err)
		}
		t.Errorf("one texting client has %d referrals (%s): a conversation makes one referral", n, refs)
	}
	dupes.Close()
	if len(refs) < (chaosSMSClients+chaosWebClients)*8/10 {
		t.Errorf("only %d referrals from %d clients: most clients must get through despite the faults", len(refs), chaosSMSClients+chaosWebClients)
	}

	// Cards: every referral's card posted exactly once per channel it
	// belongs in; a second post of the same card is allowed only in the
	// documented crash window (a worker SIGKILLed after Slack answered
	// and before the row was marked sent, within one provider timeout).
	cardRe := regexp.MustCompile(`(?:Crisis referral|Referral) (ONW-[A-Z0-9]+): .*\([^()]+\)$`)
	posts := map[string][]notifytest.SlackCall{} // reference/channel → posts
	updates := 0
	for _, c := range slack.Calls() {
		m := cardRe.FindStringSubmatch(c.Text)
		if m == nil {
			continue
		}
		if c.Method == "chat.postMessage" {
			posts[m[1]+"/"+c.Channel] = append(posts[m[1]+"/"+c.Channel], c)
		} else {
			updates++
		}
	}
	cards, err := d.pool.Query(ctx, `SELECT r.reference, c.channel, c.ts FROM slack_cards c JOIN referrals r ON r.id = c.referral_id`)
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string]string{}
	for cards.Next() {
		var reference, channel, ts string
		if err := cards.Scan(&reference, &channel, &ts); err != nil {
			t.Fatal(err)
		}
		recorded[reference+"/"+channel] = ts
	}
	cards.Close()
	nearKill := func(at time.Time) bool {
		for _, k := range kills {
			if !at.After(k) && k.Sub(at) < 11*time.Second {
				return true
			}
		}
		return false
	}
	repeated := 0
	for _, r := range refs {
		found := false
		for k := range recorded {
			if strings.HasPrefix(k, r.reference+"/") {
				found = true
			}
		}
		if !found {
			t.Errorf("referral %s has no Slack card recorded", r.reference)
		}
	}
	for k, ts := range recorded {
		ps := posts[k]
		if len(ps) == 0 {
			t.Errorf("card %s recorded (ts %s) but Slack never received its post", k, ts)
			continue
		}
		for _, p := range ps {
			if p.TS != ts {
				repeated++
				if !nearKill(p.At) {
					t.Errorf("card %s posted %d times: an extra post at %s was not in a killed worker's window", k, len(ps), p.At.Format("15:04:05.000"))
				}
			}
		}
		// The card on screen shows the referral as it is now: the
		// updates landed, in order, on the recorded message.
		reference, channel, _ := strings.Cut(k, "/")
		if m, ok := slack.Message(channel, ts); ok && channel != "C0TRIAGE" {
			if word := cardWord[status[reference]]; word != "" && !strings.Contains(m.Text, "("+word+")") {
				t.Errorf("card %s on screen reads %q, but the referral is %s", k, m.Text, status[reference])
			}
		}
	}
	if repeated > len(kills)*workerConcurrency {
		t.Errorf("%d repeated card posts, more than %d kills could explain", repeated, len(kills))
	}

	// Texts: at most once each (same number, same words).
	texts := map[string]int{}
	for _, m := range twilio.Accepted() {
		texts[m.To+"\x00"+m.Body]++
	}
	for k, n := range texts {
		if n > 1 {
			to, body, _ := strings.Cut(k, "\x00")
			t.Errorf("a text was sent %d times to %s: %.60q…; texts are at most once", n, to[:len(to)-4]+"****", body)
		}
	}

	// Dead letters: each one explained. The only explanation the README
	// gives for a delivery that is not retried to success is a worker
	// killed between "sending" and "sent" (interrupted during send, at
	// most one per delivery in flight per kill).
	dead, err := d.pool.Query(ctx, `SELECT id, kind, last_error, attempts FROM outbox WHERE dead_at IS NOT NULL ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	interrupted := 0
	for dead.Next() {
		var id int64
		var kind, lastErr string
		var attempts int
		if err := dead.Scan(&id, &kind, &lastErr, &attempts); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.Contains(lastErr, "interrupted during send"):
			interrupted++
		default:
			t.Errorf("dead letter %d (%s, %d attempts) not explained by a kill: %s", id, kind, attempts, lastErr)
		}
	}
	dead.Close()
	// Texts Twilio accepted that no row records as sent with Twilio's id:
	// the interrupted ones that had in fact gone (false alarms to the
	// coordinators). Rows sent without an id were skipped (an opted-out
	// phone, a landline), not sent.
	var sentTexts int
	if err := d.pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE kind LIKE 'sms.%' AND sent_at IS NOT NULL AND provider_id <> ''`).Scan(&sentTexts); err != nil {
		t.Fatal(err)
	}
	if sentTexts == 0 {
		t.Error("no client text was sent: the checks on texts prove nothing")
	}
	interruptedButSent := len(twilio.Accepted()) - sentTexts
	if interrupted > len(kills)*workerConcurrency {
		t.Errorf("%d texts dead-lettered as interrupted, more than %d kills × %d deliveries in flight", interrupted, len(kills), workerConcurrency)
	}
	t.Logf("texts: %d accepted by Twilio, %d distinct; %d dead-lettered as interrupted by a kill (%d of them had in fact gone); cards: %d recorded, %d repeated posts in a kill window, %d updates",
		len(twilio.Accepted()), len(texts), interrupted, interruptedButSent, len(recorded), repeated, updates)
}

// cardWord is the word an agency's card shows for the statuses staff
// leave referrals in (templates/slack/card.tmpl).
var cardWord = map[string]string{"accepted": "Accepted", "in-progress": "Client contacted", "completed": "Completed"}

// slack sends one signed interaction payload, as Slack does, to either
// serve, and tries again (a new request) while the answer is not 200.
func (d *driver) slack(ctx context.Context, n int, payload map[string]any) bool {
	b, err := json.Marshal(payload)
	if err != nil {
		d.t.Errorf("payload: %v", err)
		return false
	}
	body := []byte(url.Values{"payload": {string(b)}}.Encode())
	for try := 0; try < 5; try++ {
		now := time.Now().Unix()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, d.base(n+try)+"/slack/interactions", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(now, 10))
		req.Header.Set("X-Slack-Signature", bot.SlackSignature(chaosSigning, now, body))
		res, err := d.client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return true
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	return false
}

func urlEscape(s string) string { return url.QueryEscape(s) }

func twilioSignature(token, u string, params map[string]string) string {
	return sms.TwilioSignature(token, u, params)
}

func newJar() http.CookieJar {
	j, _ := cookiejar.New(nil)
	return j
}
