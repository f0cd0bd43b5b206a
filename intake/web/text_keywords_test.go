package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestTextPageNamesHelpInItsLanguage: "continue by text message" tells
// a client the HELP keyword in the page's language, the word the texts
// name and read; STOP stays English, the carriers' word.
func TestTextPageNamesHelpInItsLanguage(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	for code, help := range map[string]string{"en": "HELP", "pl": "POMOC", "uk": "ДОПОМОГА", "ar": "مساعدة", "ur": "مدد", "gd": "CUIDEACHADH"} {
		p := e.browser().get(pathText + "?lang=" + code)
		if p.Status != http.StatusOK {
			t.Fatalf("%s: status %d", code, p.Status)
		}
		if !strings.Contains(p.Body, help) || !strings.Contains(p.Body, "STOP") || (code != "en" && strings.Contains(p.Body, "HELP")) {
			t.Errorf("the %s text page does not name %s and STOP (and HELP only in English):\n%s", code, help, p.Body)
		}
	}
}
