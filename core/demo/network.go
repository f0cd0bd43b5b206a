package demo

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
)

const (
	networkName = "Kingdom Advice Network"
	// helpline is in Ofcom's freephone range for drama (0808 157 0000–0999).
	helpline     = "0808 157 0192"
	openingHours = "Monday to Friday, 9am to 5pm"
	crisisLines  = "If you are in danger now, call 999. Samaritans: 116 123, free, day or night. NHS 24: 111. Breathing Space: 0800 83 85 87, evenings and weekends."
	// dataController and the data protection officer's address and
	// phone (also in the drama range) are what the privacy notice names.
	dataController      = "Kingdom Advice Network SCIO"
	dataProtectionEmail = "dpo@kingdom-advice.example.org"
	dataProtectionPhone = "0808 157 0193"
)

// crisisLinesTranslations are crisisLines in the other languages clients
// may choose, so a client in crisis reads every number in their own.
var crisisLinesTranslations = map[string]string{
	"pl": "Jeśli grozi Ci niebezpieczeństwo, dzwoń pod 999. Samaritans: 116 123, bezpłatnie, całą dobę. NHS 24: 111. " +
		"Breathing Space: 0800 83 85 87, wieczorami i w weekendy.",
	"uk": "Якщо Вам зараз загрожує небезпека, телефонуйте 999. Samaritans: 116 123, безкоштовно, цілодобово. NHS 24: 111. " +
		"Breathing Space: 0800 83 85 87, увечері та у вихідні.",
	"ar": "إذا كنت في خطر الآن، اتصل بـ 999. Samaritans مجانًا ليلًا أو نهارًا: 116 123. NHS 24: 111. " +
		"Breathing Space في المساء وعطلات نهاية الأسبوع: 0800 83 85 87.",
	"ur": "اگر ابھی خطرے میں ہیں تو 999 پر فون کریں۔ Samaritans، مفت، دن ہو یا رات: 116 123۔ NHS 24: 111۔ " +
		"Breathing Space، شام کو اور ہفتے کے آخر میں: 0800 83 85 87۔",
	"gd": "Ma tha sibh ann an cunnart an-dràsta, cuiribh fòn gu 999. Samaritans: 116 123, an-asgaidh, a latha 's a dh'oidhche. " +
		"NHS 24: 111. Breathing Space: 0800 83 85 87, feasgar agus aig an deireadh-sheachdain.",
}

// openingHoursTranslations are openingHours in the other languages
// clients may choose, so a client texting POMOC or reading the Polish
// pages is told the hours in Polish.
var openingHoursTranslations = map[string]string{
	"pl": "od poniedziałku do piątku, 9:00–17:00",
	"uk": "з понеділка по п’ятницю, з 9:00 до 17:00",
	"ar": "من الاثنين إلى الجمعة، من 9 صباحًا إلى 5 مساءً",
	"ur": "پیر سے جمعہ، صبح 9 بجے سے شام 5 بجے تک",
	"gd": "Diluain gu Dihaoine, 9 sa mhadainn gu 5 feasgar",
}

