package core

import (
	"context"
	"fmt"
	"time"
)

// DefaultWebTextsPerDay is how many texts the public web form may cause to
// one number in a day unless the network sets ONWARD_WEB_TEXTS_PER_DAY.
const DefaultWebTextsPerDay = 3

// SetWebTextsPerDay sets the per-number daily cap on texts the public web
// form can cause. Call it once, while wiring.
func (e *Engine) SetWebTextsPerDay(n int) { e.webTextsPerDay = n }

func (e *Engine) webTextCap() int {
	if e.webTextsPerDay > 0 {
		return e.webTextsPerDay
	}
	return DefaultWebTextsPerDay
}

// sqlCountWebText counts one more web-caused text to the number today
// (dropping the number's older days) and returns today's count.
const sqlCountWebText = `
WITH gone AS (DELETE FROM web_text_counts WHERE phone_hash = $1 AND day < $2)
INSERT INTO web_text_counts (phone_hash, day, n) VALUES ($1, $2, 1)
ON CONFLICT (phone_hash, day) DO UPDATE SET n = web_text_counts.n + 1
RETURNING n`

// AllowWebText counts a text the public web form is about to cause to the
// number with this lookup hash, and reports whether it is within the
// day's cap (the day of now as given: pass it in the network's zone). Over the cap the text
// is not sent; whatever else the form did still happens. Call it in the
// transaction that queues the text, so a rolled-back submission counts
// nothing.
func (e *Engine) AllowWebText(ctx context.Context, db DB, phoneHash []byte, now time.Time) (bool, error) {
	var n int
	day := now.Format(time.DateOnly)
	if err := db.QueryRow(ctx, sqlCountWebText, phoneHash, day).Scan(&n); err != nil {
		return false, fmt.Errorf("count texts the web form caused: %w", err)
	}
	return n <= e.webTextCap(), nil
}
