package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// `onward texts` lists each client text with its segments, rendered with
// the network in the database: the English consent question in at most
// three GSM-7 segments, the Ukrainian one in UCS-2; --lang keeps one
// language and refuses one not shipped.
func TestTextsCommand(t *testing.T) {
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", coretest.NewEnv(t).URL)
	t.Setenv("ONWARD_ENV", "dev") // the test engines chain events with the stand-in audit key
	var out bytes.Buffer
	if err := runTexts(ctx, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^conv_consent +en +[123] +GSM-7$`).MatchString(out.String()) {
		t.Errorf("no English consent at 3 GSM-7 segments or fewer:\n%s", out.String())
	}
	if !regexp.MustCompile(`(?m)^conv_consent +uk +\d+ +UCS-2$`).MatchString(out.String()) {
		t.Errorf("no Ukrainian consent in UCS-2")
	}
	// The words themselves, beneath each line (an on-call review: only
	// the sizes were printed, so nobody could read the texts).
	if !regexp.MustCompile(`(?m)^help +en +\d+ +GSM-7\n    .*Kingdom Advice Network`).MatchString(out.String()) {
		t.Errorf("the English help text's words are not beneath its line:\n%.2000s", out.String())
	}
	out.Reset()
	if err := runTexts(ctx, []string{"--lang", "pl"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), " en ") || !strings.Contains(out.String(), " pl ") {
		t.Errorf("--lang pl:\n%s", out.String())
	}
	if err := runTexts(ctx, []string{"--lang", "fr"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), `no shipped language "fr"`) {
		t.Errorf("--lang fr: %v", err)
	}
}

// `onward texts` sizes each language's texts with the network's opening
// hours in that language, as the SMS sends them: long Polish hours make
// the Polish help text longer, and Ukrainian, which has none, is sized
// with the English.
func TestTextsCommandHoursInEachLanguage(t *testing.T) {
	ctx := context.Background()
	env := coretest.NewEnv(t)
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENV", "dev") // the test engines chain events with the stand-in audit key
	helpSegments := func(code string) int {
		t.Helper()
		var out bytes.Buffer
		if err := runTexts(ctx, []string{"--lang", code}, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^help +` + code + ` +(\d+) `).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("no help text in %s:\n%s", code, out.String())
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	pl, uk := helpSegments("pl"), helpSegments("uk")
	n, err := env.Engine.Network(ctx)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("od poniedziałku do piątku, ", 7) // 188 characters: three UCS-2 parts more
	if err := env.Engine.SetNetwork(ctx, env.Pool, core.NetworkSettings{Name: n.Name, Phone: n.Phone,
		OpeningHours: n.OpeningHours, OpeningHoursTranslations: map[string]string{"pl": long},
		CrisisLines: n.CrisisLines, DirectoryURL: n.DirectoryURL, DataSharingURL: n.DataSharingURL}); err != nil {
		t.Fatal(err)
	}
	if got := helpSegments("pl"); got < pl+2 {
		t.Errorf("Polish help with long Polish hours: %d segments, want at least %d (%d with the English hours)", got, pl+2, pl)
	}
	if got := helpSegments("uk"); got != uk {
		t.Errorf("Ukrainian help, with no Ukrainian hours: %d segments, want %d as before", got, uk)
	}
}
