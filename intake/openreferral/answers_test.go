package openreferral

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// A repeated search is answered from the cache for as long as the
// directory is unchanged, and any change to it is seen at once.
func TestAnswersCacheFollowsTheDirectory(t *testing.T) {
	f := newFeed(t, Config{CachedAnswers: 8})
	ctx := context.Background()
	const path = "/openreferral/services?search=advice"
	first := f.getJSON(path, &struct{}{})

	// A write that the directory's version does not see (no
	// updated_at, no count): only a cache answers with the old page.
	if _, err := f.env.Pool.Exec(ctx, `UPDATE services SET description = 'Changed behind the feed''s back'`); err != nil {
		t.Fatal(err)
	}
	if again := f.getJSON(path, &struct{}{}); !bytes.Equal(again, first) {
		t.Fatalf("the repeated search was worked out afresh, not answered from the cache")
	}
	uncached := newFeed(t, Config{})
	if b := uncached.getJSON(path, &struct{}{}); bytes.Contains(b, []byte("Changed behind")) {
		t.Fatalf("a feed without the cache shares answers")
	}

	// A real change: the directory's version moves and the answer is new.
	f.env.Clock.Advance(time.Hour)
	ss, err := f.env.Engine.Services(ctx, f.env.Net.CAB)
	if err != nil {
		t.Fatal(err)
	}
	s := ss[0]
	if err := f.env.Engine.UpdateService(ctx, s.ID, core.NewService{AgencyID: s.AgencyID, Name: s.Name + " renamed",
		Needs: s.Needs, PostcodeDistricts: s.PostcodeDistricts, Languages: s.Languages}, core.SystemActor); err != nil {
		t.Fatal(err)
	}
	f.api.changedAt = f.api.changedAt.Add(-time2s)
	if b := f.getJSON(path, &struct{}{}); !bytes.Contains(b, []byte(" renamed")) {
		t.Fatalf("after a change the cache still answered the old page")
	}

	// Refusals are never kept: a bad parameter is refused every time.
	for range 2 {
		if status, _, _ := f.get("/openreferral/services?page=nought"); status != http.StatusBadRequest {
			t.Fatalf("bad page: %d, want 400", status)
		}
	}
}

func TestAnswersKeepsOnlyWhatFits(t *testing.T) {
	a := newAnswers(2)
	a.put("a", []byte("1"))
	a.put("big", []byte(strings.Repeat("x", maxCachedAnswer+1)))
	if _, ok := a.get("big"); ok {
		t.Error("an answer over the size limit was kept")
	}
	a.put("b", []byte("2"))
	a.put("c", []byte("3"))
	if _, ok := a.get("a"); ok {
		t.Error("the oldest answer outlived the limit of two")
	}
	if b, ok := a.get("c"); !ok || string(b) != "3" {
		t.Errorf("newest answer = %q, %v", b, ok)
	}
	if _, ok := newAnswers(0).get("c"); ok {
		t.Error("a cache of none answered")
	}
	newAnswers(0).put("c", []byte("3")) // keeps nothing, must not panic
}
