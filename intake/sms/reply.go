package sms

import (
	"fmt"
	"io"
	"net/http"

	"github.com/twilio/twilio-go/twiml"
)

// emptyTwiML answers a text with nothing: no outbound SMS, no cost.
var emptyTwiML = mustTwiML(nil)

func mustTwiML(texts []string) string {
	s, err := buildTwiML(texts)
	if err != nil {
		panic(err)
	}
	return s
}

// buildTwiML is the reply to a client's text: one <Message> per SMS, in
// order, built with twilio-go's twiml package (which escapes the text).
func buildTwiML(texts []string) (string, error) {
	verbs := make([]twiml.Element, 0, len(texts))
	for _, t := range texts {
		if t == "" {
			continue
		}
		verbs = append(verbs, twiml.MessagingMessage{Body: t})
	}
	s, err := twiml.Messages(verbs)
	if err != nil {
		return "", fmt.Errorf("build TwiML: %w", err)
	}
	return s, nil
}

// writeTwiML answers Twilio. The status is always 200: anything else makes
// Twilio log an error and send nothing, which helps no client.
func writeTwiML(w http.ResponseWriter, doc string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, doc)
}
