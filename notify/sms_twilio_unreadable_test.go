package notify_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
)

// Audit D finding 15: an answer that is not Twilio's JSON (a proxy's error
// page, an ONWARD_TWILIO_API_URL pointing at the wrong path) hid its HTTP
// status in the dead letter ("server error with an unreadable answer") and
// a 404 was retried as a server error. The status is kept, and a 4xx other
// than 408 and 429 is permanent, as a JSON one from Twilio would be.
func TestTwilioSenderUnreadableAnswerKeepsItsStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status    int
		permanent bool
	}{
		{http.StatusNotFound, true},
		{http.StatusBadRequest, true},
		{http.StatusForbidden, true},
		{http.StatusRequestTimeout, false},
		{http.StatusTooManyRequests, false},
		{http.StatusBadGateway, false},
		{http.StatusServiceUnavailable, false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(tc.status)
			_, _ = w.Write([]byte("<html><body>" + http.StatusText(tc.status) + "</body></html>"))
		}))
		cfg := config.Config{TwilioAccountSID: testAccountSID, TwilioAuthToken: testAuthToken, TwilioFrom: testFrom, TwilioAPIURL: srv.URL + "/wrong/"}
		s, err := notify.NewTwilioSender(cfg, notify.SenderOptions{Transport: notifytest.Guard(t, srv.URL)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.SendSMS(context.Background(), 0, "+447700900123", "hello")
		srv.Close()
		var fl *notify.Failure
		if !errors.As(err, &fl) {
			t.Fatalf("%d: want a *notify.Failure, got %T %v", tc.status, err, err)
		}
		if fl.Status != tc.status || fl.Permanent != tc.permanent || !strings.Contains(err.Error(), "not Twilio's") {
			t.Errorf("%d with an HTML answer: %q (status %d, permanent %v), want status %d, permanent %v", tc.status, err, fl.Status, fl.Permanent, tc.status, tc.permanent)
		}
		if !strings.Contains(err.Error(), "status "+strconv.Itoa(tc.status)) {
			t.Errorf("%d: the dead letter's text %q does not name the status", tc.status, err)
		}
	}
}
