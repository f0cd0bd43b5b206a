package coretest

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
)

// Env is a test's engine on its own database with a small seeded network.
type Env struct {
	Pool   *pgxpool.Pool
	URL    string
	Engine *core.Engine
	Clock  *Clock
	IDs    *IDs
	Crypt  *core.Crypter
	Net    Network
}

// Network is the seeded test network: four agencies in a fictional part of
// Fife, and staff for each.
type Network struct {
	CAB, Welfare, Housing, FoodBank, Team core.AgencyID
	// Adviser works at CAB, WelfareAdviser at Welfare, HousingAdviser at
	// Housing; Coordinator at the network Team.
	Adviser, Adviser2, WelfareAdviser, HousingAdviser, Coordinator core.Staff
	ConsentVersion                                                 string
}

// ConsentText is the seeded consent wording.
const ConsentText = "Kingdom Advice Network will share your name, contact details and answers with the advice agencies in the network who can help, under our data sharing protocol. You can withdraw at any time."

// ConsentTextPolish is the seeded wording's Polish translation.
const ConsentTextPolish = "Kingdom Advice Network przekaże Twoje imię, dane kontaktowe i odpowiedzi poradniom w sieci, które mogą pomóc, zgodnie z naszym protokołem udostępniania danych. Zgodę możesz wycofać w każdej chwili."

// TestKey is the encryption key test engines use (not secret: tests only).
var TestKey = []byte("0123456789abcdef0123456789abcdef")

// NewEngine returns an engine on pool with a fixed clock and ids.
func NewEngine(t testing.TB, pool *pgxpool.Pool) (*core.Engine, *Clock, *IDs, *core.Crypter) {
	t.Helper()
	eng, clock, ids, crypt, err := newEngine(pool)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Close)
	return eng, clock, ids, crypt
}

// newEngine is NewEngine's engine, for callers without a test: the test
// key, a clock stopped at Epoch, ids from the first, and no log.
func newEngine(pool *pgxpool.Pool) (*core.Engine, *Clock, *IDs, *core.Crypter, error) {
	crypt, err := core.NewCrypter(TestKey, nil, []byte("test-hash-key"))
	if err != nil {
		return nil, nil, nil, nil, err
	}
	clock, ids := NewClock(), &IDs{}
	return core.NewEngine(pool, crypt, clock, ids, slog.New(slog.NewTextHandler(io.Discard, nil))), clock, ids, crypt, nil
}

// NewEnv returns a seeded test environment on a fresh database: a copy
// of the process's seeded template (seeded.go).
func NewEnv(t testing.TB) *Env {
	t.Helper()
	url, n := newSeededDatabase(t)
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(pool.Close)
	eng, clock, ids, crypt := NewEngine(t, pool)
	return &Env{Pool: pool, URL: url, Engine: eng, Clock: clock, IDs: ids, Crypt: crypt, Net: n}
}

// Seed writes the small test network, failing the test on error.
func Seed(t testing.TB, eng *core.Engine, pool *pgxpool.Pool) Network {
	t.Helper()
	n, err := SeedNetwork(context.Background(), eng, pool)
	if err != nil {
		t.Fatalf("seed test network: %v", err)
	}
	return n
}

