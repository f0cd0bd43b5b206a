package bot

import (
	"io/fs"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/cryptotest"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/templates"
)

// referenceShaped reports whether s could be a reference core makes: as
// long as those RandomIDs makes, "ONW-" and then only characters it uses.
// The characters are learnt from references made with a fixed seed, so
// the test says the same every run.
func referenceShaped(t *testing.T) func(s string) bool {
	t.Helper()
	cryptotest.SetGlobalRandom(t, 1)
	made := core.RandomIDs{}.Reference()
	used := map[rune]bool{}
	for range 2000 {
		for _, c := range strings.TrimPrefix(core.RandomIDs{}.Reference(), "ONW-") {
			used[c] = true
		}
	}
	return func(s string) bool {
		rest, ok := strings.CutPrefix(s, "ONW-")
		if !ok || len(s) != len(made) {
			return false
		}
		for _, c := range rest {
			if !used[c] {
				return false
			}
		}
		return true
	}
}

// TestReferenceExample: the example reference is shaped like the
// references people are given (seven characters after ONW-, from the
// alphabet that leaves out look-alikes), and so is every reference a
// template writes out.
func TestReferenceExample(t *testing.T) {
	shaped := referenceShaped(t)
	for _, wrong := range []string{"ONW-7K3M9P", "ONW-7K3M9PQR", "ONW-7K3M9P0", "ONW-7K3M9PO", "ONX-7K3M9PQ"} {
		if shaped(wrong) {
			t.Fatalf("%s passes for a reference", wrong)
		}
	}
	if !shaped(core.ReferenceExample) {
		t.Fatalf("core.ReferenceExample %q is not shaped like a reference core makes, like %q", core.ReferenceExample, core.RandomIDs{}.Reference())
	}
	if got, ok := core.NormaliseReference(strings.ToLower(core.ReferenceExample)); !ok || got != core.ReferenceExample {
		t.Errorf("the example typed in lower case reads as %q, %v", got, ok)
	}
	// Every reference written out in a template: an example, so it must
	// look like a real one.
	literal := regexp.MustCompile(`ONW-[0-9A-Z]{2,}`)
	err := fs.WalkDir(templates.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templates.FS.ReadFile(path)
		if err != nil {
			return err
		}
		for _, ref := range literal.FindAllString(string(b), -1) {
			if !shaped(ref) {
				t.Errorf("templates/%s shows %s as a reference; references look like %s", path, ref, core.ReferenceExample)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestReferenceExampleOnStaffPages: the staff pages that show an example
// reference show core's: the list's filter hint, its "check the
// reference" answer, and the refer page's search and its refusal.
func TestReferenceExampleOnStaffPages(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	c := tb.signedIn(tb.Net.Adviser)
	pages := map[string]string{}
	// A search that is no reference at all (a reference Onward can read
	// is answered that no referral of the agency has it: review m4).
	_, pages["the inbox filter"] = c.get("/staff/?q=" + url.QueryEscape("ONW-NOSUCH!"))
	_, pages["the refer page"] = c.get("/staff/refer")
	_, page := c.get("/staff/refer")
	key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(page)[1]
	_, pages["the refer page's search"] = c.post("/staff/refer", url.Values{"csrf": {c.csrf}, "key": {key}, "step": {"find"}, "find_reference": {"not a reference!"}})
	for what, body := range pages {
		if !strings.Contains(body, core.ReferenceExample) {
			t.Errorf("%s does not show the example %s", what, core.ReferenceExample)
		}
		for _, ref := range regexp.MustCompile(`ONW-[0-9A-Z]{2,}`).FindAllString(body, -1) {
			if ref != core.ReferenceExample && ref != "ONW-NOSUCH" {
				t.Errorf("%s shows %s as an example reference", what, ref)
			}
		}
	}
	if !strings.Contains(pages["the inbox filter"], "reference, like "+core.ReferenceExample+": names and phone numbers are not searched") {
		t.Errorf("the empty filtered list does not say what a reference looks like")
	}
	if !strings.Contains(pages["the refer page's search"], "Enter a reference like "+core.ReferenceExample) {
		t.Errorf("the refer page's search does not say what a reference looks like")
	}
}
