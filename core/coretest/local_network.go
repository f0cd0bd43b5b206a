package coretest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// LocalCrisisLines are the crisis lines SetLocalNetwork gives the network.
const LocalCrisisLines = "Breathing Space: 0800 83 85 87, evenings and weekends"

// SetLocalNetwork gives the seeded network an area of its own, so a
// channel's test can check that the words it sends come from the network's
// settings and not from the seeded Fife. The network keeps its name, phone
// and hours but takes LocalCrisisLines, and gains the district AB10
// (Aberdeen), which sorts before the seeded KY ones and so becomes the
// network's first district, the example the postcode and town questions
// give. It returns the crisis lines.
func SetLocalNetwork(t testing.TB, eng *core.Engine) string {
	t.Helper()
	ctx := context.Background()
	n, err := eng.Network(ctx)
	if err != nil {
		t.Fatalf("read the network's settings: %v", err)
	}
	if err := eng.ChangeSettings(ctx, func(tx pgx.Tx) error {
		if err := eng.SetNetwork(ctx, tx, core.NetworkSettings{Name: n.Name, Phone: n.Phone, OpeningHours: n.OpeningHours,
			CrisisLines: LocalCrisisLines, DirectoryURL: n.DirectoryURL, DataSharingURL: n.DataSharingURL}); err != nil {
			return err
		}
		return eng.AddDistrict(ctx, tx, core.District{District: "AB10", CouncilArea: "S12000033", Town: "Aberdeen"})
	}); err != nil {
		t.Fatalf("give the network its own crisis lines and district: %v", err)
	}
	return LocalCrisisLines
}
