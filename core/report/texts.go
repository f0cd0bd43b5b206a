package report

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// DefaultSMSSegmentCost is the price of a segment when none is set:
// ONWARD_SMS_SEGMENT_COST's default, about Twilio's UK price.
const DefaultSMSSegmentCost = 0.04

// WithSMSSegmentCost sets the estimated price of one outgoing SMS segment,
// in pounds, that the texts report multiplies segments by.
func (rp *Reports) WithSMSSegmentCost(pounds float64) *Reports {
	rp.segmentCost = pounds
	return rp
}

// languageNames names languages for staff in English ("Polish") from the
// clients' message files.
var languageNames = sync.OnceValue(func() *lang.Catalogue {
	cat, err := lang.Load(templates.FS, nil)
	if err != nil {
		return nil // the server's own load of the same files fails first
	}
	return cat
})

func languageName(code string) string {
	if cat := languageNames(); cat != nil {
		return cat.EnglishName(code)
	}
	return code
}

const sqlSentTexts = `
SELECT month, language, sum(texts)::bigint, coalesce(sum(texts) FILTER (WHERE encoding = 'UCS-2'), 0)::bigint,
       sum(segments)::bigint
FROM sms_segments WHERE month >= $1 AND month <= $2
GROUP BY 1, 2 ORDER BY 1, 2`

// textsReport gives, per month and client language, the SMS Onward sent,
// how many went as UCS-2 (a single character outside the GSM alphabet —
// any Polish, Ukrainian, Arabic or Urdu letter — makes the whole text
// UCS-2, 70 characters a segment instead of 160), the segments they were
// billed as, and the estimated cost at the configured price per segment.
// Texts are counted for the whole network, in the months that overlap the
// filter's dates.
func textsReport(ctx context.Context, q *reportQuery) (Report, error) {
	cost := q.rp.segmentCost
	r := Report{Chart: ChartBar, Unit: "segments", Columns: []string{"Month", "Language", "Texts", "Texts in UCS-2",
		"Segments", "Segments per text", "Estimated cost (£)"}, TextColumns: []string{"Language"}}
	r.Notes = append(r.Notes, fmt.Sprintf("Estimated at £%.4f a segment (ONWARD_SMS_SEGMENT_COST); the provider's invoice is the true figure. WhatsApp messages are priced differently and are not counted here.", cost))
	if q.f.Agency != 0 || q.f.Need != "" {
		r.Notes = append(r.Notes, "Texts are counted for the whole network, not per agency or need: clear those filters to see them.")
		return r, nil
	}
	first := time.Date(q.f.From.Year(), q.f.From.Month(), 1, 0, 0, 0, 0, time.UTC)
	rows, _ := q.db.Query(ctx, sqlSentTexts, first, q.f.To)
	type line struct {
		month             time.Time
		language          string
		texts, ucs2, segs int64
	}
	var lines []line
	var l line
	if _, err := pgx.ForEachRow(rows, []any{&l.month, &l.language, &l.texts, &l.ucs2, &l.segs}, func() error {
		lines = append(lines, l)
		return nil
	}); err != nil {
		return Report{}, fmt.Errorf("read texts sent: %w", err)
	}
	// Segments per text and the cost give the segments back, and with
	// them the texts.
	row := func(month, language string, l line) []Cell {
		texts, segs := q.count(l.texts), q.count(l.segs)
		return []Cell{textCell(month), textCell(language), texts, q.count(l.ucs2), segs,
			q.figure(float64(l.segs)/float64(max(l.texts, 1)), l.texts, 2, segs, texts),
			q.figure(float64(l.segs)*cost, l.texts, 2, segs)}
	}
	series := map[string]*Series{}
	var order []string
	var months []string
	segments := map[[2]string]Cell{} // {month, language}: the row's segments
	var total line
	for _, l := range lines {
		month, name := l.month.Format("Jan 2006"), languageName(l.language)
		cells := row(month, name, l)
		r.Rows = append(r.Rows, cells)
		segments[[2]string{month, name}] = cells[4]
		if !slices.Contains(months, month) {
			months = append(months, month)
		}
		if series[name] == nil {
			series[name] = &Series{Name: name}
			order = append(order, name)
		}
		total.texts += l.texts
		total.ucs2 += l.ucs2
		total.segs += l.segs
	}
	// One bar per month in every language's series, zero where a language
	// sent nothing that month.
	for _, name := range order {
		s := series[name]
		for _, m := range months {
			c, ok := segments[[2]string{m, name}]
			if !ok {
				c = q.count(0)
			}
			s.Points = append(s.Points, point(m, c))
		}
		r.Series = append(r.Series, *s)
	}
	totals := row("Total", "", total)
	q.addsDown(totals, r.Rows...)
	r.Rows = append(r.Rows, totals)
	return r, nil
}
