package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
)

// `onward texts` lists each client text with its segments, rendered with
// the network in the database: the English consent question in at most
// three GSM-7 segments, the Ukrainian one in UCS-2; --lang keeps one
// language and refuses one not shipped.
func TestTextsCommand(t *testing.T) {
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", coretest.NewEnv(t).URL)
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
