package bot

import (
	"encoding/json"
	"errors"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// submittedBoxes is the part of a view_submission payload that holds what
// was typed: block id → action id → the input's value object, kept raw
// so that what Slack escaped can be checked box by box.
type submittedBoxes struct {
	View struct {
		State struct {
			Values map[string]map[string]json.RawMessage `json:"values"`
		} `json:"state"`
	} `json:"view"`
}

// unstorableModal answers a modal submitted with text Onward cannot
// store (core.UnstorableJSON: an escaped NUL or half of a character;
// bytes that are not UTF-8 never reach a handler): the modal stays open,
// each box holding such text says what is wrong with it, and nothing is
// read or written. Slack expects 200 with response_action errors from a
// modal; a 400 leaves the member of staff only Slack's own "trouble
// connecting". Such text outside the boxes (in what Onward wrote into
// the view) is shown against the form's first box.
func unstorableModal(payload []byte, callbackID string) *slack.ViewSubmissionResponse {
	var boxes submittedBoxes
	_ = json.Unmarshal(payload, &boxes) // the caller decoded it already
	out := map[string]string{}
	for block, actions := range boxes.View.State.Values {
		for _, raw := range actions {
			if err := core.UnstorableJSON(raw); err != nil {
				out[block] = say(unstorableKey(err), nil)
				break
			}
		}
	}
	if len(out) == 0 {
		out[firstInput(callbackID)] = say("modal.unstorable.form", nil)
	}
	return slack.NewErrorsViewSubmissionResponse(out)
}

// unstorableKey is the modal copy saying what core.UnstorableJSON found.
func unstorableKey(err error) string {
	if errors.Is(err, core.ErrJSONNul) {
		return "modal.unstorable.nul"
	}
	return "modal.unstorable.half"
}
