package core_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// eventKindsInSource finds every EventKind constant core declares, in
// whichever of its files: the kinds core can write to the audit log.
func eventKindsInSource(t *testing.T) map[string]core.EventKind {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	kinds := map[string]core.EventKind{}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				if typ, ok := vs.Type.(*ast.Ident); !ok || typ.Name != "EventKind" {
					continue
				}
				for i, name := range vs.Names {
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok {
						t.Fatalf("%s: an EventKind that is not a string literal", name.Name)
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					kinds[name.Name] = core.EventKind(v)
				}
			}
		}
	}
	return kinds
}

// TestEventKindsHaveLabels (review ops F9): every kind of event core can
// write has words, so the subject access page never shows a client a
// code such as consent.given; a kind added without them fails here.
func TestEventKindsHaveLabels(t *testing.T) {
	t.Parallel()
	kinds := eventKindsInSource(t)
	if len(kinds) < 30 || kinds["EventConsentGiven"] != core.EventConsentGiven || kinds["EventSubjectAccess"] != core.EventSubjectAccess {
		t.Fatalf("found %d event kinds in core's source (%v): the search misses some", len(kinds), kinds)
	}
	for name, k := range kinds {
		if l := k.Label(); l == "" || l == string(k) {
			t.Errorf("%s (%s) has no label: add it to eventLabels in core/event_labels.go", name, k)
		}
	}
}

// TestStatusesHaveLabels: every status has its words, which the subject
// access page shows a client instead of the code.
func TestStatusesHaveLabels(t *testing.T) {
	t.Parallel()
	for _, s := range core.Statuses {
		if l := s.Label(); l == "" || l == string(s) {
			t.Errorf("status %s has no label: add it to statusLabels in core/referral.go", s)
		}
	}
}