// consentWordings are every version of the words demo clients agree to,
// oldest first; the last is the one asked now (consentVersion). Each
// gives who sees their details, why, and how to withdraw, in English and
// in the other languages clients may choose. The data sharing protocol's
// link is added once where clients read them, so the English consent
// question fits in three SMS parts. A version's words never change once
// published: a client who agreed to v1 is shown v1's words, and new
// words are a new version. {phone} is the helpline, {keyword} the
// withdraw keyword (withdrawKeyword), {withdraw} the withdrawal page's
// address (withdrawPage).
var consentWordings = []struct {
	version string
	words   map[string]string // by language code, "en" the network's own
}{
	{"v1", map[string]string{
		"en": "Kingdom Advice Network is a group of local advice agencies. " +
			"To help you, we will share your name, contact details and what you told us with the agencies " +
			"that can help, and only for that. You can change your mind at any time: call {phone} or tell the agency helping you.",
		"pl": "Kingdom Advice Network to grupa lokalnych poradni. Aby Ci pomóc, przekażemy Twoje imię, dane kontaktowe " +
			"i to, co nam powiesz, poradniom, które mogą pomóc, i tylko w tym celu. Zgodę możesz wycofać w każdej chwili: " +
			"zadzwoń pod {phone} lub powiedz poradni, która Ci pomaga.",
		"uk": "Kingdom Advice Network — це група місцевих консультаційних служб. Щоб допомогти Вам, ми передамо Ваше ім'я, " +
			"контактні дані та те, що Ви нам розповіли, службам, які можуть допомогти, і лише для цього. Ви можете будь-коли " +
			"передумати: телефонуйте {phone} або скажіть службі, яка Вам допомагає.",
		"ar": "Kingdom Advice Network مجموعة من مراكز الاستشارة المحلية. لمساعدتك، سنشارك اسمك وبيانات الاتصال بك وما أخبرتنا به " +
			"مع المراكز التي يمكنها المساعدة، ولهذا الغرض فقط. يمكنك تغيير رأيك في أي وقت: اتصل على {phone} أو أخبر المركز الذي يساعدك.",
		"ur": "Kingdom Advice Network مقامی مشاورتی اداروں کا ایک گروپ ہے۔ آپ کی مدد کے لیے ہم آپ کا نام، رابطے کی تفصیلات اور جو " +
			"کچھ آپ نے ہمیں بتایا ہے، ان اداروں کو دیں گے جو مدد کر سکتے ہیں، اور صرف اسی کام کے لیے۔ آپ کسی بھی وقت اپنا فیصلہ بدل " +
			"سکتے ہیں: {phone} پر فون کریں یا اس ادارے کو بتائیں جو آپ کی مدد کر رہا ہے۔",
		"gd": "'S e buidheann de bhuidhnean comhairle ionadail a th' ann an Kingdom Advice Network. Airson ur cuideachadh, " +
			"roinnidh sinn ur n-ainm, ur fiosrachadh conaltraidh agus na dh'innis sibh dhuinn leis na buidhnean as urrainn " +
			"cuideachadh, agus airson sin a-mhàin. Faodaidh sibh ur n-inntinn atharrachadh uair sam bith: cuiribh fòn gu {phone} " +
			"no innsibh don bhuidheann a tha gur cuideachadh.",
	}},
	// v2 adds withdrawing by text (each language's own withdraw word,
	// which the conversation reads in every language) and on the
	// withdrawal page, as the privacy notice offers them. It names no
	// number to text: clients text Onward's SMS number (the deployment's
	// ONWARD_TWILIO_FROM), not the helpline, a freephone number that
	// takes no texts.
	{"v2", map[string]string{
		"en": "Kingdom Advice Network is a group of local advice agencies. " +
			"To help you, we will share your name, contact details and what you told us with the agencies " +
			"that can help, and only for that. You can change your mind at any time: reply {keyword} to our texts, " +
			"go to {withdraw}, call {phone} or tell the agency helping you.",
		"pl": "Kingdom Advice Network to grupa lokalnych poradni. Twoje imię, kontakt i to, co powiesz, przekażemy " +
			"poradniom, które mogą pomóc, tylko w tym celu. Zgodę wycofasz, kiedy chcesz: odpisz nam WYCOFAJ, " +
			"użyj {withdraw}, zadzwoń pod {phone} albo powiedz poradni, która Ci pomaga.",
		"uk": "Kingdom Advice Network — група місцевих консультаційних служб. Ваше ім'я, контакти й розказане Вами " +
			"ми передамо службам, що можуть допомогти, лише для цього. Передумали? Відпишіть нам ВІДКЛИКАТИ, " +
			"відкрийте {withdraw}, телефонуйте {phone} чи скажіть службі, що Вам допомагає.",
		"ar": "Kingdom Advice Network مجموعة من مراكز الاستشارة المحلية. سنشارك اسمك وبيانات الاتصال بك وما أخبرتنا به " +
			"مع المراكز التي يمكنها مساعدتك، ولهذا الغرض فقط. يمكنك تغيير رأيك في أي وقت: رد على رسائلنا بـ«سحب الموافقة»، " +
			"أو ادخل {withdraw}، أو اتصل على {phone}، أو أخبر المركز الذي يساعدك.",
		"ur": "Kingdom Advice Network مقامی مشاورتی اداروں کا گروپ ہے۔ آپ کا نام، رابطہ اور آپ کی بات، ہم صرف آپ کی " +
			"مدد کے لیے ان اداروں کو دیں گے جو مدد کر سکتے ہیں۔ فیصلہ کبھی بھی بدل سکتے ہیں: ہمیں “اجازت واپس” لکھ کر " +
			"جواب دیں، {withdraw} کھولیں، {phone} پر فون کریں، یا اپنے ادارے کو بتائیں۔",
		"gd": "'S e buidheann de bhuidhnean comhairle ionadail a th' ann an Kingdom Advice Network. Airson ur cuideachadh, " +
			"roinnidh sinn ur n-ainm, ur fiosrachadh conaltraidh agus na dh'innis sibh dhuinn leis na buidhnean as urrainn " +
			"cuideachadh, agus airson sin a-mhàin. Faodaidh sibh ur n-inntinn atharrachadh uair sam bith: freagairibh " +
			"TARRAING AIR AIS do theacsa againn, rachaibh gu {withdraw}, cuiribh fòn gu {phone}, no innsibh don bhuidheann " +
			"a tha gur cuideachadh.",
	}},
}