// SeedNetwork writes the small test network; benchmarks use it too.
func SeedNetwork(ctx context.Context, eng *core.Engine, pool *pgxpool.Pool) (Network, error) {
	var firstErr error
	must := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	must(eng.SetNetwork(ctx, pool, core.NetworkSettings{
		Name: "Kingdom Advice Network", Phone: "0800 000 0000", OpeningHours: "Monday to Friday, 9am to 5pm",
		CrisisLines: "Samaritans 116 123, NHS 24 111", DirectoryURL: "http://localhost:8080/directory",
		DataSharingURL: "http://localhost:8080/data-sharing",
	}))
	must(eng.PublishConsentWording(ctx, pool, "v1", ConsentText))
	must(eng.PublishConsentTranslation(ctx, pool, "v1", "pl", ConsentTextPolish))
	for _, d := range []core.District{
		{District: "KY1", CouncilArea: "Fife", Town: "Kirkcaldy"},
		{District: "KY2", CouncilArea: "Fife", Town: "Kirkcaldy"},
		{District: "KY11", CouncilArea: "Fife", Town: "Dunfermline"},
		{District: "KY16", CouncilArea: "Fife", Town: "St Andrews"},
	} {
		must(eng.AddDistrict(ctx, pool, d))
	}
	agency := func(slug, name, channel string, self bool) core.AgencyID {
		id, err := eng.AddAgency(ctx, pool, core.NewAgency{Slug: slug, Name: name, SlackChannelID: channel,
			AckTargetHours: 16, AcceptsSelfReferrals: self, Phone: "01592 000000"})
		must(err)
		return id
	}
	var n Network
	n.CAB = agency("kirkton-cab", "Kirkton Citizens Advice", "C0CAB", true)
	n.Welfare = agency("kc-welfare-rights", "Kingdom Council Welfare Rights", "C0WELFARE", true)
	n.Housing = agency("housing-options", "Kingdom Housing Options", "C0HOUSING", false)
	n.FoodBank = agency("kingdom-food-bank", "Kingdom Food Bank", "", true)
	n.Team = agency("network-team", "Kingdom Advice Network Team", "C0TRIAGE", false)
	service := func(a core.AgencyID, name string, needs []core.Need, districts, councils []string) {
		_, err := eng.AddService(ctx, pool, core.NewService{AgencyID: a, Name: name, Needs: needs,
			PostcodeDistricts: districts, CouncilAreas: councils, Languages: []string{"en"}})
		must(err)
	}
	service(n.CAB, "Debt and money advice", []core.Need{core.NeedDebt, core.NeedBenefits, core.NeedIncomeMax}, []string{"KY1", "KY2"}, nil)
	service(n.Welfare, "Welfare rights", []core.Need{core.NeedBenefits, core.NeedIncomeMax, core.NeedDebt}, nil, []string{"Fife"})
	service(n.Housing, "Housing options", []core.Need{core.NeedHousing}, nil, []string{"Fife"})
	service(n.FoodBank, "Emergency food parcels", []core.Need{core.NeedFood}, []string{"KY1", "KY2"}, nil)
	staff := func(a core.AgencyID, name, email string, role core.Role, slack string) core.Staff {
		id, err := eng.AddStaff(ctx, pool, core.NewStaff{AgencyID: a, Name: name, Role: role, Email: email, SlackUserID: slack})
		must(err)
		if err != nil {
			return core.Staff{}
		}
		s, err := eng.StaffByID(ctx, id)
		must(err)
		return s
	}
	n.Adviser = staff(n.CAB, "Ailsa Brodie", "ailsa@cab.example", core.RoleAdviser, "U0AILSA")
	n.Adviser2 = staff(n.CAB, "Callum Ness", "callum@cab.example", core.RoleAdviser, "U0CALLUM")
	n.WelfareAdviser = staff(n.Welfare, "Isla Moffat", "isla@welfare.example", core.RoleAdviser, "U0ISLA")
	n.HousingAdviser = staff(n.Housing, "Euan Tait", "euan@housing.example", core.RoleAdviser, "")
	n.Coordinator = staff(n.Team, "Morven Reid", "morven@network.example", core.RoleCoordinator, "U0MORVEN")
	n.ConsentVersion = "v1"
	return n, firstErr
}

// SelfReferral returns a valid SMS self-referral for the seeded network;
// change fields to make the case a test needs.
func SelfReferral(key string) core.SelfReferral {
	return core.SelfReferral{
		IdempotencyKey: key,
		Client: core.ClientDetails{Name: "Morag Baird", Phone: "07700 900123", Postcode: "KY1 1AB",
			Notes: "Rent arrears letter arrived on Friday", PreferredContact: "text", ContactTime: "mornings"},
		Needs:       []core.Need{core.NeedDebt},
		Consent:     core.ConsentInput{WordingVersion: "v1", Channel: core.ChannelSMS, Evidence: "SM" + key},
		Source:      core.SourceSMS,
		PhoneProven: true, // by text: the sender's number is their own
	}
}
