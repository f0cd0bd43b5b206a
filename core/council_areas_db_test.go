package core_test

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestCouncilAreasAreStoredByCode: a council area given by name, to a
// district or a service, is stored by its GSS code, so a district and a
// service named one way and the other still match; a misspelt one is
// refused, naming it, and nothing is written.
func TestCouncilAreasAreStoredByCode(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	var council string
	if err := env.Pool.QueryRow(ctx, `SELECT council_area FROM postcode_districts WHERE district = 'KY1'`).Scan(&council); err != nil {
		t.Fatal(err)
	}
	if council != "S12000047" {
		t.Errorf("KY1's council area given as Fife is stored as %q, want S12000047", council)
	}
	id, err := env.Engine.AddService(ctx, env.Pool, core.NewService{AgencyID: env.Net.FoodBank, Name: "Fife-wide debt advice",
		Needs: []core.Need{core.NeedDebt}, CouncilAreas: []string{"s12000047", "Fife"}})
	if err != nil {
		t.Fatal(err)
	}
	var areas []string
	if err := env.Pool.QueryRow(ctx, `SELECT council_areas FROM services WHERE id = $1`, id).Scan(&areas); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(areas, []string{"S12000047"}) {
		t.Errorf("a service for Fife stores %q, want [S12000047]", areas)
	}
	m, err := env.Engine.Suggest(ctx, core.MatchQuery{Needs: []core.Need{core.NeedDebt}, District: "KY11"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range m.Suggestions {
		found = found || s.Agency.ID == env.Net.FoodBank
	}
	if !found {
		t.Errorf("the Fife-wide service is not suggested for KY11, a Fife district")
	}

	_, err = env.Engine.AddService(ctx, env.Pool, core.NewService{AgencyID: env.Net.FoodBank, Name: "Misspelt",
		Needs: []core.Need{core.NeedDebt}, CouncilAreas: []string{"Fyfe"}})
	var ve *core.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), `"Fyfe" is not a council area`) {
		t.Errorf("a misspelt council area: got %v, want a validation error naming it", err)
	}
	if err := env.Pool.QueryRow(ctx, `SELECT id FROM services WHERE name = 'Misspelt'`).Scan(new(int64)); !errors.Is(err, pgx.ErrNoRows) {
		t.Errorf("the refused service was written (%v)", err)
	}
	err = env.Engine.AddDistrict(ctx, env.Pool, core.District{District: "KY99", CouncilArea: "S12000015", Town: "Nowhere"})
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "KY99") {
		t.Errorf("a district with Fife's code before 2018: got %v, want a validation error naming the district", err)
	}
}

// TestMigrationStoresCouncilAreasByCode: migration 036 turns the names of
// Scotland's council areas already stored into their codes, and leaves
// anything else as it was.
func TestMigrationStoresCouncilAreasByCode(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	names, err := fs.Glob(core.Migrations(), "036_*.sql")
	if err != nil || len(names) != 1 {
		t.Fatalf("migration 036: %v %v", names, err)
	}
	migration, err := fs.ReadFile(core.Migrations(), names[0])
	if err != nil {
		t.Fatal(err)
	}
	const before = `
UPDATE postcode_districts SET council_area = 'Fife' WHERE district = 'KY1';
UPDATE postcode_districts SET council_area = 's12000047' WHERE district = 'KY2';
UPDATE postcode_districts SET council_area = 'Kingdom of Fife' WHERE district = 'KY11';
UPDATE services SET council_areas = '{fife,"City of Edinburgh",Somewhere,S12000047}' WHERE name = 'Welfare rights'`
	if _, err := env.Pool.Exec(ctx, before); err != nil {
		t.Fatal(err)
	}
	tx, err := env.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, string(migration)); err != nil {
		t.Fatalf("apply %s: %v", names[0], err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	for district, want := range map[string]string{"KY1": "S12000047", "KY2": "S12000047", "KY11": "Kingdom of Fife"} {
		var got string
		if err := env.Pool.QueryRow(ctx, `SELECT council_area FROM postcode_districts WHERE district = $1`, district).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s's council area after the migration is %q, want %q", district, got, want)
		}
	}
	var areas []string
	if err := env.Pool.QueryRow(ctx, `SELECT council_areas FROM services WHERE name = 'Welfare rights'`).Scan(&areas); err != nil {
		t.Fatal(err)
	}
	if want := []string{"S12000047", "S12000036", "Somewhere"}; !slices.Equal(areas, want) {
		t.Errorf("the service's council areas after the migration are %q, want %q", areas, want)
	}
}
