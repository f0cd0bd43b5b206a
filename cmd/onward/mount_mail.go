package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/intake/sim"
	"github.com/onward-network/onward/notify/smtpfake"
)

// devMailCatcher is the SMTP server `onward dev` starts when no mail
// server is configured; /dev/mail shows what it caught.
var devMailCatcher *smtpfake.Server

// startMailCatcher points a developer's Onward at an embedded mail
// catcher when ONWARD_SMTP_URL is not set. It returns how to stop it.
func startMailCatcher(cfg *config.Config) (func(), error) {
	if cfg.SMTPURL != "" {
		return func() {}, nil
	}
	srv, err := smtpfake.Start(smtpfake.Options{})
	if err != nil {
		return nil, fmt.Errorf("start the dev mail catcher: %w", err)
	}
	devMailCatcher = srv
	cfg.SMTPURL = srv.URL()
	if cfg.MailFrom == "" {
		cfg.MailFrom = "Onward (dev) <onward@localhost>"
	}
	return func() { _ = srv.Close() }, nil
}

func init() {
	registerMount(mount{
		name: "mail",
		routes: func(a *app, mux *http.ServeMux) error {
			if devMailCatcher == nil || !a.cfg.Dev() {
				return nil
			}
			page, err := sim.NewMailPage(devMailCatcher)
			if err != nil {
				return err
			}
			page.Routes(mux)
			return nil
		},
		devInfo: func(ctx context.Context, a *app) []string {
			base := strings.TrimRight(a.cfg.PublicURL, "/")
			if devMailCatcher != nil {
				return []string{fmt.Sprintf("mail:       %s/dev/mail   (every email Onward sends; sign in by email at %s/staff/login)", base, base)}
			}
			if a.cfg.MailEnabled() {
				return []string{"mail:       sending email through ONWARD_SMTP_URL"}
			}
			return []string{"mail:       no mail server: staff get no email"}
		},
	})
}
