package notify_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
)

func twilioConfig(f *notifytest.Twilio) config.Config {
	return config.Config{PublicURL: "https://onward.example/", TwilioAccountSID: testAccountSID, TwilioAuthToken: testAuthToken,
		TwilioFrom: testFrom, TwilioAPIURL: f.URL()}
}

// The exact request twilio-go sends, redirected to the configured API URL
// with Twilio's own path.
func TestTwilioSenderRequest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		service string
	}{{"from number", ""}, {"messaging service", "MG0123456789abcdef0123456789abcdef"}} {
		t.Run(tc.name, func(t *testing.T) {
			f := notifytest.NewTwilio(t, testAccountSID, testAuthToken)
			cfg := twilioConfig(f)
			cfg.TwilioMessagingServiceSID = tc.service
			s, err := notify.NewTwilioSender(cfg, notify.SenderOptions{Transport: notifytest.Guard(t, f.URL())})
			if err != nil {
				t.Fatal(err)
			}
			rec, err := s.SendSMS(context.Background(), 0, "+447700900123", "Your reference is ONW-T00001.")
			if err != nil {
				t.Fatal(err)
			}
			got := f.Accepted()
			if len(got) != 1 {
				t.Fatalf("want one message, got %d", len(got))
			}
			m := got[0]
			want := notifytest.SMS{SID: rec.SID, Path: "/2010-04-01/Accounts/" + testAccountSID + "/Messages.json",
				User: testAccountSID, Password: testAuthToken, To: "+447700900123", Body: "Your reference is ONW-T00001.",
				StatusCallback: "https://onward.example/twilio/status", At: m.At, Rendered: "Your reference is ONW-T00001."}
			if tc.service != "" {
				want.MessagingServiceSID = tc.service
			} else {
				want.From = testFrom
			}
			if m != want {
				t.Errorf("request\n got %+v\nwant %+v", m, want)
			}
			if rec.Status != "queued" || !strings.HasPrefix(rec.SID, "SM") {
				t.Errorf("receipt %+v", rec)
			}
		})
	}
}

// The configured URL's path is kept as a prefix (the dev simulator lives
// under /dev/twilio), and nothing goes to api.twilio.com.
func TestTwilioSenderPathPrefix(t *testing.T) {
	t.Parallel()
	var gotPath string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"sid": "SM1", "status": "queued"}`))
	}))
	defer srv.Close()
	cfg := config.Config{TwilioAccountSID: testAccountSID, TwilioAuthToken: testAuthToken, TwilioFrom: testFrom, TwilioAPIURL: srv.URL + "/dev/twilio/"}
	s, err := notify.NewTwilioSender(cfg, notify.SenderOptions{Transport: notifytest.Guard(t, srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendSMS(context.Background(), 0, "+447700900123", "hello"); err != nil {
		t.Fatal(err)
	}
	if want := "/dev/twilio/2010-04-01/Accounts/" + testAccountSID + "/Messages.json"; gotPath != want {
		t.Errorf("path %q, want %q", gotPath, want)
	}
}

// Twilio's errors are classified, and never carry Twilio's message (which
// quotes the phone number) into our error text.
func TestTwilioSenderFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		reply     notifytest.Reply
		permanent bool
		optedOut  bool
	}{
		{"invalid number", notifytest.Reply{Code: "21211"}, true, false},
		{"unsubscribed", notifytest.Reply{Code: "21610"}, true, true},
		{"refused with a code not listed", notifytest.Reply{Code: "21602"}, true, false},
		{"sender's queue full", notifytest.Reply{Status: 400, Code: "21611"}, false, false},
		{"rate limited", notifytest.Reply{Status: 429}, false, false},
		{"server error", notifytest.Reply{Status: 500}, false, false},
		{"server error with code", notifytest.Reply{Status: 503, Code: "20500"}, false, false},
		{"timeout", notifytest.Reply{Hang: 2 * time.Second}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := notifytest.NewTwilio(t, testAccountSID, testAuthToken)
			f.SetScript(notifytest.FailFirst(1, tc.reply))
			s, err := notify.NewTwilioSender(twilioConfig(f), notify.SenderOptions{Timeout: 200 * time.Millisecond, Transport: notifytest.Guard(t, f.URL())})
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.SendSMS(context.Background(), 0, "+447700900123", "hello")
			var fl *notify.Failure
			if !errors.As(err, &fl) {
				t.Fatalf("want a *notify.Failure, got %T %v", err, err)
			}
			if fl.Permanent != tc.permanent || fl.OptedOut != tc.optedOut {
				t.Errorf("failure %+v: permanent=%v optedOut=%v, want %v %v", fl, fl.Permanent, fl.OptedOut, tc.permanent, tc.optedOut)
			}
			if strings.Contains(err.Error(), "7700") {
				t.Errorf("error text carries the phone number: %q", err.Error())
			}
			if len(f.Accepted()) != 0 {
				t.Errorf("a failed request was recorded as accepted")
			}
		})
	}
}
