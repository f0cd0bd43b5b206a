package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// withHours is the network's settings as they are now, with other
// opening hours.
func withHours(t *testing.T, eng *core.Engine, english string, translations map[string]string) core.NetworkSettings {
	t.Helper()
	n, err := eng.Network(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return core.NetworkSettings{Name: n.Name, Phone: n.Phone, OpeningHours: english, OpeningHoursTranslations: translations,
		CrisisLines: n.CrisisLines, DirectoryURL: n.DirectoryURL, DataSharingURL: n.DataSharingURL, Timezone: n.Timezone}
}

// TestOpeningHoursIn: the hours the network gives in a language are that
// language's, trimmed; a language it gives none in, and English, are
// shown the English.
func TestOpeningHoursIn(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	s := withHours(t, env.Engine, " Monday to Friday, 9am to 5pm ", map[string]string{
		"pl": "  od poniedziałku do piątku, 9:00–17:00\n",
		"ar": "من الاثنين إلى الجمعة، من 9 صباحًا إلى 5 مساءً",
	})
	if err := env.Engine.SetNetwork(ctx, env.Pool, s); err != nil {
		t.Fatal(err)
	}
	n, err := env.Engine.Network(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]string{
		"pl": "od poniedziałku do piątku, 9:00–17:00",
		"ar": "من الاثنين إلى الجمعة، من 9 صباحًا إلى 5 مساءً",
		"uk": "Monday to Friday, 9am to 5pm", // none given
		"en": "Monday to Friday, 9am to 5pm",
		"":   "Monday to Friday, 9am to 5pm",
	} {
		if got := n.OpeningHoursIn(code); got != want {
			t.Errorf("OpeningHoursIn(%q) = %q, want %q", code, got, want)
		}
	}

	// Set again without them, every language is shown the English.
	if err := env.Engine.SetNetwork(ctx, env.Pool, withHours(t, env.Engine, "Monday to Friday, 9am to 5pm", nil)); err != nil {
		t.Fatal(err)
	}
	if n, err = env.Engine.Network(ctx); err != nil || n.OpeningHoursIn("pl") != "Monday to Friday, 9am to 5pm" {
		t.Errorf("set again without translations: Polish hours %q, %v", n.OpeningHoursIn("pl"), err)
	}
}

// TestOpeningHoursRefused: translations in a language clients cannot
// choose, in English, empty, over two lines or too long are each named,
// all at once, and nothing is written.
func TestOpeningHoursRefused(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	before, err := env.Engine.Network(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := withHours(t, env.Engine, "Monday to Friday, 9am to 5pm", map[string]string{
		"fr": "du lundi au vendredi, de 9 h à 17 h",
		"en": "Mondays to Fridays",
		"pl": "   ",
		"uk": "з понеділка по п’ятницю,\nз 9:00 до 17:00",
		"ar": strings.Repeat("ساعات", 41), // 205 characters
		"gd": "Diluain gu Dihaoine, 9 sa mhadainn gu 5 feasgar",
	})
	s.Name = "Renamed Advice Network"
	err = env.Engine.SetNetwork(ctx, env.Pool, s)
	var ve *core.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("SetNetwork = %v, want a ValidationError", err)
	}
	for field, want := range map[string]string{
		"opening_hours_translations.fr": `"fr" is not a language clients may choose; give one of pl, uk, ar, ur, gd`,
		"opening_hours_translations.en": "the English opening hours are opening_hours itself",
		"opening_hours_translations.pl": "the opening hours are empty",
		"opening_hours_translations.uk": "has a control character",
		"opening_hours_translations.ar": "205 characters, over the 200",
	} {
		if got := ve.Field(field); !strings.Contains(got, want) || !strings.HasPrefix(got, field+": ") {
			t.Errorf("%s: %q, want it to say %q", field, got, want)
		}
	}
	if len(ve.Fields) != 5 {
		t.Errorf("%d mistakes named, want 5: %v", len(ve.Fields), err)
	}
	after, err := env.Engine.Network(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.Name != before.Name || len(after.OpeningHoursTranslations) != 0 {
		t.Errorf("a refused setting was written: %q, %v", after.Name, after.OpeningHoursTranslations)
	}

	// Translations need the English they fall back to, and the English
	// is held to the same one line.
	for _, c := range []struct{ english, want string }{
		{"", "opening_hours: give the opening hours in English too"},
		{"Monday to Friday,\t9am to 5pm", "opening_hours: has a control character"},
	} {
		err := env.Engine.SetNetwork(ctx, env.Pool, withHours(t, env.Engine, c.english, map[string]string{"pl": "od poniedziałku do piątku, 9:00–17:00"}))
		if !errors.As(err, &ve) || ve.Field("opening_hours") == "" || !strings.Contains(err.Error(), c.want) {
			t.Errorf("English %q: %v, want it to say %q", c.english, err, c.want)
		}
	}
}
