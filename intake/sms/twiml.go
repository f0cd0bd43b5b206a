package sms

import (
	"encoding/xml"
	"fmt"
)

// ParseTwiML reads the messages of a TwiML reply, as Twilio does before
// sending them: the dev simulator shows them, and tests read them.
func ParseTwiML(doc string) ([]string, error) {
	var resp struct {
		XMLName  xml.Name `xml:"Response"`
		Messages []struct {
			Body string `xml:",chardata"`
		} `xml:"Message"`
	}
	if err := xml.Unmarshal([]byte(doc), &resp); err != nil {
		return nil, fmt.Errorf("not TwiML: %w", err)
	}
	out := make([]string, len(resp.Messages))
	for i, m := range resp.Messages {
		out[i] = m.Body
	}
	return out, nil
}
