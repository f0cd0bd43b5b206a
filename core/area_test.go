package core_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// The Scottish Government's SIMD 2020 convention: 6976 data zones by
// rank, decile 1 ranks 1–697, quintile 1 ranks 1–1395.
func TestSIMDDecileAndQuintile(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ rank, decile, quintile int }{
		{1, 1, 1}, {697, 1, 1}, {698, 2, 1}, {1395, 2, 1}, {1396, 3, 2}, {2790, 4, 2}, {2791, 5, 3},
		{3488, 5, 3}, {3489, 6, 3}, {5580, 8, 4}, {5581, 9, 5}, {6976, 10, 5},
		{0, 0, 0}, {-3, 0, 0}, {6977, 0, 0},
	} {
		d := core.SIMDDecile(c.rank)
		if d != c.decile || core.SIMDQuintile(d) != c.quintile {
			t.Errorf("rank %d: decile %d quintile %d, want %d and %d", c.rank, d, core.SIMDQuintile(d), c.decile, c.quintile)
		}
	}
}

// onspdHeader is the ONS Postcode Directory's header row (the columns
// Onward reads among others it ignores, in the directory's order).
const onspdHeader = "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,osgrdind,oshlthau,nhser,ctry,rgn,streg,pcon,eer,teclec,ttwa,pct,itl,statsward,oa01,casward,npark,lsoa01,msoa01,ur01ind,oac01,oa11,lsoa11,msoa11,wz11,sicbl,bua24,ru11ind,oac11,lat,long,lep1,lep2,pfa,imd,calncv,icb,oa21,lsoa21,msoa21\n"

// onspdRow is one row of the directory for a postcode.
func onspdRow(pc, doterm, council, ward, zone, imd, lat, long string) string {
	f := make([]string, 52)
	f[0], f[2], f[4], f[7], f[8], f[34], f[41], f[42], f[46] = strings.ReplaceAll(pc, " ", ""), pc, doterm, council, ward, zone, lat, long, imd
	f[16] = "S92000003"
	return strings.Join(f, ",") + "\n"
}

type postcodeArea struct {
	zone, ward string
	rank       *int
	decile     *int
}

func (a postcodeArea) String() string {
	show := func(p *int) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	return fmt.Sprintf("%s/%s/%s/%s", a.zone, a.ward, show(a.rank), show(a.decile))
}

func postcodeAreas(t *testing.T, env *coretest.Env) map[string]string {
	t.Helper()
	rows, err := env.Pool.Query(context.Background(), `SELECT postcode, data_zone, ward_code, simd_rank, simd_decile FROM postcodes`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var pc string
		var a postcodeArea
		if err := rows.Scan(&pc, &a.zone, &a.ward, &a.rank, &a.decile); err != nil {
			t.Fatal(err)
		}
		out[pc] = a.String()
	}
	return out
}

