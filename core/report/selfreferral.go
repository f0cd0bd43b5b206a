package report

import (
	"context"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

const sqlLeafletCampaigns = `SELECT code, campaign FROM leaflets`

// selfReferralReport counts clients' own referrals — by text message and
// by web form — per leaflet code, so a network sees which leaflets bring
// people in.
func selfReferralReport(ctx context.Context, q *reportQuery) (Report, error) {
	sub, args := q.facts(mainRollup, "source, leaflet, n_new", q.f.From, q.f.To)
	rows, _ := q.db.Query(ctx, `SELECT leaflet, source, sum(n_new)::bigint FROM `+sub+` f
		WHERE source IN ('sms', 'web') GROUP BY 1, 2`, args...)
	counts := map[string]map[core.Source]int64{}
	var leaflet string
	var src core.Source
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&leaflet, &src, &n}, func() error {
		if counts[leaflet] == nil {
			counts[leaflet] = map[core.Source]int64{}
		}
		counts[leaflet][src] += n
		return nil
	}); err != nil {
		return Report{}, err
	}
	campaigns := map[string]string{}
	rows, _ = q.db.Query(ctx, sqlLeafletCampaigns)
	var code, campaign string
	if _, err := pgx.ForEachRow(rows, []any{&code, &campaign}, func() error {
		campaigns[code] = campaign
		return nil
	}); err != nil {
		return Report{}, err
	}
	codes := make([]string, 0, len(counts))
	for c := range counts {
		codes = append(codes, c)
	}
	slices.SortFunc(codes, func(a, b string) int {
		switch {
		case a == "":
			return -1
		case b == "":
			return 1
		}
		return strings.Compare(a, b)
	})
	r := Report{Chart: ChartBar, Unit: "self-referrals", Columns: []string{"Leaflet code", "Campaign", "By text message", "By web form", "Total"},
		TextColumns: []string{"Campaign"}}
	sms, web := Series{Name: "By text message"}, Series{Name: "By web form"}
	var totSMS, totWeb int64
	for _, c := range codes {
		label, campaign := c, campaigns[c]
		if c == "" {
			label, campaign = "No leaflet", ""
		}
		s, w := counts[c][core.SourceSMS], counts[c][core.SourceWeb]
		totSMS += s
		totWeb += w
		row := q.bySource(label, campaign, s, w)
		r.Rows = append(r.Rows, row)
		sms.Points = append(sms.Points, point(label, row[2]))
		web.Points = append(web.Points, point(label, row[3]))
	}
	total := q.bySource("Total", "", totSMS, totWeb)
	q.addsDown(total, r.Rows...)
	r.Rows = append(r.Rows, total)
	r.Series = []Series{sms, web}
	return r, nil
}

// bySource is a row of the self-referral report: texts, web forms and
// their total.
func (q *reportQuery) bySource(label, campaign string, sms, web int64) []Cell {
	s, w, t := q.count(sms), q.count(web), q.count(sms+web)
	q.adds(t, s, w)
	return []Cell{textCell(label), textCell(campaign), s, w, t}
}
