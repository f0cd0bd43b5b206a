package core

import (
	"slices"
	"strings"
	"testing"
)

func TestParseCouncilArea(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want, err string
	}{
		{"Fife", "S12000047", ""},
		{"  city of   edinburgh ", "S12000036", ""},
		{"Edinburgh", "S12000036", ""},
		{"s12000047", "S12000047", ""},
		{"Perth & Kinross", "S12000048", ""},
		{"Western Isles", "S12000013", ""},
		{"E06000001", "E06000001", ""},
		{"S12000015", "", "not one of Scotland's 32 council areas"}, // Fife's code before 2018
		{"S1200047", "", "not one of Scotland's 32 council areas"},
		{"Fyfe", "", `"Fyfe" is not a council area: did you mean Fife?`},
		{"perth and kinros", "", "did you mean Perth and Kinross?"},
		{"X12345678", "", "not a local authority's code"},
		{"Kingdom  Council", "Kingdom Council", ""}, // a made-up council, as the demo's
		{"Leeds", "Leeds", ""},
		{"", "", "is empty"},
	}
	for _, c := range cases {
		got, err := ParseCouncilArea(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseCouncilArea(%q) = %q, %v; want an error saying %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseCouncilArea(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestEveryCouncilAreaReadsBackByItsName(t *testing.T) {
	t.Parallel()
	if len(councilAreas) != 32 {
		t.Fatalf("%d council areas, want Scotland's 32", len(councilAreas))
	}
	for code, name := range councilAreas {
		if got, err := ParseCouncilArea(name); err != nil || got != code {
			t.Errorf("ParseCouncilArea(%q) = %q, %v; want %s", name, got, err, code)
		}
		if got := CouncilAreaName(code); got != name {
			t.Errorf("CouncilAreaName(%s) = %q, want %q", code, got, name)
		}
	}
	for alias, code := range councilAreaAliases {
		if _, ok := councilAreas[code]; !ok {
			t.Errorf("alias %q names %s, which is not a council area", alias, code)
		}
	}
	if got := CouncilAreaName("E06000001"); got != "E06000001" {
		t.Errorf("a code from outside Scotland shows as %q, want the code", got)
	}
}

func TestSplitCouncilAreas(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want []string
	}{
		{"Fife, Perth and Kinross", []string{"Fife", "Perth and Kinross"}},
		{"S12000047 S12000048", []string{"S12000047", "S12000048"}},
		{"City of Edinburgh\nMidlothian; East Lothian", []string{"City of Edinburgh", "Midlothian", "East Lothian"}},
		{" , ", nil},
	}
	for _, c := range cases {
		if got := SplitCouncilAreas(c.in); !slices.Equal(got, c.want) {
			t.Errorf("SplitCouncilAreas(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
