package notify

import (
	"strings"
	"testing"
	"text/template/parse"
)

// TestSlackCopyEscapesWhatPeopleTyped reproduces finding 9's Slack half:
// an agency named "<!channel>" (or any coordinator- or user-supplied text:
// a reason, a provider's error) went into Slack unescaped and pinged the
// whole channel. Every notify_*.txt template is rendered with hostile
// text in every field it reads; none may reach Slack as markup, except the
// configured crisis mention.
func TestSlackCopyEscapesWhatPeopleTyped(t *testing.T) {
	t.Parallel()
	tmpl, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	w := &Worker{tmpl: tmpl}
	const hostile = "<!channel> & <https://evil.example|Click> <@U0ADMIN>"
	checked := 0
	for _, tt := range tmpl.Templates() {
		name := tt.Name()
		if !strings.HasPrefix(name, "notify_") {
			continue
		}
		data := map[string]any{}
		for _, f := range fieldsOf(tt.Tree.Root) {
			data[f] = hostile
		}
		data["Mention"] = "<!here>"
		out, err := w.render(name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, bad := range []string{"<!channel>", "<https://evil", "<@U0ADMIN>", " & "} {
			if strings.Contains(out, bad) {
				t.Errorf("%s carries %q unescaped:\n%s", name, bad, out)
			}
		}
		if strings.Contains(tt.Tree.Root.String(), ".Mention") && !strings.Contains(out, "<!here>") {
			t.Errorf("%s lost the configured crisis mention:\n%s", name, out)
		}
		checked++
	}
	if checked < 7 {
		t.Fatalf("checked %d Slack templates, want every notify_*.txt (7)", checked)
	}
}

// fieldsOf lists the top-level fields a template reads (.Agency, .Reason…).
func fieldsOf(n parse.Node) []string {
	var out []string
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				for _, a := range c.Args {
					walk(a)
				}
			}
		case *parse.FieldNode:
			out = append(out, n.Ident[0])
		}
	}
	walk(n)
	return out
}
