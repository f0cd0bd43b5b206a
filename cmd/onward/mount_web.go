package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
	"github.com/onward-network/onward/intake/leaflet"
	"github.com/onward-network/onward/intake/sms"
	"github.com/onward-network/onward/intake/web"
)

// The web self-referral form, leaflet links and the public directory.
func init() {
	registerMount(mount{
		name: "web",
		routes: func(a *app, mux *http.ServeMux) error {
			proxies, err := a.cfg.Proxies()
			if err != nil {
				return err
			}
			cat, err := a.messages()
			if err != nil {
				return err
			}
			w, err := web.New(web.Config{Engine: a.engine, Redis: a.rdb, Log: a.log.With("part", "web"), Catalogue: cat,
				KeyPrefix: "onward:", PublicURL: a.cfg.PublicURL, Secure: !a.cfg.Dev(),
				IPRatePerMinute: a.cfg.IPRatePerMinute, TrustedProxies: proxies, SMSNumber: a.cfg.TwilioFrom,
				DirectorySMSPerDay: a.cfg.DirectorySMSPerDay, ReferralTexted: webReferralTexted(a)})
			if err != nil {
				return err
			}
			w.Routes(mux)
			// The form's paths, and below every other part's prefix the
			// public site's own pages ("/": the directory, privacy, the
			// home page), answer in the site's pages, not bare text.
			a.refuseAs(w.Refuse, append(web.FormPaths(), "/")...)
			return nil
		},
		devInfo: webDevInfo,
	})
}

// webDevInfo prints the directory, the form and a leaflet link to try.
func webDevInfo(ctx context.Context, a *app) []string {
	base := strings.TrimRight(a.cfg.PublicURL, "/")
	lines := []string{
		fmt.Sprintf("directory:  %s/directory", base),
		fmt.Sprintf("web form:   %s/refer", base),
	}
	ls, err := leaflet.List(ctx, a.pool, 1)
	switch {
	case err != nil:
		lines = append(lines, "leaflet:    (cannot list leaflets: "+oneLine(err.Error())+")")
	case len(ls) == 0:
		lines = append(lines, "leaflet:    none yet: `onward leaflet new NAME --area KY1` makes a link and QR code")
	default:
		lines = append(lines, fmt.Sprintf("leaflet:    %s   (%s)", leaflet.URL(base, ls[0].Code), ls[0].Campaign))
	}
	return lines
}

// webReferralTexted is what the web form calls once a referral's
// reference is texted to the client (web.Config.ReferralTexted): with
// Twilio configured, the SMS channel keeps for the phone a conversation
// that ended with the referral, so a reply to the text is answered as
// one after a referral, not as a new request (sms.RememberWebReferral).
// Without Twilio no text comes in, and nil does nothing.
func webReferralTexted(a *app) func(context.Context, string, core.Phone, flow.Conversation) error {
	if !a.cfg.TwilioEnabled() {
		return nil
	}
	return sms.RememberWebReferral(a.engine, a.rdb, "onward:", a.cfg.ConversationTTL)
}
