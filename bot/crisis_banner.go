package bot

import (
	"time"

	"github.com/onward-network/onward/core"
)

// A crisis card's banner says what the crisis clock asks, not "act
// today": an acknowledgement due on the working-hours clock may fall on
// Monday (card.html reads AckDue). Outside working hours it names the
// network's helpline too, when the network has one (outOfHoursHelpline).

// outOfHoursHelpline is the network's helpline and its opening hours, to
// name on an open crisis referral's card while it is outside the
// network's working hours; "" when it is not a crisis, is closed, the
// network works now or has no working hours, or has no helpline.
func outOfHoursHelpline(cal core.Calendar, now time.Time, r core.Referral) (phone, hours string) {
	if !r.Crisis || !r.Status.Open() || cal.Phone == "" {
		return "", ""
	}
	if len(cal.WorkingDays) == 0 || cal.NextWorkingMoment(now).Equal(now) {
		return "", ""
	}
	return cal.Phone, cal.OpeningHours
}
