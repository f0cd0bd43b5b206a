package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/bot"
	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/report"
	"github.com/onward-network/onward/intake/sms"
	"github.com/onward-network/onward/notify/notifytest"
)

// The day benchmark plays a working day of a national-scale network
// against the real binary: one `onward serve` and one `onward worker`
// process (built from this tree, or ONWARD_BENCH_ONWARD), a fresh
// database holding 130 agencies and 13,000 staff, and the fake Twilio
// and Slack. Clients text whole conversations and fill the web form;
// advisers accept, reject, redirect and complete in Slack and read their
// inbox; coordinators read reports; the worker delivers every card and
// text. It prints each operation's sustained rate and p50/p99, the
// processes' peak memory and the database's size.
//
// The load. FORT, the largest network in Scotland (about 130 agencies,
// 13,000 registered workers), makes thousands of referrals a year. We
// assume its busiest hour sees dayFORTBusiestHour referrals (a generous
// figure: 60 an hour is 25,000 a year if every working hour were that
// busy). The benchmark runs at ten times that, 600 referrals an hour,
// with time compressed dayCompression-fold (a second of the benchmark
// stands for a minute of the day): 10 referrals a second. The default
// run, ONWARD_BENCH_DAY_SECONDS=60, is the busiest hour of the day;
// 480 plays all eight hours.
const (
	dayAgencies        = 130
	dayStaffPerAgency  = 100
	dayFORTBusiestHour = 60 // referrals in FORT's busiest hour (assumed)
	dayLoadFactor      = 10
	dayCompression     = 60
	daySeconds         = 60
	dayAuthToken       = "benchdayauthtoken000000000000000"
	dayAccountSID      = "ACbenchday0000000000000000000000000"
	dayFrom            = "+447700900000"
	dayBotToken        = "xoxb-bench-day"
	daySigning         = "bench-day-signing-secret-0123456789ab"
	dayPublicURL       = "https://onward.bench.example"
	// dayThink is a client's pause between texts and form pages (half a
	// minute of the day, compressed).
	dayThink = 500 * time.Millisecond
	// dayTargetP99 and dayTargetRSS are the targets.
	dayTargetP99 = 200 * time.Millisecond
	dayTargetRSS = 200 << 20
)

// sqlDayDueNow counts the outbox rows the worker should have sent by now,
// those it holds (leased, being sent) included.
const sqlDayDueNow = `SELECT count(*) FROM outbox WHERE sent_at IS NULL AND dead_at IS NULL AND (available_at <= now() OR leased)`

func init() { registerBench("day", benchDay) }

// dayRecorder keeps each operation's latencies.
type dayRecorder struct {
	mu     sync.Mutex
	ops    map[string][]time.Duration
	facing map[string]bool // client- or staff-facing (counts for p99_worst)
	errs   map[string]int
	first  map[string]string
}

func (r *dayRecorder) add(op string, facing bool, d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.errs[op]++
		if r.first[op] == "" {
			r.first[op] = strings.Join(strings.Fields(err.Error()), " ")
		}
		return
	}
	r.ops[op] = append(r.ops[op], d)
	r.facing[op] = facing
}

