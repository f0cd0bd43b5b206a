package intake

import (
	"context"
	"slices"
	"strings"

	"github.com/onward-network/onward/core"
)

// townDistrict finds the postcode district of a town by name, any case and
// punctuation. A town spread over several districts (Kirkcaldy: KY1 and
// KY2) gets the first in order, every time; core's DistrictForTown picks
// whichever its map yields first.
func (w *Web) townDistrict(ctx context.Context, town string) (core.District, bool, error) {
	ds, err := w.engine.Districts(ctx)
	if err != nil {
		return core.District{}, false, err
	}
	want := townKey(town)
	if want == "" {
		return core.District{}, false, nil
	}
	keys := make([]string, 0, len(ds))
	for k := range ds {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareDistricts)
	for _, k := range keys {
		if townKey(ds[k].Town) == want {
			return ds[k], true, nil
		}
	}
	return core.District{}, false, nil
}

// townKey lowercases and keeps letters and digits, one space between words.
func townKey(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}), " ")
}

// compareDistricts orders districts as people expect: KY2 before KY11.
func compareDistricts(a, b string) int {
	split := func(s string) (string, int, string) {
		i := strings.IndexAny(s, "0123456789")
		if i < 0 {
			return s, 0, ""
		}
		j := i
		n := 0
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			n = n*10 + int(s[j]-'0')
			j++
		}
		return s[:i], n, s[j:]
	}
	ap, an, ar := split(a)
	bp, bn, br := split(b)
	if c := strings.Compare(ap, bp); c != 0 {
		return c
	}
	if an != bn {
		return an - bn
	}
	return strings.Compare(ar, br)
}
