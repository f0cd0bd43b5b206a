package api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestProblemsPageListsEveryType: the page problem type URIs point into
// has, for every problem type declared, the anchor its URI names, its
// title, statuses and what to do.
func TestProblemsPageListsEveryType(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	serveProblems(rec, httptest.NewRequest("GET", problemsPath, nil))
	page := rec.Body.String()
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("the page: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if len(problemTypes) == 0 {
		t.Fatal("no problem types declared")
	}
	seen := map[string]bool{}
	for _, pt := range problemTypes {
		if seen[pt.slug] {
			t.Errorf("problem type %q declared twice", pt.slug)
		}
		seen[pt.slug] = true
		anchor := `<section id="` + pt.slug + `">`
		i := strings.Index(page, anchor)
		if i < 0 {
			t.Errorf("no anchor for %s on the page", pt.uri())
			continue
		}
		section, _, _ := strings.Cut(page[i:], "</section>")
		if pt.title == "" || pt.action == "" || len(pt.statuses) == 0 {
			t.Errorf("%s has no title, action or status", pt.slug)
		}
		want := []string{pt.title, pt.action}
		for _, s := range pt.statuses {
			want = append(want, strconv.Itoa(s)+" "+http.StatusText(s))
		}
		for _, w := range want {
			if !strings.Contains(section, html.EscapeString(w)) {
				t.Errorf("%s's section lacks %q: %s", pt.slug, w, section)
			}
		}
	}
}

// TestProblemTypesAreDeclared: no problem type URI is made but by a
// declared problemType (newProblemType), so none can be missing from the
// page: outside problems.go, no code names problemBase, spells a URI
// under /api/v1/problems, makes a problemType by hand, or makes a
// problem of a type but through the type (whose title it then carries).
func TestProblemTypesAreDeclared(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if name == "problems.go" || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Ident:
				if n.Name == "problemBase" {
					t.Errorf("%s: problemBase used; make the problem's type with newProblemType in problems.go", fset.Position(n.Pos()))
				}
			case *ast.BasicLit:
				if strings.Contains(n.Value, problemsPath) {
					t.Errorf("%s: a problem type URI spelt out; make it with newProblemType in problems.go", fset.Position(n.Pos()))
				}
			case *ast.CompositeLit:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "problemType" {
					t.Errorf("%s: a problemType made by hand; use newProblemType", fset.Position(n.Pos()))
				}
				// A problem of a declared type takes its title from the
				// declaration (problemType.problem), never its own.
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "problem" {
					for _, e := range n.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok {
							if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Type" {
								t.Errorf("%s: a problem of a type made by hand; use the type's problem method", fset.Position(n.Pos()))
							}
						}
					}
				}
			}
			return true
		})
	}
}
