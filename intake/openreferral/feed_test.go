package openreferral

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

func (f *feed) export() []byte {
	f.t.Helper()
	var buf bytes.Buffer
	if err := f.api.Export(context.Background(), &buf); err != nil {
		f.t.Fatal(err)
	}
	return buf.Bytes()
}

func (f *feed) importBytes(b []byte, dryRun bool) (core.DirectoryImport, error) {
	f.t.Helper()
	ss, _, err := f.api.ReadFeed(context.Background(), b)
	if err != nil {
		return core.DirectoryImport{}, err
	}
	return f.env.Engine.ImportDirectory(context.Background(), ss, dryRun, core.DirectoryImportFrom{Source: "test feed", By: core.SystemActor})
}

// TestExportImportExport: an export imports back with no change, and
// exports again byte for byte.
func TestExportImportExport(t *testing.T) {
	f := newFeed(t, Config{})
	f.addPostcodes(testPostcodes)
	first := f.export()
	var services []Service
	if err := json.Unmarshal(first, &services); err != nil || len(services) != 4 {
		t.Fatalf("export: %v, %d services", err, len(services))
	}
	for _, s := range services {
		b, _ := json.Marshal(s)
		validate(t, "services/{id}", b)
	}
	for _, dry := range []bool{true, false} {
		rep, err := f.importBytes(first, dry)
		if err != nil || len(rep.Changes) != 0 {
			t.Fatalf("import of the export (dry run %v): %v %v", dry, rep.Changes, err)
		}
	}
	if again := f.export(); !bytes.Equal(first, again) {
		t.Fatalf("export → import → export differs:\n%s\n----\n%s", first, again)
	}

	// A changed record and a missing one: changed and retired, named.
	services[0].Name = "Renamed service"
	dropped := services[1]
	b, _ := json.Marshal(append([]Service{services[0]}, services[2:]...))
	rep, err := f.importBytes(b, true)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Count("change") != 1 || rep.Changes[0].Fields[0] != "name" {
		t.Errorf("dry run changes = %v", rep.Changes)
	}
	if dropped.OrganizationID != services[0].OrganizationID && dropped.OrganizationID != services[2].OrganizationID &&
		dropped.OrganizationID != services[3].OrganizationID && rep.Count("retire") != 0 {
		t.Errorf("a service of an organization not in the feed was retired: %v", rep.Changes)
	}
	if after := f.export(); !bytes.Equal(first, after) {
		t.Fatal("a dry run changed the directory")
	}
}

// TestImportExamples: the published examples import cleanly, arrive not
// yet referable, and import again with no change.
func TestImportExamples(t *testing.T) {
	f := newFeed(t, Config{})
	ctx := context.Background()
	files, _ := filepath.Glob("testdata/oruk-3.0/examples/*.json")
	imported := 0
	for _, file := range files {
		name := filepath.Base(file)
		if strings.HasPrefix(name, "taxonomy") || name == "organization_list.json" {
			continue // taxonomies and bare organizations carry no services
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := f.importBytes(b, false)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(rep.Changes) == 0 && imported == 0 {
			t.Fatalf("%s: nothing imported", name)
		}
		imported++
		if again, err := f.importBytes(b, true); err != nil || len(again.Changes) != 0 {
			t.Errorf("%s imported twice: %v %v", name, again.Changes, err)
		}
	}
	s, err := f.env.Engine.DirectoryService(ctx, "ac148810-d857-441c-9679-408f346de14b")
	if err != nil {
		t.Fatal(err)
	}
	if s.Referable || s.Name != "Community Counselling" || s.Organization.Name != "Example Organization Inc." || len(s.Locations) == 0 {
		t.Errorf("imported service = %+v", s)
	}
	// Matching does not offer it until a coordinator enables it.
	m, err := f.env.Engine.Suggest(ctx, core.MatchQuery{Needs: s.Needs})
	if err != nil {
		t.Fatal(err)
	}
	for _, sug := range m.Suggestions {
		if sug.Agency.ID == s.AgencyID {
			t.Error("an imported service is offered before it is enabled")
		}
	}
	// The feed still meets the schemas with the imported records in it.
	var full Service
	validate(t, "services/{id}", f.getJSON("/openreferral/services/"+s.UUID, &full))
}

// TestImportProblems: broken records are each named, and nothing is
// written.
func TestImportProblems(t *testing.T) {
	f := newFeed(t, Config{})
	before := f.export()
	broken := `[
	  {"id": "not-a-uuid", "name": "", "status": "open", "organization": {"id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "name": "Org", "description": ""}},
	  {"id": "ac148810-d857-441c-9679-408f346de14b", "name": "Fine", "status": "active"},
	  {"id": "bc148810-d857-441c-9679-408f346de14b", "name": "Ages", "status": "active", "minimum_age": -3,
	   "organization": {"id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "name": "Org", "description": ""},
	   "schedules": [{"id": "cc148810-d857-441c-9679-408f346de14b", "byday": "XX", "opens_at": "17:00", "closes_at": "09:00"}]}
	]`
	_, err := f.importBytes([]byte(broken), false)
	var fe *FeedError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{`services[0] (not-a-uuid).id: "not-a-uuid" is not a UUID`, "services[0] (not-a-uuid).name:",
		"services[0] (not-a-uuid).status:", "services[1] (ac148810-d857-441c-9679-408f346de14b).organization:",
		"services[2] (bc148810-d857-441c-9679-408f346de14b).minimum_age:", "services[2] (bc148810-d857-441c-9679-408f346de14b).schedules[0].byday:",
		"services[2] (bc148810-d857-441c-9679-408f346de14b).schedules[0]:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems do not name %q:\n%v", want, err)
		}
	}
	for _, garbage := range []string{"", "<html>", `{"contents": [1, 2]}`, "[]"} {
		if _, err := f.importBytes([]byte(garbage), false); !errors.As(err, &fe) {
			t.Errorf("%q: err = %v", garbage, err)
		}
	}
	if after := f.export(); !bytes.Equal(before, after) {
		t.Error("a broken import wrote something")
	}
}

// TestFetchFeed reads another directory's API, and fails cleanly on one
// that times out or answers garbage.
func TestFetchFeed(t *testing.T) {
	f := newFeed(t, Config{})
	b, err := FetchFeed(context.Background(), http.DefaultClient, f.srv.URL+"/openreferral/", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := f.importBytes(b, true); err != nil || len(rep.Changes) != 0 {
		t.Errorf("our own API imported: %v %v", rep.Changes, err)
	}
	slow := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	if _, err := FetchFeed(context.Background(), http.DefaultClient, slow.URL, 200*time.Millisecond); err == nil || !strings.Contains(err.Error(), "did not answer within") {
		t.Errorf("slow feed: %v", err)
	}
	garbage := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { _, _ = rw.Write([]byte("<html>hello")) }))
	defer garbage.Close()
	if _, err := FetchFeed(context.Background(), http.DefaultClient, garbage.URL, time.Second); err == nil || !strings.Contains(err.Error(), "did not answer JSON") {
		t.Errorf("garbage feed: %v", err)
	}
}
