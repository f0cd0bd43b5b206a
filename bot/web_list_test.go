package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
)

// TestListPastTheLastPageShowsTheLast: a page number past the end (an old
// link, a number typed in) shows the last page, not an empty one that
// says "Page 10000 of 1".
func TestListPastTheLastPageShowsTheLast(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	var refs []string
	for i := range 3 {
		res, err := tb.Engine.SelfRefer(ctx, coretest.SelfReferral(fmt.Sprintf("past-end-%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, res.Referral.Reference)
	}
	ad := tb.signedIn(tb.Net.Adviser)
	for _, page := range []string{"99999", "4"} {
		_, body := ad.get("/staff/?page=" + page)
		if strings.Contains(body, "Page 10000") || strings.Contains(body, "Page "+page) {
			t.Errorf("page %s: the page names a page past the end:\n%s", page, within(body, `id="open-h"`, "</section>"))
		}
		if got := rowRefs(body); len(got) != 3 {
			t.Errorf("page %s lists %v, want the 3 referrals %v", page, got, refs)
		}
		if strings.Contains(body, "No open referrals") {
			t.Errorf("page %s says there are no open referrals", page)
		}
	}
}
