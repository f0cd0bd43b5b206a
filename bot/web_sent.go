package bot

import (
	"net/http"

	"github.com/onward-network/onward/core"
)

// sentView is "Referrals we sent": every referral the agency made, its
// status, who acted and when, the feedback and the outcome.
type sentView struct {
	chrome
	List      listView
	Attention int
}

// sentPage lists the referrals the staff member's agency made, those that
// need its attention first.
func (b *Bot) sentPage(w http.ResponseWriter, r *http.Request, s session) {
	ctx := r.Context()
	v := sentView{chrome: chrome{Title: "Referrals we sent", Staff: &s.staff, CSRF: s.csrf}}
	list, status, err := b.listPage(ctx, r, s, core.ViewSent, &v.chrome)
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	v.List = list
	if v.Attention, err = b.engine.AttentionCount(ctx, s.staff.AgencyID); err != nil {
		b.failed(w, &s, err)
		return
	}
	b.renderWeb(w, status, "sent", v)
}