// An ONS Postcode Directory file keeps each postcode's data zone, ward and
// (Scottish data zones only) SIMD rank and decile; the directory's "no
// code" and blanks are none; a postcode given twice keeps its last row.
func TestImportPostcodesKeepsAreaFacts(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	file := onspdHeader +
		onspdRow("KY1 1AB", "", "S12000047", "S13002881", "S01009001", "140", "56.1120", "-3.1600") +
		onspdRow("KY1 2CD", "", "S12000047", "S99999999", "S01009002", "", "56.1150", "-3.1560") +
		onspdRow("KY2 5XY", "", "S12000047", "S13002883", "S01009003", "2000", "56.1250", "-3.1850") +
		onspdRow("TD15 1AA", "", "E06000057", "E05008979", "E01027505", "30123", "55.7700", "-2.0000") + // England: its IMD rank, not SIMD
		onspdRow("KY3 9ZZ", "202001", "S12000047", "S13002884", "S01009004", "10", "56.0600", "-3.2350") + // terminated
		onspdRow("KY2 5XY", "", "S12000047", "S13002882", "S01009005", "6976", "56.1251", "-3.1851") // last row wins
	res, err := env.Engine.ImportPostcodes(ctx, strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if res.Skipped != 1 || res.Wards != 4 || res.SIMD != 3 {
		t.Errorf("import = %+v, want 1 skipped, 4 with a ward, 3 with a SIMD rank", res)
	}
	got := postcodeAreas(t, env)
	want := map[string]string{
		"KY1 1AB":  "S01009001/S13002881/140/1",
		"KY1 2CD":  "S01009002//-/-",
		"KY2 5XY":  "S01009005/S13002882/6976/10",
		"TD15 1AA": "E01027505/E05008979/-/-",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("postcodes = %v\nwant %v", got, want)
	}

	// What a referral would keep of each, for bulk writers: "not known"
	// for no ward, no SIMD rank, or a postcode the file lacks.
	areas, err := core.PostcodeAreas(ctx, env.Pool, []string{"KY1 1AB", "KY1 2CD", "TD15 1AA", "ZZ1 1ZZ"})
	if err != nil {
		t.Fatal(err)
	}
	words := map[string]string{}
	for pc, a := range areas {
		decile, ward := "-", "-"
		if a.SIMDDecile != nil {
			decile = fmt.Sprint(*a.SIMDDecile)
		}
		if a.WardCode != nil {
			ward = *a.WardCode
		}
		words[pc] = decile + "/" + ward
	}
	if got, want := fmt.Sprint(words), "map[KY1 1AB:1/S13002881 KY1 2CD:-/- TD15 1AA:-/E05008979 ZZ1 1ZZ:-/-]"; got != want {
		t.Errorf("PostcodeAreas = %s, want %s", got, want)
	}

	// A file without the columns imports coordinates as before, and
	// replaces the area facts with none.
	if _, err := env.Engine.ImportPostcodes(ctx, strings.NewReader("pcds,lat,long\nKY1 1AB,56.1000,-3.1000\n")); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(postcodeAreas(t, env)); got != "map[KY1 1AB://-/-]" {
		t.Errorf("after a file without area columns: %s", got)
	}
}

// A bad value is refused naming its line and column, and nothing of the
// file is written: the postcodes imported before stay as they were.
func TestImportPostcodesRefusesBadAreaFacts(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	good := onspdHeader + onspdRow("KY1 1AB", "", "S12000047", "S13002881", "S01009001", "140", "56.1120", "-3.1600")
	if _, err := env.Engine.ImportPostcodes(ctx, strings.NewReader(good)); err != nil {
		t.Fatal(err)
	}
	before := fmt.Sprint(postcodeAreas(t, env))
	for _, c := range []struct {
		name, row, want string
	}{
		{"rank 0", onspdRow("KY2 1AB", "", "S12000047", "S13002881", "S01009001", "0", "56.1", "-3.1"),
			`line 3, column imd: "0" is not a SIMD rank (1 to 6976) for data zone S01009001`},
		{"rank past the last data zone", onspdRow("KY2 1AB", "", "S12000047", "S13002881", "S01009001", "6977", "56.1", "-3.1"),
			`line 3, column imd: "6977" is not a SIMD rank`},
		{"rank not a number", onspdRow("KY2 1AB", "", "S12000047", "S13002881", "S01009001", "high", "56.1", "-3.1"),
			`line 3, column imd: "high" is not a rank`},
		{"ward too short", onspdRow("KY2 1AB", "", "S12000047", "S1300288", "S01009001", "12", "56.1", "-3.1"),
			`line 3, column osward: "S1300288" is not a ward code`},
		{"ward not a code", onspdRow("KY2 1AB", "", "S12000047", "Kirkton", "S01009001", "12", "56.1", "-3.1"),
			`line 3, column osward: "Kirkton" is not a ward code`},
		{"data zone not a code", onspdRow("KY2 1AB", "", "S12000047", "S13002881", "DZ-6506", "12", "56.1", "-3.1"),
			`line 3, column lsoa11: "DZ-6506" is not a data zone code`},
	} {
		t.Run(c.name, func(t *testing.T) {
			// A good row first, so the refusal has something to undo.
			file := onspdHeader + onspdRow("KY3 1AB", "", "S12000047", "S13002884", "S01009004", "99", "56.06", "-3.23") + c.row
			_, err := env.Engine.ImportPostcodes(ctx, strings.NewReader(file))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to say %q", err, c.want)
			}
			if got := fmt.Sprint(postcodeAreas(t, env)); got != before {
				t.Errorf("after a refused file the postcodes are %s, want them as before: %s", got, before)
			}
		})
	}
}

