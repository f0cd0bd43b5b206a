package core

import (
	"context"
	"slices"
	"strings"
)

// DistrictForTown finds the postcode district of a town a client named
// instead of a postcode. It is the one town lookup: the SMS conversation,
// the web form and the public directory all ask it, so the same words place
// a client in the same district whichever way they came. Names match
// ignoring case, punctuation and "St"/"Saint"; a town spread over several
// districts (Kirkcaldy: KY1 and KY2) gets the first in natural order (KY2
// before KY11), every time. ok is false when no district names the town.
func (e *Engine) DistrictForTown(ctx context.Context, town string) (District, bool, error) {
	ds, err := e.DistrictsForTown(ctx, town)
	if err != nil || len(ds) == 0 {
		return District{}, false, err
	}
	return ds[0], true, nil
}

// DistrictsForTown is every postcode district that names the town, in
// natural order (KY1, KY2), matched as DistrictForTown matches; none when
// no district names it. The public directory searches a town in all of
// them.
func (e *Engine) DistrictsForTown(ctx context.Context, town string) ([]District, error) {
	want := TownKey(town)
	if want == "" {
		return nil, nil
	}
	ds, err := e.Districts(ctx)
	if err != nil {
		return nil, err
	}
	var out []District
	for _, d := range ds {
		if TownKey(d.Town) == want {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b District) int { return CompareDistricts(a.District, b.District) })
	return out, nil
}

// TownKey is the form of a town's name used to compare it: lower case,
// letters and digits only, one space between words, and "saint" written
// "st", so "St. Serfs", "saint serfs" and "ST SERFS" are the same town.
func TownKey(s string) string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	for i, w := range words {
		if w == "saint" {
			words[i] = "st"
		}
	}
	return strings.Join(words, " ")
}

// CompareDistricts orders postcode districts as people read them: by area
// letters, then by number (KY2 before KY11), then by any letter after the
// number (EH1 before EH1A).
func CompareDistricts(a, b string) int {
	ap, an, ar := splitDistrict(a)
	bp, bn, br := splitDistrict(b)
	if c := strings.Compare(ap, bp); c != 0 {
		return c
	}
	if an != bn {
		if an < bn {
			return -1
		}
		return 1
	}
	return strings.Compare(ar, br)
}

// splitDistrict cuts "KY11" into "KY", 11 and "".
func splitDistrict(s string) (area string, n int, rest string) {
	i := strings.IndexAny(s, "0123456789")
	if i < 0 {
		return s, 0, ""
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' && n < 1_000_000 {
		n = n*10 + int(s[j]-'0')
		j++
	}
	return s[:i], n, s[j:]
}
