package openreferral

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestWalker does what the public Open Referral UK validator does: reads
// the root to choose the version, walks each list endpoint at its first,
// a middle and its last page, then fetches every id it saw; every answer
// must meet the published schemas, and an empty feed is an error.
func TestWalker(t *testing.T) {
	f := newFeed(t, Config{})
	f.addPostcodes(testPostcodes)

	var root Root
	f.getJSON("/openreferral/", &root)
	if root.Version != "HSDS-UK-3.0" || root.Profile == "" || root.OpenAPIURL != "https://onward.example.org/openreferral/openapi.json" {
		t.Fatalf("root = %+v", root)
	}
	u, err := url.Parse(root.OpenAPIURL)
	if err != nil {
		t.Fatal(err)
	}
	var openapi map[string]any
	f.getJSON(u.Path, &openapi)
	if openapi["openapi"] == nil || openapi["paths"] == nil {
		t.Fatalf("openapi_url does not serve the OpenAPI document: %v", openapi)
	}

	for _, list := range []string{"services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"} {
		ids := map[string]bool{}
		first := walkPage(t, f, list, 1, ids)
		if first.TotalItems == 0 {
			t.Fatalf("%s: the feed is empty", list)
		}
		pages := []int{first.TotalPages}
		if first.TotalPages > 2 {
			pages = append(pages, (first.TotalPages+1)/2)
		}
		for _, p := range pages {
			if p > 1 {
				walkPage(t, f, list, p, ids)
			}
		}
		if len(ids) == 0 {
			t.Fatalf("%s: no ids seen", list)
		}
		for id := range ids {
			status, h, b := f.get("/openreferral/" + list + "/" + id)
			if status != http.StatusOK {
				t.Fatalf("%s/%s: %d %s", list, id, status, b)
			}
			if h.Get("Content-Type") != "application/json" || h.Get("Access-Control-Allow-Origin") != "*" {
				t.Fatalf("%s/%s: headers %v", list, id, h)
			}
			validate(t, list+"/{id}", b)
			var rec struct{ ID string }
			if err := json.Unmarshal(b, &rec); err != nil || rec.ID != id {
				t.Fatalf("%s/%s answered id %q", list, id, rec.ID)
			}
		}
	}
}

type pageMeta struct {
	TotalItems int  `json:"total_items"`
	TotalPages int  `json:"total_pages"`
	PageNumber int  `json:"page_number"`
	Size       int  `json:"size"`
	FirstPage  bool `json:"first_page"`
	LastPage   bool `json:"last_page"`
	Empty      bool `json:"empty"`
	Contents   []struct {
		ID string `json:"id"`
	} `json:"contents"`
}

// walkPage fetches one page (two items a page, so lists have several),
// checks it against the schemas and its own metadata, and collects ids.
func walkPage(t *testing.T, f *feed, list string, page int, ids map[string]bool) pageMeta {
	t.Helper()
	path := fmt.Sprintf("/openreferral/%s?page=%d&per_page=2", list, page)
	status, h, b := f.get(path)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, b)
	}
	if h.Get("Access-Control-Allow-Origin") != "*" || h.Get("ETag") == "" || h.Get("Last-Modified") == "" {
		t.Fatalf("GET %s: headers %v", path, h)
	}
	validate(t, list, b)
	var m pageMeta
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	wantPages := (m.TotalItems + 1) / 2
	if m.PageNumber != page || m.TotalPages != wantPages || m.FirstPage != (page == 1) || m.LastPage != (page >= wantPages) ||
		m.Size != len(m.Contents) || m.Empty != (len(m.Contents) == 0) {
		t.Fatalf("GET %s: page metadata wrong: %s", path, strings.TrimSpace(string(b[:min(len(b), 300)])))
	}
	if page <= wantPages && m.Size == 0 {
		t.Fatalf("GET %s: page %d of %d is empty", path, page, wantPages)
	}
	for _, c := range m.Contents {
		ids[c.ID] = true
	}
	return m
}