// areaOf is the area facts a referral keeps: its SIMD decile and ward
// code, "-" for NULL.
func areaOf(t *testing.T, env *coretest.Env, id core.ReferralID) string {
	t.Helper()
	var decile *int
	var ward *string
	if err := env.Pool.QueryRow(context.Background(), `SELECT simd_decile, ward_code FROM referrals WHERE id = $1`, id).Scan(&decile, &ward); err != nil {
		t.Fatal(err)
	}
	d, w := "-", "-"
	if decile != nil {
		d = fmt.Sprint(*decile)
	}
	if ward != nil {
		w = *ward
	}
	return d + "/" + w
}

const areaTestPostcodes = "pcds,osward,lsoa11,imd,lat,long\n" +
	"KY1 1AB,S13002881,S01009001,140,56.1120,-3.1600\n" +
	"KY2 5XY,S13002883,S01009003,2000,56.1250,-3.1850\n" +
	"KY2 6CD,,,,56.1260,-3.1860\n"

// A referral made from a postcode in the postcode file keeps its SIMD
// decile and ward, whichever way it was made; one from a postcode outside
// the file, or with a district only, keeps none (Not known); a referral
// carried on keeps its parent's.
func TestReferralKeepsAreaFacts(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	net := env.Net
	if _, err := env.Engine.ImportPostcodes(ctx, strings.NewReader(areaTestPostcodes)); err != nil {
		t.Fatal(err)
	}
	self := func(key, phone, postcode, district string) core.Referral {
		t.Helper()
		in := coretest.SelfReferral(key)
		in.Client.Phone, in.Client.Postcode, in.Client.District = phone, postcode, district
		res, err := env.Engine.SelfRefer(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return res.Referral
	}
	inFile := self("area-1", "07700 900201", "ky1 1ab", "")
	outside := self("area-2", "07700 900202", "KY1 9ZZ", "")
	noFacts := self("area-3", "07700 900203", "KY2 6CD", "")
	district := self("area-4", "07700 900204", "", "KY2")
	staff, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "area-5", By: net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Iain Rennie", Phone: "07700 900205", Postcode: "KY2 5XY"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	// The same client again, by staff, from a new address outside the
	// file: the referral keeps the postcode it was given with.
	again, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "area-6", By: net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Iain Rennie", Phone: "07700 900205", Postcode: "KY1 1AB"},
		Needs:  []core.Need{core.NeedBenefits}, ToAgency: net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	// The self-referral (consent to share with the network) is sent to
	// Citizens Advice, which redirects it to Welfare Rights.
	held := inFile
	if held.ToAgencyID == nil || *held.ToAgencyID != net.CAB {
		res, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: held.ID, Action: core.ActionAssign,
			Actor: net.Coordinator.Actor(), ToAgency: net.CAB})
		if err != nil {
			t.Fatal(err)
		}
		held = res.Referral
		if res.Child != nil {
			held = *res.Child
		}
	}
	redirect, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: held.ID, Action: core.ActionRedirect,
		Actor: net.Adviser.Actor(), ToAgency: net.Welfare})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		id   core.ReferralID
		want string
	}{
		{"self-referral, postcode in the file", inFile.ID, "1/S13002881"},
		{"self-referral, postcode outside the file", outside.ID, "-/-"},
		{"self-referral, postcode in the file without area facts", noFacts.ID, "-/-"},
		{"self-referral, a district only", district.ID, "-/-"},
		{"staff referral", staff.ID, "3/S13002883"},
		{"staff referral of a client Onward has", again.ID, "1/S13002881"},
		{"redirected on", redirect.Child.ID, "1/S13002881"},
	} {
		if got := areaOf(t, env, c.id); got != c.want {
			t.Errorf("%s: area %s, want %s", c.name, got, c.want)
		}
	}
}

