package web

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// The pages' footer gives the network's opening hours in the page's
// language: Polish pages the Polish hours the network file gives; Arabic
// ones, which it gives none in, the English, as English pages do.
func TestFooterHoursInThePagesLanguage(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n, err := env.Engine.Network(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Engine.SetNetwork(ctx, env.Pool, core.NetworkSettings{Name: n.Name, Phone: n.Phone,
		OpeningHours: n.OpeningHours, OpeningHoursTranslations: map[string]string{"pl": "od poniedziałku do piątku, 9:00–17:00"},
		CrisisLines: n.CrisisLines, DirectoryURL: n.DirectoryURL, DataSharingURL: n.DataSharingURL}); err != nil {
		t.Fatal(err)
	}
	e := newWebEnvOn(t, env)
	for _, c := range []struct{ lang, want string }{
		{"pl", `0800 000 0000</a>, od poniedziałku do piątku, 9:00–17:00.`},
		{"ar", `0800 000 0000</a>، Monday to Friday, 9am to 5pm.`},
		{"en", `0800 000 0000</a>, Monday to Friday, 9am to 5pm.`},
	} {
		b := e.browser()
		for _, path := range []string{pathStart + "?lang=" + c.lang, pathNeeds, "/directory?lang=" + c.lang} {
			if p := b.get(path); !strings.Contains(p.Body, c.want) {
				t.Errorf("%s (%d at %s): the footer lacks %q", path, p.Status, p.Path, c.want)
			}
		}
	}
}
