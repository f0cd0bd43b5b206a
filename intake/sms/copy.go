package sms

import (
	"context"
	"fmt"
	"maps"
	"net/url"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/intake/flow"
)

// SMS copy the webhook sends besides the flow's own messages: messages of
// the message files (i18n/<language>.toml), rendered with the network keys
// (Network, Helpline, Hours, DirectoryURL, DataSharingURL, ConsentWording,
// and flow.LocalKeys: the network's example postcode and town, its crisis
// lines) in the conversation's language.
const (
	copyContacted    = "reply_contacted"     // contact check answered 1: yes
	copyNotContacted = "reply_not_contacted" // contact check answered 2: no
	copyFeedback     = "reply_feedback"      // thanks, after the last feedback question
	// The questions asked again, after a reply that answers neither.
	copyContactCheckRetry = "reply_contact_check_retry"
	copyFeedbackRetry     = "reply_feedback_retry"

	copyFeedbackComment   = "reply_feedback_comment"   // after the 1–5 score: a comment, or SKIP
	copyFeedbackRecommend = "reply_feedback_recommend" // after the comment: would you recommend us?
	copyExpired           = "reply_expired"            // before a conversation restarted after its TTL
	copyMedia             = "reply_media"              // a picture with no words
	copyMediaWords        = "reply_media_words"        // a picture with words: the words are read, the picture is not
	copyFault             = "reply_fault"              // something failed; nothing was saved
	copyUnavailable       = "reply_unavailable"        // no network settings to name the helpline
)

var smsCopyNames = []string{copyContacted, copyNotContacted, copyFeedback, copyContactCheckRetry, copyFeedbackRetry, copyFeedbackComment, copyFeedbackRecommend, copyExpired, copyMedia, copyMediaWords, copyFault, copyUnavailable, copyNothingToWithdraw, copyAlreadyWithdrawn}

// checkSMSCopy makes sure every message the webhook sends is in English,
// so a missing one stops the server starting instead of reaching a client.
func checkSMSCopy(cat *lang.Catalogue) error {
	for _, name := range smsCopyNames {
		if !cat.Has(lang.English, name) {
			return fmt.Errorf("sms copy %s: no such message in %s/%s.toml", name, lang.Dir, lang.English)
		}
	}
	return nil
}

// renderAll renders messages in order in language code with the network
// keys merged with extra, and the keywords as language code names them
// (flow.Flow.KeywordKeys). A "Days" key picks the plural form of a message
// that has them ("1 working day", "5 dni roboczych").
func (s *SMS) renderAll(code string, names []string, network map[string]any, extra map[string]any) ([]string, error) {
	data := make(map[string]any, len(network)+len(extra)+3)
	maps.Copy(data, network)
	maps.Copy(data, extra)
	// The keywords a text names, in the language it is in.
	maps.Copy(data, s.flow.In(code).KeywordKeys())
	out := make([]string, 0, len(names))
	for _, name := range names {
		text, err := s.cat.RenderText(code, name, data)
		if err != nil {
			return nil, fmt.Errorf("render %q: %w", name, err)
		}
		out = append(out, text)
	}
	return out, nil
}

// textKeys are the network keys of the texts now: built once and shared
// by every text until the settings or the wording change.
type textKeys struct {
	from [9]string      // what they were built from, in networkKeys' order
	keys map[string]any // read only: a text that changes a key clones it (keysIn)
}

// keysFor are networkKeys(n, w), the ones built for the last text when
// they were built from the same settings and wording.
func (s *SMS) keysFor(n core.Network, w core.ConsentWording, ex flow.AreaExample) map[string]any {
	from := [9]string{n.Name, n.Phone, n.OpeningHours, n.DirectoryURL, n.DataSharingURL, w.Body, n.CrisisLines, ex.Postcode, ex.Town}
	if k := s.textKeys.Load(); k != nil && k.from == from {
		return k.keys
	}
	k := &textKeys{from: from, keys: networkKeys(n, w, ex)}
	s.textKeys.Store(k)
	return k.keys
}

// networkKeys are the template keys every SMS may use, from the network
// settings, the consent wording clients are shown now and the network's
// example postcode and town.
func networkKeys(n core.Network, w core.ConsentWording, ex flow.AreaExample) map[string]any {
	keys := flow.LocalKeys(n.CrisisLines, ex)
	maps.Copy(keys, flow.CrisisKeysIn(n, lang.English)) // an English text: the lines whole
	maps.Copy(keys, map[string]any{
		"Network":        n.Name,
		"Helpline":       n.Phone,
		"Hours":          n.OpeningHours,
		"DirectoryURL":   n.DirectoryURL,
		"DataSharingURL": n.DataSharingURL,
		"ConsentWording": w.Body,
	})
	return keys
}

// publicHost is the host of the address Twilio calls, Onward's own.
func (s *SMS) publicHost() string {
	if u, err := url.Parse(s.base); err == nil {
		return u.Host
	}
	return ""
}

// keysIn are the network keys in language code: the consent wording, the
// opening hours and the crisis lines in that language (the network's
// translation; untranslated lines never stand in for the fixed sentences
// in the client's own words), and Onward's own data sharing page with
// ?lang=code (flow.DataSharingURLIn).
func (s *SMS) keysIn(ctx context.Context, keys map[string]any, version, code string) map[string]any {
	if code == "" || code == lang.English {
		return keys
	}
	out := maps.Clone(keys)
	// Onward's own data sharing page, in the client's language.
	if raw, ok := out["DataSharingURL"].(string); ok {
		out["DataSharingURL"] = flow.DataSharingURLIn(raw, code, s.publicHost())
	}
	// The settings this text's keys were built from were read moments
	// ago, so this is core's cached copy of them.
	if n, err := s.engine.Network(ctx); err != nil {
		s.log.Warn("network translations", "language", code, "err", err)
		// The fixed sentences alone, in the client's words, rather than
		// English lines in their place.
		maps.Copy(out, flow.CrisisKeysIn(core.Network{}, code))
	} else {
		out["Hours"] = n.OpeningHoursIn(code)
		maps.Copy(out, flow.CrisisKeysIn(n, code))
	}
	if version == "" {
		return out
	}
	w, err := s.engine.ConsentWordingIn(ctx, version, code)
	if err != nil {
		s.log.Warn("consent wording translation", "language", code, "err", err)
		return out
	}
	out["ConsentWording"] = w.Body
	return out
}