func benchDay(ctx context.Context, stdout io.Writer) error {
	seconds := daySeconds
	if v := os.Getenv("ONWARD_BENCH_DAY_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 5 {
			return fmt.Errorf("ONWARD_BENCH_DAY_SECONDS must be a whole number of seconds, at least 5, got %q", v)
		}
		seconds = n
	}
	perHour := dayFORTBusiestHour * dayLoadFactor
	rate := float64(perHour) * dayCompression / 3600 // referrals per second of benchmark
	fmt.Fprintf(stdout, "day: FORT's busiest hour assumed %d referrals; 10× is %d/h; a benchmark second is a day's minute, so %.0f referrals/s for %ds (%.1f day-hours)\n",
		dayFORTBusiestHour, perHour, rate, seconds, float64(seconds)*dayCompression/3600)

	dbURL, drop, err := benchDatabase(ctx)
	if err != nil {
		return err
	}
	defer drop()
	pcfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return err
	}
	pcfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	key := randomKey()
	crypt, err := core.NewCrypter(key, nil, nil)
	if err != nil {
		return err
	}
	quiet := slog.New(slog.DiscardHandler)
	eng := core.NewEngine(pool, crypt, core.SystemClock{}, core.RandomIDs{}, quiet)
	defer eng.Close()
	seedStart := time.Now()
	network, err := daySeed(ctx, eng, pool)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "day: seeded %d agencies and %d staff in %s\n", len(network.agencies), len(network.agencies)*dayStaffPerAgency, time.Since(seedStart).Round(time.Millisecond))

	// The providers, faked at the wire, always answering.
	rep := &benchReporter{}
	defer rep.close()
	twilio := notifytest.NewTwilio(rep, dayAccountSID, dayAuthToken)
	slack := notifytest.NewSlack(rep, dayBotToken)
	slackFront, slackURL, err := serveLocal(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/chat.postEphemeral" { // a press that went wrong, told to the presser
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":true,"message_ts":"1.1"}`)
			return
		}
		slack.Server.Config.Handler.ServeHTTP(w, r)
	}))
	if err != nil {
		return err
	}
	defer slackFront.Close()

	bin, cleanupBin, err := dayBinary(ctx)
	if err != nil {
		return err
	}
	defer cleanupBin()
	base, err := loadDBConfig()
	if err != nil {
		return err
	}
	port, err := dayFreePort()
	if err != nil {
		return err
	}
	redisURL, emptyRedis, err := dayRedis(ctx, base.RedisURL)
	if err != nil {
		return err
	}
	defer emptyRedis()
	k := base64.StdEncoding.EncodeToString(key)
	env := append(os.Environ(), "ONWARD_ENV=production", "ONWARD_DATABASE_URL="+dbURL, "ONWARD_REDIS_URL="+redisURL,
		"ONWARD_PUBLIC_URL="+dayPublicURL, "ONWARD_ENCRYPTION_KEY="+k, "ONWARD_SESSION_SECRET="+k, "ONWARD_AUDIT_KEY="+k,
		"ONWARD_TWILIO_ACCOUNT_SID="+dayAccountSID, "ONWARD_TWILIO_AUTH_TOKEN="+dayAuthToken, "ONWARD_TWILIO_FROM="+dayFrom,
		"ONWARD_TWILIO_API_URL="+twilio.URL(), "ONWARD_SLACK_BOT_TOKEN="+dayBotToken, "ONWARD_SLACK_SIGNING_SECRET="+daySigning,
		"ONWARD_SLACK_API_URL="+slackURL+"/api/", "ONWARD_SLACK_TRIAGE_CHANNEL=C0TRIAGE",
		"ONWARD_SMS_RATE_PER_HOUR=1000000", "ONWARD_IP_RATE_PER_MINUTE=100000000", "ONWARD_LOG_LEVEL=error",
		fmt.Sprintf("ONWARD_HTTP_ADDR=127.0.0.1:%d", port))
	serve, err := dayStart(bin, env, "serve", "--worker=false")
	if err != nil {
		return err
	}
	defer dayStop(serve)
	worker, err := dayStart(bin, env, "worker")
	if err != nil {
		return err
	}
	defer dayStop(worker)
	target := fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := dayReady(ctx, target+"/readyz", time.Minute); err != nil {
		return err
	}

	rec := &dayRecorder{ops: map[string][]time.Duration{}, facing: map[string]bool{}, errs: map[string]int{}, first: map[string]string{}}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}
	d := &dayDriver{ctx: ctx, target: target, client: client, rec: rec, net: network, pool: pool, eng: eng,
		phoneBase: rand.IntN(999), acted: map[core.ReferralID]string{}}

	// Side loads: RSS sampling, staff, inbox readers and report readers.
	sideCtx, stopSide := context.WithCancel(ctx)
	var side sync.WaitGroup
	var rssServe, rssWorker atomic.Int64
	side.Add(4)
	go func() {
		defer side.Done()
		for sideCtx.Err() == nil {
			rssServe.Store(max(rssServe.Load(), dayRSS(serve.Process.Pid)))
			rssWorker.Store(max(rssWorker.Load(), dayRSS(worker.Process.Pid)))
			time.Sleep(250 * time.Millisecond)
		}
	}()
	go func() { defer side.Done(); d.staffLoop(sideCtx) }()
	go func() { defer side.Done(); d.inboxReaders(sideCtx) }()
	go func() { defer side.Done(); d.reportReaders(sideCtx) }()

	// Clients arrive at the rate, 70% by text, 30% on the web form.
	start := time.Now()
	var clients sync.WaitGroup
	total := int(rate * float64(seconds))
	for i := 0; i < total && ctx.Err() == nil; i++ {
		at := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		time.Sleep(time.Until(at))
		clients.Add(1)
		go func() {
			defer clients.Done()
			if d.texts(i) {
				d.conversation(i)
			} else {
				d.webForm(i)
			}
		}()
	}
	clients.Wait()
	clientsTook := time.Since(start)
	// Staff finish what is on their cards; the worker drains what is due.
	// Rows queued to go later (the clients' feedback requests ten minutes
	// after a completion, contact checks and reminders days later) are
	// not waited for: they are counted below.
	drainStart := time.Now()
	for time.Since(drainStart) < 2*time.Minute && ctx.Err() == nil {
		var due int
		_ = pool.QueryRow(ctx, sqlDayDueNow).Scan(&due)
		todo, _ := d.actionable(ctx)
		if due == 0 && len(todo) == 0 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	stopSide()
	side.Wait()
	took := time.Since(start)

	// Deliveries, as the worker made them (not client-facing: a card or
	// text arrives when it arrives, the client has their answer already).
	for _, q := range []struct{ op, kind string }{{"deliver-card", "card.sync"}, {"deliver-text", "sms.client"}} {
		rows, err := pool.Query(ctx, `SELECT sent_at - created_at FROM outbox WHERE kind = $1 AND sent_at IS NOT NULL`, q.kind)
		if err != nil {
			return err
		}
		for rows.Next() {
			var iv time.Duration
			if err := rows.Scan(&iv); err != nil {
				rows.Close()
				return err
			}
			rec.add(q.op, false, iv, nil)
		}
		rows.Close()
	}
	var referrals, dueRows, laterRows, retryRows, deadRows int
	var dbSize int64
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM referrals), (`+sqlDayDueNow+`),
		(SELECT count(*) FROM outbox WHERE sent_at IS NULL AND dead_at IS NULL AND available_at > now() AND NOT leased AND attempts = 0),
		(SELECT count(*) FROM outbox WHERE sent_at IS NULL AND dead_at IS NULL AND available_at > now() AND NOT leased AND attempts > 0),
		(SELECT count(*) FROM outbox WHERE dead_at IS NOT NULL), pg_database_size(current_database())`).Scan(&referrals, &dueRows, &laterRows, &retryRows, &deadRows, &dbSize); err != nil {
		return err
	}
	// Peak resident memory, as the kernel counted it (VmHWM).
	rssServe.Store(max(rssServe.Load(), dayPeakRSS(serve.Process.Pid)))
	rssWorker.Store(max(rssWorker.Load(), dayPeakRSS(worker.Process.Pid)))

	names := make([]string, 0, len(rec.ops))
	for op := range rec.ops {
		names = append(names, op)
	}
	for op := range rec.errs {
		if _, ok := rec.ops[op]; !ok {
			names = append(names, op)
		}
	}
	slices.Sort(names)
	ops := 0
	var worst time.Duration
	worstOp := ""
	for _, op := range names {
		l := rec.ops[op]
		slices.Sort(l)
		rateOp := float64(len(l)) / clientsTook.Seconds()
		facing := "staff/client-facing"
		if !rec.facing[op] {
			facing = "background"
		} else {
			ops += len(l)
			if p := percentile(l, 99); p > worst {
				worst, worstOp = p, op
			}
		}
		line := fmt.Sprintf("day-op: %-15s n=%-6d rate=%7.1f/s p50=%sms p99=%sms (%s)", op, len(l), rateOp, ms(percentile(l, 50)), ms(percentile(l, 99)), facing)
		if rec.errs[op] > 0 {
			line += fmt.Sprintf(" errors=%d first: %s", rec.errs[op], rec.first[op])
		}
		fmt.Fprintln(stdout, line)
	}
	rssMax := max(rssServe.Load(), rssWorker.Load())
	drained := "everything due drained"
	if dueRows+retryRows > 0 {
		drained = fmt.Sprintf("%d outbox rows still due and %d waiting to be tried again", dueRows, retryRows)
	}
	fmt.Fprintf(stdout, "day: clients for %s, %s after %s; serve peak RSS %dMB, worker peak RSS %dMB; database %dMB; %d outbox rows queued for later, %d dead letters; fakes: %d texts, %d Slack calls\n",
		clientsTook.Round(time.Second), drained, took.Round(time.Second), rssServe.Load()>>20, rssWorker.Load()>>20, dbSize>>20,
		laterRows, deadRows, len(twilio.Accepted()), len(slack.Calls()))
	verdict := "met"
	if worst >= dayTargetP99 || rssMax >= dayTargetRSS {
		verdict = "NOT met"
	}
	fmt.Fprintf(stdout, "day: targets (p99 < %dms for every client/staff op, RSS < %dMB a process) %s; worst p99 is %s\n",
		dayTargetP99.Milliseconds(), dayTargetRSS>>20, verdict, worstOp)
	if len(rep.errs) > 0 {
		fmt.Fprintf(stdout, "day: the fakes saw %d unexpected requests, first: %s\n", len(rep.errs), rep.errs[0])
	}
	fmt.Fprintf(stdout, "day: referrals=%d ops=%d p99_worst=%sms rss_max=%dMB\n", referrals, ops, ms(worst), rssMax>>20)
	return nil
}

// dayNetwork is the seeded network: agencies with their channel, their
// one district, and their staff's Slack ids.
type dayNetwork struct {
	agencies []dayAgency
	byID     map[core.AgencyID]int
}

type dayAgency struct {
	id       core.AgencyID
	district string
	staff    []string // Slack user ids
}

// daySeed writes the network: 130 postcode districts (Edinburgh's EH1–55
// and Glasgow's G1–75), one agency serving each for every need (so a
// self-referral routes to one agency, not to triage), and 100 staff per
// agency, every one on Slack.
func daySeed(ctx context.Context, eng *core.Engine, pool *pgxpool.Pool) (dayNetwork, error) {
	n := dayNetwork{byID: map[core.AgencyID]int{}}
	if err := eng.SetNetwork(ctx, pool, core.NetworkSettings{Name: "National Advice Network", Phone: "0800 000 0000",
		OpeningHours: "Monday to Friday, 9am to 5pm", CrisisLines: "Samaritans 116 123, NHS 24 111",
		DirectoryURL: dayPublicURL + "/directory", DataSharingURL: dayPublicURL + "/data-sharing"}); err != nil {
		return n, err
	}
	// The busiest hour is in the working day: texts are not held for the
	// network's quiet hours, whatever the hour the benchmark runs.
	if _, err := pool.Exec(ctx, `UPDATE network_settings SET quiet_start = '00:00', quiet_end = '00:00'`); err != nil {
		return n, fmt.Errorf("turn off quiet hours: %w", err)
	}
	if err := eng.PublishConsentWording(ctx, pool, "v1", coretest.ConsentText); err != nil {
		return n, err
	}
	if _, err := eng.AddAgency(ctx, pool, core.NewAgency{Slug: "network-team", Name: "Network Team", SlackChannelID: "C0TRIAGE", AckTargetHours: 16}); err != nil {
		return n, err
	}
	needs := []core.Need{core.NeedDebt, core.NeedBenefits, core.NeedIncomeMax, core.NeedHousing, core.NeedFood}
	for i := range dayAgencies {
		district, council, town := fmt.Sprintf("EH%d", i+1), "City of Edinburgh", "Edinburgh"
		if i >= 55 {
			district, council, town = fmt.Sprintf("G%d", i-54), "Glasgow City", "Glasgow"
		}
		if err := eng.AddDistrict(ctx, pool, core.District{District: district, CouncilArea: council, Town: town}); err != nil {
			return n, fmt.Errorf("district %s: %w", district, err)
		}
		id, err := eng.AddAgency(ctx, pool, core.NewAgency{Slug: fmt.Sprintf("agency-%03d", i), Name: fmt.Sprintf("Advice Agency %03d", i),
			SlackChannelID: fmt.Sprintf("C%04d", i), AckTargetHours: 16, AcceptsSelfReferrals: true, Phone: "0131 000 0000"})
		if err != nil {
			return n, fmt.Errorf("agency %d: %w", i, err)
		}
		if _, err := eng.AddService(ctx, pool, core.NewService{AgencyID: id, Name: "Advice", Needs: needs,
			PostcodeDistricts: []string{district}, Languages: []string{"en"}}); err != nil {
			return n, fmt.Errorf("service of agency %d: %w", i, err)
		}
		a := dayAgency{id: id, district: district}
		for j := range dayStaffPerAgency {
			a.staff = append(a.staff, fmt.Sprintf("U%03d%03d", i, j))
		}
		n.byID[id] = len(n.agencies)
		n.agencies = append(n.agencies, a)
	}
	// 13,000 staff in one statement: adding them one by one through core
	// takes longer than the day.
	if _, err := pool.Exec(ctx, `
