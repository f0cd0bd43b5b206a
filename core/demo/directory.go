package demo

import (
	"fmt"

	"github.com/onward-network/onward/core"
)

// Slugs of the demo agencies the history refers to by name.
const (
	slugKirktonCAB   = "kirkton-cab"
	slugDunmarnock   = "dunmarnock-cab"
	slugStrathcraig  = "strathcraig-cab"
	slugWelfare      = "kc-welfare-rights"
	slugMoneyAdvice  = "kc-money-advice"
	slugHousing      = "kc-housing-options"
	slugLochgairFood = "lochgair-food-share"
	slugLarder       = "methilhaven-larder"
	slugCreditUnion  = "kingdom-credit-union"
	slugWorkWise     = "workwise-kingdom"
	slugWarmHomes    = "warm-homes-kingdom"
	slugNHS          = "nhs-health-improvement"
	slugMinds        = "kingdom-minds"
	slugCarers       = "kingdom-carers"
	slugHarbour      = "harbour-family-support"
	slugTeam         = "network-team"
)

// CoordinatorEmail is the email of the demo network's first coordinator,
// for dev pages that print a staff login link.
const CoordinatorEmail = "elspeth.guthrie@network.example.org"

// agencySpec is one demo agency with its directory services and staff.
type agencySpec struct {
	core.NewAgency
	services []serviceSpec
	staff    []staffSpec
}

// serviceSpec is a directory service; the agency is filled in when seeded.
type serviceSpec struct {
	name, description, eligibility, hours string
	needs                                 []core.Need
	districts                             []string // empty: the whole council area
	languages                             []string
}

type staffSpec struct {
	name  string
	role  core.Role
	slack string
}

var (
	central = []string{"KY1", "KY2", "KY3", "KY4", "KY5", "KY6", "KY7", "KY8"}
	west    = []string{"KY11", "KY12"}
	east    = []string{"KY15", "KY16"}
	en      = []string{"en"}
	enPL    = []string{"en", "pl"}
	allLang = []string{"en", "pl", "uk", "ar"}
)

func adviser(name string) staffSpec { return staffSpec{name: name, role: core.RoleAdviser} }
func adviserOnSlack(name, id string) staffSpec {
	return staffSpec{name: name, role: core.RoleAdviser, slack: id}
}

// agencyPhone numbers come from Ofcom's range for drama (01632 960000–960999).
func agencyPhone(n int) string { return fmt.Sprintf("01632 960%03d", n) }

// site returns the agency's web address and general email under the
// reserved example.org domain.
func site(slug string) (website, email string) {
	return "https://" + slug + ".example.org", "hello@" + slug + ".example.org"
}

