package sms

import (
	"context"
	"fmt"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/intake/flow"
)

// settings returns the network settings and the consent wording clients
// are shown now. core caches the network for seconds; wordings are cached
// here for good, as a published version never changes.
func (s *SMS) settings(ctx context.Context) (core.Network, core.ConsentWording, error) {
	n, err := s.engine.Network(ctx)
	if err != nil {
		return n, core.ConsentWording{}, fmt.Errorf("network settings: %w", err)
	}
	s.wordingsMu.Lock()
	w, ok := s.wordings[n.ConsentVersion]
	s.wordingsMu.Unlock()
	if ok {
		return n, w, nil
	}
	w, err = s.engine.CurrentConsentWording(ctx)
	if err != nil {
		return n, w, fmt.Errorf("consent wording: %w", err)
	}
	s.wordingsMu.Lock()
	s.wordings[w.Version] = w
	s.wordingsMu.Unlock()
	return n, w, nil
}

// areaExample is the network's example postcode and town for the
// questions (flow.AreaExampleOf; core caches the districts for seconds).
// Without its districts a question gives no example rather than fail.
func (s *SMS) areaExample(ctx context.Context) flow.AreaExample {
	ds, err := s.engine.Districts(ctx)
	if err != nil {
		s.log.Warn("postcode districts for the questions' example", "err", err)
		return flow.AreaExample{}
	}
	return flow.AreaExampleOf(ds)
}

// apologyKeys are the network keys for an apology, or for the crisis
// lines to a number Onward does not converse with (abroadCrisis): from
// the settings read now, else the keys of the last text (kept by
// keysFor), else false (no helpline to name).
func (s *SMS) apologyKeys(ctx context.Context) (map[string]any, bool) {
	if n, err := s.engine.Network(ctx); err == nil {
		return s.keysFor(n, core.ConsentWording{}, s.areaExample(ctx)), true
	}
	if last := s.textKeys.Load(); last != nil {
		return last.keys, true
	}
	return nil, false
}

// apology renders an apology naming the helpline (template name), or the
// one that needs no settings when the network is unknown.
func (s *SMS) apology(ctx context.Context, name string) string {
	keys, ok := s.apologyKeys(ctx)
	if ok {
		if texts, err := s.renderAll(lang.English, []string{name}, keys, nil); err == nil {
			if doc, err := buildTwiML(texts); err == nil {
				return doc
			}
		} else {
			s.log.Error("render sms apology", "template", name, "err", err)
		}
	}
	texts, err := s.renderAll(lang.English, []string{copyUnavailable}, map[string]any{}, nil)
	if err != nil {
		s.log.Error("render sms apology", "template", copyUnavailable, "err", err)
		return emptyTwiML
	}
	doc, err := buildTwiML(texts)
	if err != nil {
		return emptyTwiML
	}
	return doc
}
