package web

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// -update rewrites the golden files; the flag is shared with the other
// test files of the package, so it is registered only once.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite testdata/*.golden from the current output")
	}
}

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
		checkWebGolden(t, name, csrfValueRe.ReplaceAllString(body, `name="csrf" value="CSRF"`))
	}
}

var csrfValueRe = regexp.MustCompile(`name="csrf" value="[^"]*"`)

func checkWebGolden(t *testing.T, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", "web", name+".golden")
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./intake -run %s -update to create it)", err, t.Name())
	}
	if string(want) != got {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
		for i := 0; i < len(wl) || i < len(gl); i++ {
			var w, g string
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			if w != g {
				t.Errorf("%s differs from line %d (run with -update if the change is meant):\n--- want\n%s\n--- got\n%s", file, i+1, w, g)
				return
			}
		}
	}
}