// directory is the demo network: sixteen agencies of the kinds a Scottish
// council area has. Every name is invented.
func directory() []agencySpec {
	specs := []agencySpec{
		{
			NewAgency: core.NewAgency{Slug: slugKirktonCAB, Name: "Kirkton Citizens Advice",
				Description:    "Free, independent and confidential advice on money, debt, benefits, housing and consumer problems for people in Kirkcaldy and the central Kingdom.",
				Address:        "14 Kirk Wynd, Kirkcaldy KY1 1XX",
				SlackChannelID: "C0KIRKCAB", AckTargetHours: 16, AcceptsSelfReferrals: true},
			services: []serviceSpec{
				{name: "Debt and money advice", needs: []core.Need{core.NeedDebt, core.NeedBenefits, core.NeedIncomeMax},
					description: "Help with debts of every kind, benefit checks, budgeting and dealing with creditors, bailiffs and sheriff officers.",
					eligibility: "Anyone living in the central Kingdom (KY1 to KY8).", districts: central, languages: enPL,
					hours: "Monday to Friday 9.30am to 4pm; drop-in Tuesday and Thursday mornings"},
				{name: "Housing and tenancy advice", needs: []core.Need{core.NeedHousing},
					description: "Advice on rent arrears, repairs, eviction notices and tenancy rights for private and social tenants.",
					eligibility: "Tenants and homeowners in the central Kingdom.", districts: central, languages: en,
					hours: "Monday to Friday 9.30am to 4pm"},
			},
			staff: []staffSpec{adviserOnSlack("Fiona Lindsay", "U0FLINDSAY"), adviser("Ross Carnegie"), adviser("Shona Wemyss"), adviser("Dariusz Nowak")},
		},
		{
			NewAgency: core.NewAgency{Slug: slugDunmarnock, Name: "Dunmarnock Citizens Advice",
				Description:    "Citizens Advice for Dunmarnock, Torryhill and the west of the Kingdom: money, benefits, housing and employment advice.",
				Address:        "2 Abbey Row, Dunmarnock KY11 3XX",
				SlackChannelID: "C0DUNCAB", AckTargetHours: 16, AcceptsSelfReferrals: true},
			services: []serviceSpec{
				{name: "Money, debt and benefits advice", needs: []core.Need{core.NeedDebt, core.NeedBenefits, core.NeedIncomeMax, core.NeedHousing},
					description: "Debt advice, benefit checks and help with forms, rent arrears and council tax.",
					eligibility: "People living in KY11 and KY12.", districts: west, languages: enPL,
					hours: "Monday to Thursday 9am to 4.30pm, Friday 9am to 1pm"},
				{name: "Employment rights advice", needs: []core.Need{core.NeedEmployability, core.NeedOther},
					description: "Advice on pay, sick pay, dismissal and problems at work.",
					eligibility: "People living or working in KY11 and KY12.", districts: west, languages: en,
					hours: "Wednesday 10am to 3pm, by appointment"},
			},
			staff: []staffSpec{adviserOnSlack("Kirsty Halkett", "U0KHALKETT"), adviser("Graeme Dalgleish"), adviser("Amira Haddad")},
		},
		{
			NewAgency: core.NewAgency{Slug: slugStrathcraig, Name: "Strathcraig Citizens Advice",
				Description:    "Rural advice service for Strathcraig, St Serfs and the east of the Kingdom, with outreach in village halls.",
				Address:        "The Old Bank, 5 Crossgate, Strathcraig KY15 4XX",
				SlackChannelID: "C0STRATHCAB", AckTargetHours: 24, AcceptsSelfReferrals: true},
			services: []serviceSpec{
				{name: "Rural advice service", needs: []core.Need{core.NeedDebt, core.NeedBenefits, core.NeedIncomeMax, core.NeedHousing},
					description: "Money, benefits and housing advice by phone, at home visits and at outreach sessions in village halls.",
					eligibility: "People living in KY15 and KY16.", districts: east, languages: en,
					hours: "Monday to Friday 9am to 4pm; outreach in St Serfs on Wednesdays"},
				{name: "Fuel debt and home energy advice", needs: []core.Need{core.NeedFuel, core.NeedDebt},
					description: "Help with energy arrears, prepayment meters and applying for grants for heating.",
					eligibility: "Households in KY15 and KY16, especially off the gas grid.", districts: east, languages: en,
					hours: "Tuesday and Thursday 9am to 4pm"},
			},
			staff: []staffSpec{adviser("Eilidh Balfour"), adviser("Neil Ogilvie")},
		},
		{
			NewAgency: core.NewAgency{Slug: slugWelfare, Name: "Kingdom Council Welfare Rights",
				Description:    "The council's welfare rights team: benefit checks, help to claim, and representation at mandatory reconsideration and tribunal.",
				Address:        "Kingdom House, Glenrothie KY6 2XX",
				SlackChannelID: "C0KCWELFARE", AckTargetHours: 24, AcceptsSelfReferrals: true},
			services: []serviceSpec{
				{name: "Benefit checks, claims and appeals", needs: []core.Need{core.NeedBenefits, core.NeedIncomeMax},
					description: "Full benefit checks, help with Universal Credit, Adult Disability Payment and Pension Credit claims, and appeals.",
					eligibility: "Anyone living in the Kingdom Council area.", languages: allLang,
					hours: "Monday to Friday 9am to 5pm; phone line 10am to 12 noon"},
			},
			staff: []staffSpec{adviserOnSlack("Lorna Pitcairn", "U0LPITCAIRN"), adviser("Stuart Melville"), adviser("Olena Kovalenko"), adviser("Gillian Arnot")},
		},
		{
			NewAgency: core.NewAgency{Slug: slugMoneyAdvice, Name: "Kingdom Council Money Advice",
				Description:    "The council's money advice service: council tax and rent arrears, debt solutions and dealing with creditors.",
				Address:        "Kingdom House, Glenrothie KY6 2XX",
				SlackChannelID: "C0KCMONEY", AckTargetHours: 16, AcceptsSelfReferrals: true},
			services: []serviceSpec{
				{name: "Council tax and rent arrears advice", needs: []core.Need{core.NeedDebt},
					description: "Help to agree affordable repayments of council tax and council rent arrears and to stop recovery action.",
					eligibility: "Council tenants and council tax payers in the Kingdom Council area.", languages: en,
					hours: "Monday to Friday 9am to 5pm"},
				{name: "Debt solutions", needs: []core.Need{core.NeedDebt},
					description: "Advice on the Debt Arrangement Scheme, trust deeds, sequestration and the Minimal Asset Process.",
					eligibility: "Anyone in the Kingdom Council area with debts they cannot repay.", languages: en,
					hours: "By appointment, Monday to Friday"},
			},
			staff: []staffSpec{adviser("Craig Leslie"), adviser("Mhairi Boswell"), adviser("Derek Spence")},
		},
		{
			NewAgency: core.NewAgency{Slug: slugHousing, Name: "Kingdom Council Housing Options",
				Description:    "Homelessness assessments, housing options interviews and tenancy sustainment. Takes referrals from partner agencies; people at risk of homelessness tonight should call the council's emergency line.",
				Address:        "Kingdom House, Glenrothie KY6 2XX",
				SlackChannelID: "C0KCHOUSING", AckTargetHours: 8, AcceptsSelfReferrals: false},
			services: []serviceSpec{
				{name: "Homelessness and housing options", needs: []core.Need{core.NeedHousing},
					description: "Assessment for people who are homeless or at risk of losing their home, and advice on every housing option.",
					eligibility: "Anyone homeless or at risk of homelessness in the Kingdom Council area, referred by a partner agency.", languages: allLang,
					hours: "Monday to Friday 8.45am to 5pm; out of hours emergency line"},
				{name: "Tenancy sustainment", needs: []core.Need{core.NeedHousing},
					description: "Support workers who help tenants at risk of losing their tenancy keep it.",
					eligibility: "Social and private tenants in the Kingdom Council area, referred by a partner agency.", languages: en,
					hours: "Monday to Friday 9am to 5pm"},
			},
			staff: []staffSpec{adviserOnSlack("Janet Kinnear", "U0JKINNEAR"), adviser("Alan Rattray"), adviser("Catriona Moodie")},
		},
		{
			NewAgency: core.NewAgency{Slug: slugLochgairFood, Name: "Lochgair Food Share",
				Description:    "Emergency food parcels and a community pantry, run by volunteers from churches across the Kingdom.",
				Address:        "St Margaret's Hall, Loch Road, Lochgair KY5 8XX",
				SlackChannelID: "", AckTargetHours: 8, AcceptsSelfReferrals: true},
			services: []serviceSpec{
				{name: "Emergency food parcels", needs: []core.Need{core.NeedFood},
					description: "Three days of food, toiletries and, when needed, a fuel top-up voucher. Collection or delivery.",
					eligibility: "Anyone in crisis without enough food. No proof needed for the first parcel.",
					districts:   []string{"KY1", "KY2", "KY3", "KY4", "KY5", "KY6", "KY11", "KY12"}, languages: enPL,
					hours: "Monday, Wednesday and Friday 11am to 2pm"},
				{name: "Community pantry", needs: []core.Need{core.NeedFood},
					description: "Members pay £3.50 a week and choose groceries worth much more.",
					eligibility: "Households in Lochgair (KY5).", districts: []string{"KY5"}, languages: en,
					hours: "Tuesday and Thursday 10am to 1pm"},
			},
			staff: []staffSpec{adviser("Bill Gourlay"), adviser("Agnes Murdoch")},
		},
		{
			NewAgency: core.NewAgency{Slug: slugLarder, Name: "Methilhaven Community Larder",
				Description:    "A community larder and food parcel service for Methilhaven and Auchterlea.",
				Address:        "Harbour Community Centre, Shore Street, Methilhaven KY8 3XX",
				SlackChannelID: "C0METHLARDER", AckTargetHours: 12, AcceptsSelfReferrals: true},
			services: []serviceSpec{
				{name: "Community larder and food parcels", needs: []core.Need{core.NeedFood},
					description: "Food parcels for people in crisis and a low-cost larder open to everyone.",
					eligibility: "People living in KY7 and KY8.", districts: []string{"KY7", "KY8"}, languages: en,
					hours: "Monday to Friday 12 noon to 3pm"},
			},
			staff: []staffSpec{adviser("Senga Paterson"), adviser("Tomasz Wisniewski")},
		},
		{
			NewAgency: core.NewAgency{Slug: slugCreditUnion, Name: "Kingdom Credit Union",
				Description:    "A not-for-profit savings and loans co-operative for people who live or work in the Kingdom.",
				Address:        "31 High Street, Kirkcaldy KY1 1XX",
				SlackChannelID: "C0KINGCU", AckTargetHours: 24, AcceptsSelfReferrals: true},
			services: []serviceSpec{
				{name: "Affordable loans and savings", needs: []core.Need{core.NeedDebt, core.NeedIncomeMax},
					description: "Small loans at fair rates instead of doorstep lenders, and savings accounts from £1.",
					eligibility: "Anyone who lives or works in the Kingdom Council area.", languages: en,
					hours: "Monday to Friday 10am to 4pm, Saturday 10am to 12 noon"},
			},
			staff: []staffSpec{adviser("Hazel Cochrane"), adviser("Iain Wishart")},
		},
		{
			NewAgency: core.NewAgency{Slug: slugWorkWise, Name: "WorkWise Kingdom",
				Description:    "Employability keyworkers, training and English classes for people looking for work or better work.",
				Address:        "Unit 4, Riverside Business Park, Glenrothie KY7 5XX",
				SlackChannelID: "C0WORKWISE", AckTargetHours: 24, AcceptsSelfReferrals: true},
			services: []serviceSpec{
				{name: "Employability keyworker support", needs: []core.Need{core.NeedEmployability},
					description: "One-to-one support into work: CVs, applications, interviews and in-work support.",
					eligibility: "Adults of working age in the Kingdom Council area who are out of work or on low pay.", languages: allLang,
					hours: "Monday to Friday 9am to 5pm"},
				{name: "ESOL and digital skills classes", needs: []core.Need{core.NeedEducation, core.NeedEmployability},
					description: "English for speakers of other languages and basic computer skills, in small friendly groups.",
					eligibility: "Adults in the Kingdom Council area.", languages: allLang,
					hours: "Weekday mornings and Tuesday evenings in term time"},
			},
			staff: []staffSpec{adviser("Rory Henderson"), adviser("Yasmin Qureshi"), adviser("Pawel Zielinski")},
		},
		{
			NewAgency: core.NewAgency{Slug: slugWarmHomes, Name: "Warm Homes Kingdom",
				Description:    "An energy advice charity: help with bills, meters, grants and keeping a home warm for less.",
				Address:        "9 Mill Lane, Burnhaven KY3 9XX",
				SlackChannelID: "C0WARMHOMES", AckTargetHours: 16, AcceptsSelfReferrals: true},
			services: []serviceSpec{
				{name: "Home energy advice", needs: []core.Need{core.NeedFuel},
					description: "Advice on tariffs, meters, damp and heating controls, and help applying for energy grants.",
					eligibility: "Households in the Kingdom Council area.", languages: enPL,
					hours: "Monday to Friday 9am to 5pm"},
				{name: "Fuel debt and emergency top-ups", needs: []core.Need{core.NeedFuel, core.NeedDebt},
					description: "Help with energy arrears, and emergency credit for prepayment meters in a crisis.",
					eligibility: "Households in the Kingdom Council area struggling to pay for energy.", languages: en,
					hours: "Monday to Friday 9am to 5pm"},
			},
			staff: []staffSpec{adviserOnSlack("Moira Falconer", "U0MFALCONER"), adviser("Jamie Lumsden")},
		},
		{
			NewAgency: core.NewAgency{Slug: slugNHS, Name: "NHS Kingdom Health Improvement",
				Description:    "The health board's health improvement team: healthy living, stopping smoking, and link workers in GP practices.",
				Address:        "Health Promotion Centre, Glenrothie KY6 1XX",
				SlackChannelID: "C0NHSHEALTH", AckTargetHours: 24, AcceptsSelfReferrals: true},
			services: []serviceSpec{
				{name: "Healthy living and stop smoking support", needs: []core.Need{core.NeedHealth},
					description: "Free support to stop smoking, move more, eat well and sleep better.",
					eligibility: "Adults registered with a GP in the Kingdom Council area.", languages: en,
					hours: "Monday to Friday 9am to 5pm; some evening clinics"},
				{name: "GP link workers", needs: []core.Need{core.NeedHealth, core.NeedOther},
					description: "Link workers in GP practices who help with what affects health: money, loneliness, housing and stress.",
					eligibility: "Patients of GP practices in KY1, KY2, KY6 and KY7.", districts: []string{"KY1", "KY2", "KY6", "KY7"}, languages: en,
					hours: "Practice opening hours"},
			},
			staff: []staffSpec{adviser("Helen Strachan"), adviser("Kenny Birrell")},
		},
		{
			NewAgency: core.NewAgency{Slug: slugMinds, Name: "Kingdom Minds",
				Description:    "Community mental health and wellbeing support: one-to-one support, peer groups and stress control classes.",
				Address:        "The Wellbeing Hub, 22 Bridge Street, Kirkcaldy KY1 2XX",
				SlackChannelID: "C0KMINDS", AckTargetHours: 24, AcceptsSelfReferrals: true},
			services: []serviceSpec{
				{name: "Community wellbeing support", needs: []core.Need{core.NeedHealth},
					description: "Six to twelve weeks of one-to-one support for people with low mood, anxiety or stress.",
					eligibility: "Adults in the Kingdom Council area. Not a crisis service: in a crisis call NHS 24 on 111.", languages: en,
					hours: "Monday to Friday 9am to 5pm, Thursday until 8pm"},
			},
			staff: []staffSpec{adviser("Gemma Lauder"), adviser("Hamish Baxter"), adviser("Sara Kinross")},
		},
		{
			NewAgency: core.NewAgency{Slug: slugCarers, Name: "Kingdom Carers' Centre",
				Description:    "Information, support and short breaks for unpaid carers of all ages.",
				Address:        "8 Station Road, Cowdenloch KY4 0XX",
				SlackChannelID: "C0KCARERS", AckTargetHours: 24, AcceptsSelfReferrals: true},
			services: []serviceSpec{
				{name: "Support for unpaid carers", needs: []core.Need{core.NeedFamily, core.NeedHealth, core.NeedIncomeMax},
					description: "An adult carer support plan, emotional support, and help to look after your own health.",
					eligibility: "Anyone who looks after a relative or friend in the Kingdom Council area.", languages: en,
					hours: "Monday to Friday 9am to 4.30pm"},
				{name: "Carer's benefits and short breaks", needs: []core.Need{core.NeedBenefits, core.NeedFamily},
					description: "Help to claim Carer Support Payment and to arrange a short break.",
					eligibility: "Unpaid carers in the Kingdom Council area.", languages: en,
					hours: "Tuesday and Thursday 10am to 3pm"},
			},
			staff: []staffSpec{adviser("Irene Hutton"), adviser("Marion Doig")},
		},
		{
			NewAgency: core.NewAgency{Slug: slugHarbour, Name: "Harbour Women's Aid and Family Support",
				Description:    "Support, safe accommodation and advocacy for women, children and young people affected by domestic abuse, and family support workers.",
				Address:        "Confidential address: contact by phone",
				SlackChannelID: "C0HARBOUR", AckTargetHours: 8, AcceptsSelfReferrals: true},
			services: []serviceSpec{
				{name: "Domestic abuse support and refuge", needs: []core.Need{core.NeedFamily, core.NeedHousing},
					description: "Outreach, advocacy and refuge accommodation for women and their children.",
					eligibility: "Women and children affected by domestic abuse in the Kingdom Council area.", languages: allLang,
					hours: "Monday to Friday 9am to 5pm; refuge staffed at all times"},
				{name: "Family support workers", needs: []core.Need{core.NeedFamily},
					description: "Practical and emotional support for families under pressure, at home and in groups.",
					eligibility: "Families with children under 16 in the Kingdom Council area.", languages: allLang,
					hours: "Monday to Friday 9am to 5pm"},
			},
			staff: []staffSpec{adviser("Leanne Bett"), adviser("Nadia Salem"), adviser("Kateryna Bondar")},
		},
		{
			NewAgency: core.NewAgency{Slug: slugTeam, Name: "Kingdom Advice Network Team",
				Description:    "The network's coordinators: they look after the directory, triage self-referrals and crisis calls, and report on how referrals go.",
				Address:        "Kingdom House, Glenrothie KY6 2XX",
				SlackChannelID: "C0KANTRIAGE", AckTargetHours: 8, AcceptsSelfReferrals: false},
			services: []serviceSpec{
				{name: "Kingdom Advice Line", needs: []core.Need{core.NeedOther},
					description: "The network's freephone line: tell us what is going on and we find the right agency for you.",
					eligibility: "Anyone in the Kingdom Council area.", languages: en,
					hours: "Monday to Friday 9am to 5pm"},
			},
			staff: []staffSpec{
				{name: "Elspeth Guthrie", role: core.RoleCoordinator, slack: "U0EGUTHRIE"},
				{name: "Calum Duncan", role: core.RoleCoordinator, slack: "U0CDUNCAN"},
				{name: "Rhona Cairns", role: core.RoleAdmin},
			},
		},
	}
	for i := range specs {
		specs[i].Phone = agencyPhone(101 + i*7)
		specs[i].Website, specs[i].Email = site(specs[i].Slug)
	}
	return specs
}

// staffEmail is "first.last@agency.example.org" — or @network.example.org
// for the network team, whose first coordinator is CoordinatorEmail.
func staffEmail(name, slug string) string {
	domain := slug
	if slug == slugTeam {
		domain = "network"
	}
	local := make([]byte, 0, len(name))
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			local = append(local, byte(r))
		case r >= 'A' && r <= 'Z':
			local = append(local, byte(r-'A'+'a'))
		case r == ' ':
			local = append(local, '.')
		}
	}
	return string(local) + "@" + domain + ".example.org"
}