// consentVersion is the consent wording version demo clients agree to:
// the last of consentWordings.
var consentVersion = consentWordings[len(consentWordings)-1].version

// withdrawKeyword is the word the demo network's clients text to
// withdraw consent, as its English wording gives it: the schema's
// default, which the demo keeps. The translations give each language's
// own withdraw word, which the conversation reads too.
const withdrawKeyword = "WITHDRAW"

// withdrawPage is the address of Onward's withdrawal page under base, as
// a client types it: without the "https://" every browser adds itself.
func withdrawPage(base string) string {
	page := base + "/withdraw"
	for _, scheme := range []string{"https://", "http://"} {
		if rest, ok := strings.CutPrefix(page, scheme); ok {
			return rest
		}
	}
	return page
}

// ConsentWordings are the demo network's consent wordings as it
// publishes them for Onward served at publicURL: every version of
// consentWordings in every language, oldest version first and each
// version's English before its translations. The last version is the
// one clients agree to now.
func ConsentWordings(publicURL string) []core.ConsentWording {
	fill := strings.NewReplacer("{phone}", helpline, "{keyword}", withdrawKeyword,
		"{withdraw}", withdrawPage(strings.TrimRight(publicURL, "/"))).Replace
	var out []core.ConsentWording
	for _, v := range consentWordings {
		out = append(out, core.ConsentWording{Version: v.version, Language: "en", Body: fill(v.words["en"])})
		for _, code := range slices.Sorted(maps.Keys(v.words)) {
			if code != "en" {
				out = append(out, core.ConsentWording{Version: v.version, Language: code, Body: fill(v.words[code])})
			}
		}
	}
	return out
}

