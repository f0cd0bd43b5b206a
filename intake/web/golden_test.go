package web

import (
	"path/filepath"
	"regexp"
	"testing"

	"github.com/onward-network/onward/core/coretest"
)

// The key pages, rendered for the seeded network, match
// testdata/web/*.golden (run with -update to accept a change). The CSRF
// token, random per session, is blanked.
func TestWebGoldenPages(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.get(pathStart)
	pages := map[string]string{}
	pages["needs-error"] = b.answer(pathNeeds, nil).Body
	pages["check"] = b.fill(goodAnswers(), pathStart).Body
	pages["done"] = b.send().Body
	pages["directory-search"] = b.get("/directory?need=debt&area=KY1").Body
	for name, body := range pages {
		coretest.Golden(t, filepath.Join("testdata", "web", name+".golden"), uuidRe.ReplaceAllString(csrfValueRe.ReplaceAllString(body, `name="csrf" value="CSRF"`), "UUID"))
	}
}

var csrfValueRe = regexp.MustCompile(`name="csrf" value="[^"]*"`)

// uuidRe finds the directory's UUIDs, which each test database draws afresh.
var uuidRe = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