INSERT INTO staff (agency_id, name, role, email, slack_user_id, created_at)
SELECT a.id, 'Adviser ' || g, CASE WHEN g = 0 THEN 'coordinator' ELSE 'adviser' END,
    'adviser' || g || '@' || a.slug || '.example', 'U' || substr(a.slug, 8, 3) || lpad(g::text, 3, '0'), now()
FROM agencies a, generate_series(0, $1::int - 1) g WHERE a.slug LIKE 'agency-%'`, dayStaffPerAgency); err != nil {
		return n, fmt.Errorf("add staff: %w", err)
	}
	return n, nil
}

// dayDriver plays the clients and staff.
type dayDriver struct {
	ctx       context.Context
	target    string
	client    *http.Client
	rec       *dayRecorder
	net       dayNetwork
	pool      *pgxpool.Pool
	eng       *core.Engine
	phoneBase int
	sid       atomic.Int64
	seq       atomic.Int64

	mu    sync.Mutex
	acted map[core.ReferralID]string // action and version last pressed
}

// phone is client i's number, from Ofcom's two drama ranges (numbers
// that are never anyone's), 999 of each kind, reused after a long while
// (Onward's own number, 07700 900000, is none of them). A client who
// texts has a mobile; of those on the web form, half give a landline.
func (d *dayDriver) phone(i int) string {
	n := 1 + (d.phoneBase+i)%999
	if d.texts(i) || (i/10)%2 == 0 {
		return fmt.Sprintf("+447700900%03d", n)
	}
	return fmt.Sprintf("+441632960%03d", n)
}

// texts reports whether client i refers themselves by text (7 in 10)
// rather than on the web form.
func (d *dayDriver) texts(i int) bool { return i%10 < 7 }

// contactMethod is how client i asks to be contacted: by text on a
// mobile, by a call on a landline (the form refuses texts to a landline).
func (d *dayDriver) contactMethod(i int) string {
	if strings.HasPrefix(d.phone(i), "+447") {
		return "text"
	}
	return "call"
}

// postcode is a full postcode in the district of agency i.
func (d *dayDriver) postcode(i int) string {
	return d.net.agencies[i%len(d.net.agencies)].district + " 1AB"
}

// conversation is one client texting a whole self-referral; one in
// twenty has no money for food today (a crisis, to triage).
func (d *dayDriver) conversation(i int) {
	phone := d.phone(i)
	food := "no"
	if i%20 == 0 {
		food = "yes"
	}
	for _, body := range []string{"Hi", "1 3", d.postcode(i), food, "no", "Client", "1", "morning", "yes"} {
		if err := d.text(phone, body); err != nil {
			d.rec.add("sms-inbound", true, 0, err)
			return
		}
		time.Sleep(dayThink/2 + rand.N(dayThink))
	}
}

// text sends one signed inbound text as Twilio does and times the answer.
func (d *dayDriver) text(phone, body string) error {
	sid := fmt.Sprintf("SM%032x", d.sid.Add(1)+int64(d.phoneBase)<<40)
	params := map[string]string{"MessageSid": sid, "SmsSid": sid, "AccountSid": dayAccountSID, "From": phone, "To": dayFrom,
		"Body": body, "NumMedia": "0", "NumSegments": "1", "ApiVersion": "2010-04-01", "SmsStatus": "received"}
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	req, err := http.NewRequestWithContext(d.ctx, http.MethodPost, d.target+"/twilio/sms", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", sms.TwilioSignature(dayAuthToken, dayPublicURL+"/twilio/sms", params))
	t0 := time.Now()
	res, err := d.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	took := time.Since(t0)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d for a text", res.StatusCode)
	}
	d.rec.add("sms-inbound", true, took, nil)
	return nil
}

var dayCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// webForm is one client filling the web form, a page at a time.
func (d *dayDriver) webForm(i int) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Timeout: 30 * time.Second, Jar: jar, Transport: d.client.Transport}
	get := func(path string) (string, error) {
		t0 := time.Now()
		res, err := c.Get(d.target + path)
		if err != nil {
			return "", err
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return "", fmt.Errorf("GET %s: status %d", path, res.StatusCode)
		}
		d.rec.add("web-page", true, time.Since(t0), nil)
		return string(b), nil
	}
	post := func(op, path string, v url.Values) (string, error) {
		page, err := get(path)
		if err != nil {
			return "", err
		}
		m := dayCSRF.FindStringSubmatch(page)
		if m == nil {
			return "", fmt.Errorf("no CSRF token on %s", path)
		}
		time.Sleep(dayThink/2 + rand.N(dayThink))
		v.Set("csrf", m[1])
		t0 := time.Now()
		// Not following the redirect: the next page is timed on its own.
		req, _ := http.NewRequestWithContext(d.ctx, http.MethodPost, d.target+path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := c.Transport.RoundTrip(withCookies(req, jar))
		if err != nil {
			return "", err
		}
		if rc := res.Cookies(); len(rc) > 0 {
			jar.SetCookies(req.URL, rc)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusFound {
			return "", fmt.Errorf("POST %s: status %d (want a redirect to the next page)", path, res.StatusCode)
		}
		d.rec.add(op, true, time.Since(t0), nil)
		_ = b
		return res.Header.Get("Location"), nil
	}
	fail := func(err error) { d.rec.add("web-post", true, 0, err) }
	if _, err := get("/refer"); err != nil {
		fail(err)
		return
	}
	steps := []struct {
		path string
		v    url.Values
	}{
		{"/refer/needs", url.Values{"needs": {"debt"}}},
		{"/refer/postcode", url.Values{"postcode": {d.postcode(i)}}},
		{"/refer/money-today", url.Values{"no_food": {"no"}}},
		{"/refer/home", url.Values{"losing_home": {"no"}}},
		{"/refer/name", url.Values{"name": {"Web Client"}}},
		{"/refer/contact", url.Values{"phone": {d.phone(i)}, "email": {fmt.Sprintf("client%d@example.org", i)}}},
		{"/refer/contact-method", url.Values{"contact_method": {d.contactMethod(i)}}},
		{"/refer/contact-time", url.Values{"contact_time": {"morning"}}},
		{"/refer/consent", url.Values{"consent": {"yes"}, "version": {"v1"}}},
	}
	for _, s := range steps {
		if _, err := post("web-post", s.path, s.v); err != nil {
			fail(err)
			return
		}
	}
	loc, err := post("web-send", "/refer/check", url.Values{})
	if err != nil {
		fail(err)
		return
	}
	if !strings.Contains(loc, "/refer/done") {
		fail(fmt.Errorf("sending the form led to %q, not the confirmation", loc))
		return
	}
	if _, err := get("/refer/done"); err != nil {
		fail(err)
	}
}

func withCookies(req *http.Request, jar http.CookieJar) *http.Request {
	for _, c := range jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	return req
}

type dayCard struct {
	id      core.ReferralID
	version int
	status  string
	agency  core.AgencyID
}

const sqlDayActionable = `
SELECT r.id, r.version, r.status, r.to_agency_id
FROM referrals r JOIN slack_cards c ON c.referral_id = r.id AND c.channel_kind = 'agency' AND c.agency_id = r.to_agency_id
WHERE r.status IN ('requested', 'accepted', 'in-progress')`

// actionable lists the cards on agencies' channels waiting for staff.
func (d *dayDriver) actionable(ctx context.Context) ([]dayCard, error) {
	rows, err := d.pool.Query(ctx, sqlDayActionable)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []dayCard
	for rows.Next() {
		var c dayCard
		if err := rows.Scan(&c.id, &c.version, &c.status, &c.agency); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// staffLoop plays advisers: each card on an agency's channel is pressed
// once per version: one in ten rejected, one in ten redirected to the next
// agency, the rest accepted, marked contacted and completed.
func (d *dayDriver) staffLoop(ctx context.Context) {
	for ctx.Err() == nil {
		time.Sleep(200 * time.Millisecond)
		cards, err := d.actionable(ctx)
		if err != nil {
			continue
		}
		var wg sync.WaitGroup
		sem := make(chan struct{}, 16)
		for _, c := range cards {
			key := fmt.Sprintf("%s:%d", c.status, c.version)
			d.mu.Lock()
			seen := d.acted[c.id] == key
			d.acted[c.id] = key
			d.mu.Unlock()
			if seen {
				continue
			}
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				d.press(c)
			}()
		}
		wg.Wait()
	}
}

func (d *dayDriver) press(c dayCard) {
	i, ok := d.net.byID[c.agency]
	if !ok {
		return
	}
	a := d.net.agencies[i]
	user := a.staff[1+int(c.id)%(len(a.staff)-1)]
	value := fmt.Sprintf("%d:%d", c.id, c.version)
	var op string
	var payload map[string]any
	switch {
	case c.status == "requested" && c.id%10 == 3:
		op = "slack-reject"
		payload = dayView(user, "reject", value, map[string]any{
			"reason":   map[string]any{"reason": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": string(core.ReasonNoCapacity)}}},
			"feedback": map[string]any{"feedback": map[string]any{"type": "plain_text_input", "value": "No appointments this fortnight"}}})
	case c.status == "requested" && c.id%10 == 7:
		op = "slack-redirect"
		to := d.net.agencies[(i+1)%len(d.net.agencies)].id
		payload = dayView(user, "redirect", value, map[string]any{
			"agency":   map[string]any{"agency": map[string]any{"type": "radio_buttons", "selected_option": map[string]any{"value": strconv.FormatInt(int64(to), 10)}}},
			"feedback": map[string]any{"feedback": map[string]any{"type": "plain_text_input", "value": "Their housing team is better placed"}}})
	case c.status == "requested":
		op = "slack-accept"
		payload = d.button(user, "accept", value)
	case c.status == "accepted":
		op = "slack-contacted"
		payload = d.button(user, "contact", value)
	default: // in progress
		op = "slack-complete"
		payload = dayView(user, "complete", value, map[string]any{
			"outcome":      map[string]any{"outcome": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": string(core.OutcomeHelpGiven)}}},
			"outcome_note": map[string]any{"outcome_note": map[string]any{"type": "plain_text_input", "value": "Budget done"}}})
	}
	b, _ := json.Marshal(payload)
	body := []byte(url.Values{"payload": {string(b)}}.Encode())
	now := time.Now().Unix()
	req, _ := http.NewRequestWithContext(d.ctx, http.MethodPost, d.target+"/slack/interactions", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(now, 10))
	req.Header.Set("X-Slack-Signature", bot.SlackSignature(daySigning, now, body))
	t0 := time.Now()
	res, err := d.client.Do(req)
	if err != nil {
		d.rec.add(op, true, 0, err)
		return
	}
	reply, _ := io.ReadAll(res.Body)
	res.Body.Close()
	took := time.Since(t0)
	switch {
	case res.StatusCode != http.StatusOK:
		err = fmt.Errorf("status %d", res.StatusCode)
	case bytes.Contains(reply, []byte(`"errors"`)):
		err = fmt.Errorf("the modal answered with errors: %s", reply)
	}
	d.rec.add(op, true, took, err)
}

// button is a press on a card, as Slack's block_actions payload.
func (d *dayDriver) button(user, action, value string) map[string]any {
	n := d.seq.Add(1)
	return map[string]any{"type": "block_actions", "user": map[string]any{"id": user}, "team": map[string]any{"id": "T0DAY"},
		"trigger_id": fmt.Sprintf("1.%d", n), "container": map[string]any{"type": "message", "message_ts": "1.1", "channel_id": "C0"},
		"channel": map[string]any{"id": "C0"},
		"actions": []any{map[string]any{"action_id": action, "block_id": "card_actions", "type": "button", "value": value,
			"action_ts": fmt.Sprintf("%d.%06d", time.Now().Unix(), n%1000000)}}}
}

func dayView(user, callback, metadata string, values map[string]any) map[string]any {
	return map[string]any{"type": "view_submission", "user": map[string]any{"id": user}, "team": map[string]any{"id": "T0DAY"},
		"view": map[string]any{"id": fmt.Sprintf("V%s%d", callback, time.Now().UnixNano()), "callback_id": callback,
			"private_metadata": metadata, "state": map[string]any{"values": values}}}
}

// inboxReaders are advisers with their agency's inbox open on the web:
// the inbox page's query (core's List), four readers, each every 200 ms.
func (d *dayDriver) inboxReaders(ctx context.Context) {
	var wg sync.WaitGroup
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := r; ctx.Err() == nil; i += 4 {
				a := d.net.agencies[i%len(d.net.agencies)]
				t0 := time.Now()
				_, err := d.eng.List(ctx, core.ListQuery{View: core.ViewInbox, Agency: a.id})
				if ctx.Err() != nil {
					return
				}
				d.rec.add("inbox-list", true, time.Since(t0), err)
				time.Sleep(200 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
}

// reportReaders are coordinators opening the reports: every report in
// turn over the last 90 days, one a second, after refreshing the rollups.
func (d *dayDriver) reportReaders(ctx context.Context) {
	rp := report.New(d.pool, core.SystemClock{})
	specs := report.List()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	f := report.Filter{From: today.AddDate(0, 0, -89), To: today}
	for i := 0; ctx.Err() == nil; i++ {
		if i%len(specs) == 0 {
			t0 := time.Now()
			_, err := rp.Refresh(ctx)
			if ctx.Err() != nil {
				return
			}
			d.rec.add("report-refresh", false, time.Since(t0), err)
		}
		t0 := time.Now()
		_, err := rp.Run(ctx, specs[i%len(specs)].Name, f, report.Viewer{})
		if ctx.Err() != nil {
			return
		}
		d.rec.add("report-read", true, time.Since(t0), err)
		time.Sleep(time.Second)
	}
}

// dayBinary returns the onward binary to run: ONWARD_BENCH_ONWARD, or one
// built from this tree into a temporary folder.
func dayBinary(ctx context.Context) (string, func(), error) {
	if p := os.Getenv("ONWARD_BENCH_ONWARD"); p != "" {
		return p, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "onward-bench-day-")
	if err != nil {
		return "", nil, err
	}
	out := filepath.Join(dir, "onward")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "github.com/onward-network/onward/cmd/onward")
	if b, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("build the onward binary (or set ONWARD_BENCH_ONWARD to one): %v: %s", err, b)
	}
	return out, func() { os.RemoveAll(dir) }, nil
}

func dayStart(bin string, env []string, args ...string) (*exec.Cmd, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start onward %s: %w", args[0], err)
	}
	return cmd, nil
}

func dayStop(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

func dayReady(ctx context.Context, u string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("onward serve did not become ready at %s within %s", u, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func dayFreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// dayRSS and dayPeakRSS read a process's resident memory now (VmRSS) and
// at its peak (VmHWM) from /proc, in bytes; 0 where /proc is missing.
func dayRSS(pid int) int64     { return dayProcStatus(pid, "VmRSS:") }
func dayPeakRSS(pid int) int64 { return dayProcStatus(pid, "VmHWM:") }

func dayProcStatus(pid int, field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