// Referrals made before the postcode file had area facts are filled from
// the postcode given with each; an erased client's stay Not known, and
// erasing a client later keeps them, as it keeps the district.
func TestFillReferralAreas(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	net := env.Net
	var ids []core.ReferralID
	var clients []core.ClientID
	for i, pc := range []string{"KY1 1AB", "KY2 5XY", "KY1 9ZZ", "", "KY1 1AB"} {
		in := coretest.SelfReferral(fmt.Sprintf("fill-%d", i))
		in.Client.Phone, in.Client.Postcode = fmt.Sprintf("07700 90030%d", i), pc
		if pc == "" {
			in.Client.District = "KY1"
		}
		res, err := env.Engine.SelfRefer(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		ids, clients = append(ids, res.Referral.ID), append(clients, res.Referral.ClientID)
	}
	if err := env.Engine.EraseClient(ctx, clients[4], net.Coordinator.Actor(), core.ErasureClientAsked, "cli"); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if got := areaOf(t, env, id); got != "-/-" {
			t.Fatalf("before the postcode file, referral %d has area %s", id, got)
		}
	}
	if _, err := env.Engine.ImportPostcodes(ctx, strings.NewReader(areaTestPostcodes)); err != nil {
		t.Fatal(err)
	}
	res, err := env.Engine.FillReferralAreas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Looked != 4 || res.Filled != 2 {
		t.Errorf("fill = %+v, want 4 looked at (not the erased client's), 2 filled", res)
	}
	want := []string{"1/S13002881", "3/S13002883", "-/-", "-/-", "-/-"}
	for i, id := range ids {
		if got := areaOf(t, env, id); got != want[i] {
			t.Errorf("referral %d: area %s, want %s", i, got, want[i])
		}
	}
	if err := env.Engine.EraseClient(ctx, clients[0], net.Coordinator.Actor(), core.ErasureClientAsked, "cli"); err != nil {
		t.Fatal(err)
	}
	if got := areaOf(t, env, ids[0]); got != "1/S13002881" {
		t.Errorf("after erasure: area %s, want the decile and ward kept, as the district is", got)
	}
	// Running it again changes nothing.
	if res, err := env.Engine.FillReferralAreas(ctx); err != nil || res.Filled != 0 {
		t.Errorf("second fill = %+v, %v; want nothing filled", res, err)
	}
	// Each run that opened details is on the audit log, with its counts
	// and nothing that names a referral or client.
	rows, err := env.Pool.Query(ctx, `SELECT actor_kind, referral_id IS NULL AND client_id IS NULL, data::text FROM events WHERE kind = $1 ORDER BY id`,
		string(core.EventReferralAreasFilled))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var actor, data string
		var unnamed bool
		if err := rows.Scan(&actor, &unnamed, &data); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %v %s", actor, unnamed, data))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := []string{`system true {"filled": 2, "looked": 4}`, `system true {"filled": 0, "looked": 2}`}; !slices.Equal(got, want) {
		t.Errorf("audit events %q, want %q", got, want)
	}
}

func TestImportWardNames(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	res, err := env.Engine.ImportWardNames(ctx, strings.NewReader("\ufeffWD24CD,WD24NM,WD24NMW\nS13002881,Kirkton Central,\nS13002883,Balgarvie North,\nS13002881,Kirkton Centre,\n"))
	if err != nil || res.Wards != 2 {
		t.Fatalf("import = %+v, %v; want 2 wards", res, err)
	}
	var name string
	if err := env.Pool.QueryRow(ctx, `SELECT name FROM wards WHERE code = 'S13002881'`).Scan(&name); err != nil || name != "Kirkton Centre" {
		t.Errorf("S13002881 is %q (%v), want its last name", name, err)
	}
	for _, c := range []struct{ file, want string }{
		{"WD24CD,WD24NM\nS1300288,Kirkton\n", `line 2, column WD24CD: "S1300288" is not a ward code`},
		{"WD24CD,WD24NM\nS13002881,Kirkton\nS13002882,\n", "line 3, column WD24NM: ward S13002882 has no name"},
		{"LAD24CD,LAD24NM\nS12000047,Fife\n", "needs a ward code column"},
	} {
		if _, err := env.Engine.ImportWardNames(ctx, strings.NewReader(c.file)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want it to say %q", err, c.want)
		}
	}
	if n := coretest.CountRows(t, env.Pool, "wards"); n != 2 {
		t.Errorf("after refused files, %d wards, want the 2 imported before", n)
	}
}

// FuzzParseWardNames: any file is refused or read into wards whose codes
// are GSS codes and whose names are not blank.
func FuzzParseWardNames(f *testing.F) {
	f.Add("WD24CD,WD24NM\nS13002881,Kirkton Central\n")
	f.Add("code,name\ns13002881, Kirkton \n")
	f.Add("WD24CD,WD24NM\n\"S13002881\",\"a, b\"\nS1300288,x\n")
	f.Fuzz(func(t *testing.T, file string) {
		names, err := core.ParseWardNames(strings.NewReader(file))
		if err != nil {
			return
		}
		for code, name := range names {
			if !core.IsGSSCode(code) || strings.TrimSpace(name) == "" {
				t.Fatalf("read ward %q named %q", code, name)
			}
		}
	})
}
