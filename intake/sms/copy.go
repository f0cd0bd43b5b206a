package sms

import (
	"fmt"
	"io/fs"
	"maps"
	"strings"
	"text/template"

	"github.com/onward-network/onward/core"
)

// SMS copy the webhook sends besides the flow's own templates: files
// sms/<name>.txt, rendered with the network keys (Network, Helpline, Hours,
// DirectoryURL, DataSharingURL, ConsentWording).
const (
	copyContacted    = "reply_contacted"     // contact check answered 1: yes
	copyNotContacted = "reply_not_contacted" // contact check answered 2: no
	copyFeedback     = "reply_feedback"      // a 1–5 feedback score
	copyExpired      = "reply_expired"       // before a conversation restarted after its TTL
	copyMedia        = "reply_media"         // a picture with no words
	copyFault        = "reply_fault"         // something failed; nothing was saved
	copyUnavailable  = "reply_unavailable"   // no network settings to name the helpline
)

var smsCopyNames = []string{copyContacted, copyNotContacted, copyFeedback, copyExpired, copyMedia, copyFault, copyUnavailable}

// smsCopy is the webhook's own templates, parsed once.
type smsCopy struct {
	t map[string]*template.Template
}

func loadSMSCopy(fsys fs.FS) (*smsCopy, error) {
	c := &smsCopy{t: map[string]*template.Template{}}
	for _, name := range smsCopyNames {
		src, err := fs.ReadFile(fsys, "sms/"+name+".txt")
		if err != nil {
			return nil, fmt.Errorf("sms copy %s: %w", name, err)
		}
		t, err := template.New(name).Option("missingkey=error").Parse(string(src))
		if err != nil {
			return nil, fmt.Errorf("sms copy %s: %w", name, err)
		}
		c.t[name] = t
	}
	return c, nil
}

// render renders one of the copy templates, or one of the flow's.
func (s *SMS) render(name string, data map[string]any) (string, error) {
	t, ok := s.copy.t[name]
	if !ok {
		return s.flow.Render(name, data)
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("render %q: %w", name, err)
	}
	return strings.TrimSpace(b.String()), nil
}

// renderAll renders templates in order with the network keys merged with
// extra.
func (s *SMS) renderAll(names []string, network map[string]any, extra map[string]any) ([]string, error) {
	data := maps.Clone(network)
	maps.Copy(data, extra)
	out := make([]string, 0, len(names))
	for _, name := range names {
		text, err := s.render(name, data)
		if err != nil {
			return nil, err
		}
		out = append(out, text)
	}
	return out, nil
}

// networkKeys are the template keys every SMS may use, from the network
// settings and the consent wording clients are shown now.
func networkKeys(n core.Network, w core.ConsentWording) map[string]any {
	return map[string]any{
		"Network":        n.Name,
		"Helpline":       n.Phone,
		"Hours":          n.OpeningHours,
		"DirectoryURL":   n.DirectoryURL,
		"DataSharingURL": n.DataSharingURL,
		"ConsentWording": w.Body,
	}
}