// publishConsentWordings publishes ConsentWordings for Onward served at
// base, the last version made current. A version already there with the
// same words is left as it is.
func publishConsentWordings(ctx context.Context, eng *core.Engine, db core.DB, base string) error {
	for _, w := range ConsentWordings(base) {
		var err error
		if w.Language == "en" {
			err = eng.PublishConsentWording(ctx, db, w.Version, w.Body)
		} else {
			err = eng.PublishConsentTranslation(ctx, db, w.Version, w.Language, w.Body)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// network is the seeded network as the history needs it.
type network struct {
	agencies     map[string]core.Agency // by slug
	byID         map[core.AgencyID]core.Agency
	advisers     map[core.AgencyID][]core.Staff
	coordinators []core.Staff
	team         core.AgencyID
	leaflets     []string
}

const sqlInsertLeaflet = `INSERT INTO leaflets (code, campaign, area, created_at) VALUES ($1, $2, $3, $4)`

// seedNetwork writes the settings, consent wording, area, calendar,
// leaflets, agencies, services and staff in one transaction.
func seedNetwork(ctx context.Context, eng *core.Engine, pool *pgxpool.Pool, opts Options, start time.Time) (*network, error) {
	base := strings.TrimRight(opts.PublicURL, "/")
	if base == "" {
		base = "http://localhost:8080"
	}
	now := eng.Clock().Now()
	err := eng.ChangeSettings(ctx, func(tx pgx.Tx) error {
		if err := eng.SetNetwork(ctx, tx, core.NetworkSettings{Name: networkName, Phone: helpline,
			OpeningHours: openingHours, OpeningHoursTranslations: openingHoursTranslations, CrisisLines: crisisLines, CrisisLinesTranslations: crisisLinesTranslations,
			DirectoryURL: base + "/directory", DataSharingURL: base + "/data-sharing", Timezone: "Europe/London",
			DataController: dataController, DataProtectionEmail: dataProtectionEmail, DataProtectionPhone: dataProtectionPhone}); err != nil {
			return err
		}
		if err := publishConsentWordings(ctx, eng, tx, base); err != nil {
			return err
		}
		for _, d := range districts {
			if err := eng.AddDistrict(ctx, tx, d); err != nil {
				return err
			}
		}
		for y := start.Year(); y <= opts.Now.Year()+1; y++ {
			for _, h := range scottishBankHolidays(y) {
				if err := eng.AddBankHoliday(ctx, tx, h.day, h.name); err != nil {
					return err
				}
			}
		}
		// Core has no API for leaflets yet: they are plain rows.
		for _, l := range leaflets(start.Year()) {
			if _, err := tx.Exec(ctx, sqlInsertLeaflet, l.code, l.campaign, l.area, now); err != nil {
				return fmt.Errorf("add leaflet %s: %w", l.code, err)
			}
		}
		for _, a := range directory() {
			id, err := eng.AddAgency(ctx, tx, a.NewAgency)
			if err != nil {
				return err
			}
			for _, s := range a.services {
				ns := core.NewService{AgencyID: id, Name: s.name, Description: s.description, Needs: s.needs,
					Eligibility: s.eligibility, PostcodeDistricts: s.districts, Languages: s.languages, OpeningHours: s.hours}
				if len(s.districts) == 0 {
					ns.CouncilAreas = []string{CouncilArea}
				}
				if _, err := eng.AddService(ctx, tx, ns); err != nil {
					return err
				}
			}
			for _, st := range a.staff {
				if _, err := eng.AddStaff(ctx, tx, core.NewStaff{AgencyID: id, Name: st.name, Role: st.role,
					Email: staffEmail(st.name, a.Slug), SlackUserID: st.slack}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	n := &network{agencies: map[string]core.Agency{}, byID: map[core.AgencyID]core.Agency{}, advisers: map[core.AgencyID][]core.Staff{}}
	as, err := eng.Agencies(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		n.agencies[a.Slug], n.byID[a.ID] = a, a
	}
	n.team = n.agencies[slugTeam].ID
	staff, err := eng.ListStaff(ctx, 0)
	if err != nil {
		return nil, err
	}
	for _, s := range staff {
		if s.Role == core.RoleCoordinator {
			n.coordinators = append(n.coordinators, s)
		} else if s.Role == core.RoleAdviser {
			n.advisers[s.AgencyID] = append(n.advisers[s.AgencyID], s)
		}
	}
	for _, l := range leaflets(start.Year()) {
		n.leaflets = append(n.leaflets, l.code)
	}
	return n, nil
}
