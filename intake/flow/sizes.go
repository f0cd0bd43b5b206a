package flow

import (
	"fmt"
	"maps"
	"strings"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// MessageSize is one client text in one language and what it costs to
// send by SMS.
type MessageSize struct {
	ID       string // the message id ("conv_consent", "status_accepted")
	Lang     string
	Segments int
	Encoding string // core.SMSEncodingGSM7 or core.SMSEncodingUCS2
	Text     string // the text as rendered
}

// sizeSample is long, realistic values for the keys a client text uses
// beyond the network's, so a size is the size of a long real text.
var sizeSample = map[string]any{
	"Urgent": true, "Callback": false, "ContactMethod": "text", "Reference": core.ReferenceExample,
	"Agency": "Dunmarnock and West Kingdom Citizens Advice and Rights Bureau", "Days": 3, "Code": "482913",
	// LocalKeys: a long town, and crisis lines that give neither 116 123
	// nor 999, so the crisis text keeps both fixed sentences too.
	"ExamplePostcode": "EH49 1AB", "ExampleTown": "Kirkintilloch", "Postcode": "EH49 1AB",
	"CrisisLines":      "Breathing Space, free, weekdays 6pm to 2am and all weekend: 0800 83 85 87. Council out of hours: 0300 300 0000.",
	"CrisisSamaritans": false, "CrisisEmergency": false,
}

// MessageSizes renders every client text (every message id without a
// dot: the SMS, not the web pages' words) in every shipped language with
// the network's keys (Network, Helpline, Hours, DirectoryURL,
// DataSharingURL, ConsentWording, and LocalKeys' when given) and long
// sample values for the rest, and counts its SMS segments — what the
// network pays for each text it sends.
func (f *Flow) MessageSizes(network map[string]any) ([]MessageSize, error) {
	cat := f.cat
	var out []MessageSize
	for _, l := range cat.Languages() {
		g := f.In(l.Code)
		for _, id := range cat.IDs(lang.English) {
			if strings.Contains(id, ".") {
				continue
			}
			data := maps.Clone(sizeSample)
			maps.Copy(data, network)
			// Status texts name the network as NetworkName and NetworkPhone.
			data["NetworkName"], data["NetworkPhone"] = network["Network"], network["Helpline"]
			maps.Copy(data, g.keywordKeys)
			data["Languages"] = g.languageMenu()
			data["Needs"], data["Answer"] = g.needsSample(), g.keptSample()
			for _, st := range g.steps {
				if st.choices != nil && (st.prompt == id || st.reprompt == id) {
					data["Choices"] = st.choices
				}
			}
			text, err := cat.RenderText(l.Code, id, data)
			if err != nil {
				return nil, fmt.Errorf("message %s in %s: %w", id, l.English, err)
			}
			n, enc := core.SMSSegments(text)
			out = append(out, MessageSize{ID: id, Lang: l.Code, Segments: n, Encoding: enc, Text: text})
		}
	}
	return out, nil
}
