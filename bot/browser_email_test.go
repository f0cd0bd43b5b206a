package bot

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/intake/sim"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/smtpfake"
)

// TestBrowserEmailOnlyAgency: an agency with no Slack hears of a new
// referral by email; its adviser, not signed in, reads it in the mail
// catcher (/dev/mail, as `make run` shows it), asks for a sign-in link at
// /staff/login, follows the link from the catcher, and accepts the
// referral the email announced. axe checks the sign-in pages and the
// email settings page.
func TestBrowserEmailOnlyAgency(t *testing.T) {
	t.Parallel()
	path := coretest.Chromium(t)
	tb := newTestBot(t)
	ctx0 := context.Background()
	if err := tb.Engine.SetSlackChannel(ctx0, tb.Net.CAB, "", core.SystemActor); err != nil {
		t.Fatal(err)
	}
	catcher, err := smtpfake.Start(smtpfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { catcher.Close() })
	page, err := sim.NewMailPage(catcher)
	if err != nil {
		t.Fatal(err)
	}
	page.Routes(tb.srv.Config.Handler.(*http.ServeMux))
	cfg := tb.cfg
	cfg.SMTPURL, cfg.MailFrom = catcher.URL(), "Kingdom Advice Network <onward@kan.example>"
	mailer, err := notify.NewSMTPSender(cfg, notify.SMTPOptions{Timeout: 5 * time.Second, Dial: smtpfake.Guard(t, catcher.Addr())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mailer.Close)
	// No Slack: the worker has only the mail server.
	w, err := notify.New(notify.Options{Engine: tb.Engine, Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Mail: mailer, DisableDigest: true})
	if err != nil {
		t.Fatal(err)
	}
	r := tb.selfReferral("browser-email", false)
	tb.deliver(w)

	ctx := startChromium(t, path, 2*time.Minute)
	audit := axeAuditor(t, ctx)
	// openMail opens the newest email to addr whose subject has words in
	// the catcher, and returns the link in it that starts with prefix, as
	// a link on the test server.
	openMail := func(addr, words, prefix string) string {
		t.Helper()
		mail := chromedp.Search(`//tr[td[1][contains(., "` + addr + `")]]//a[contains(., "` + words + `")]`)
		var href string
		err := chromedp.Do(ctx, chromedp.Navigate(tb.srv.URL+"/dev/mail"), chromedp.WaitVisible(mail),
			chromedp.Click(mail), chromedp.WaitVisible(chromedp.CSS(`#subject`)))
		if err != nil {
			t.Fatalf("open the email to %s about %q in the mail catcher: %v", addr, words, err)
		}
		href, err = chromedp.Run(ctx, chromedp.Evaluate[string](`(Array.from(document.querySelectorAll(".mailbody a")).find(a => a.href.startsWith(`+jsQuote(prefix)+`)) || {href: ""}).href`))
		if err != nil || href == "" {
			t.Fatalf("the email to %s about %q has no link to %s (%v)", addr, words, prefix, err)
		}
		return tb.local(href)
	}

	// The email announcing the referral is in the catcher, with a link to
	// it; not signed in, the link asks the adviser to sign in, there.
	ailsa := tb.Net.Adviser.Email
	referralLink := openMail(ailsa, "New referral "+r.Reference, tb.cfg.PublicURL+"/staff/referrals/")
	if err := chromedp.Do(ctx, chromedp.Navigate(referralLink), chromedp.WaitVisible(chromedp.CSS(`#email`))); err != nil {
		t.Fatalf("follow the referral link before signing in: %v", err)
	}
	audit("sign in by email")
	// An address that is not one: the error, checked by axe too.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#email`), "ailsa at cab"),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`.error-summary`))); err != nil {
		t.Fatalf("a bad address: %v", err)
	}
	audit("sign in by email, with an error")
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector("#email").value = ""`), chromedp.SendKeys(chromedp.CSS(`#email`), "Ailsa@CAB.example"),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`p[role=status]`))); err != nil {
		t.Fatalf("ask for a sign-in link: %v", err)
	}
	audit("check your email")
	tb.bot.wait()
	tb.deliver(w)

	// The sign-in link from the catcher signs her in, and brings her back
	// to the referral she opened; she accepts it.
	login := openMail(ailsa, "sign-in link", tb.cfg.PublicURL+"/staff/login?token=")
	accept := chromedp.CSS(`form[action="/staff/referrals/` + r.Reference + `/accept"] button`)
	if err := chromedp.Do(ctx, chromedp.Navigate(login), chromedp.WaitVisible(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)), chromedp.WaitVisible(accept)); err != nil {
		t.Fatalf("sign in from the emailed link, back to the referral: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(accept), chromedp.WaitVisible(chromedp.CSS(`p.flash`))); err != nil {
		t.Fatalf("accept the referral from the email's link: %v", err)
	}
	flash, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`p.flash`)))
	if err != nil || !strings.Contains(flash, r.Reference+" accepted") {
		t.Errorf("confirmation %q (%v), want %s accepted", flash, err, r.Reference)
	}
	got := tb.referral(r.ID)
	if got.Status != core.StatusAccepted || got.StatusBy == nil || *got.StatusBy != tb.Net.Adviser.ID {
		t.Errorf("referral %s by %v, want accepted by Ailsa", got.Status, got.StatusBy)
	}

	// Her email settings, as she finds them and after saving.
	if err := chromedp.Do(ctx, chromedp.Navigate(tb.srv.URL+"/staff/settings/email"), chromedp.WaitVisible(chromedp.CSS(`main form`))); err != nil {
		t.Fatalf("open the email settings: %v", err)
	}
	audit("email settings")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#new-referral-digest`)),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`p[role=status]`))); err != nil {
		t.Fatalf("save the email settings: %v", err)
	}
	audit("email settings, saved")
	prefs, err := tb.Engine.MailPrefs(ctx0, tb.Net.Adviser.ID)
	if err != nil || prefs[core.EmailNewReferral] != core.MailDigest {
		t.Errorf("after saving, new referrals come %q (%v), want in the digest", prefs[core.EmailNewReferral], err)
	}
	// The one-click unsubscribe link of the email asks before it acts.
	unsubscribe := openMail(ailsa, "New referral "+r.Reference, tb.cfg.PublicURL+"/staff/settings/email/unsubscribe?t=")
	if err := chromedp.Do(ctx, chromedp.Navigate(unsubscribe), chromedp.WaitVisible(chromedp.CSS(`main form button[type=submit]`))); err != nil {
		t.Fatalf("open the unsubscribe link: %v", err)
	}
	audit("stop these emails")
}
