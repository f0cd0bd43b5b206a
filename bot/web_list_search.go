package bot

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/onward-network/onward/core"
)

// The lists' filter form is posted and answered with a redirect to the
// list's own address with the filters in its query (post, redirect, get),
// so the list can be bookmarked and paged as before. The reference box is
// the one place a busy adviser may type a client's name or phone number;
// a GET form would put whatever they typed in the address, the browser's
// history and the logs of every proxy on the way. Here only a reference
// goes on, and only one of a referral they may see: anything else is
// dropped, and the list says searches are by reference alone
// (searchRefused) or that no referral they may see has the reference
// (searchNone), without repeating what was typed.

// listFilterFields are the filter form's fields copied into the list's
// address; "q" is copied only as a reference.
var listFilterFields = []string{"status", "need", "urgency", "agency", "from", "to", "overdue", "mine", "attention"}

// searchRefused marks a list reached from a filter form whose reference
// box held something other than a reference; searchNone, one that held a
// reference no referral they may see has.
const (
	searchRefused = "search_refused"
	searchNone    = "search_none"
)

// mayFind reports whether a referral with reference ref exists that the
// member of staff may see. A fault reads as none: the list then says so,
// and the search can be made again.
func (b *Bot) mayFind(ctx context.Context, s session, ref string) bool {
	r, err := b.engine.ReferralByReference(ctx, ref)
	if err != nil {
		if !errors.Is(err, core.ErrNotFound) {
			b.log.Warn("search the lists by reference", "err", err)
		}
		return false
	}
	return s.staff.Actor().MaySee(r)
}

// listSearch answers the filter form of the list at path.
func (b *Bot) listSearch(path string) func(http.ResponseWriter, *http.Request, session) {
	return func(w http.ResponseWriter, r *http.Request, s session) {
		q := url.Values{}
		for _, name := range listFilterFields {
			if v := strings.TrimSpace(r.PostFormValue(name)); v != "" {
				q.Set(name, v)
			}
		}
		if typed := strings.TrimSpace(r.PostFormValue("q")); typed != "" {
			ref, ok := core.NormaliseReference(typed)
			switch {
			case !ok:
				q.Set(searchRefused, "yes")
			case b.mayFind(r.Context(), s, ref):
				q.Set("q", ref)
			case !core.ShapedAsIssued(ref):
				// Read as a reference, but none Onward could have issued:
				// a name ("Smith" reads as ONW-SMITH), refused as one.
				q.Set(searchRefused, "yes")
			default:
				// Shaped like a reference yet none they may see (a typo,
				// or another agency's): not repeated.
				q.Set(searchNone, "yes")
			}
		}
		to := path
		if len(q) > 0 {
			to += "?" + q.Encode()
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
	}
}
