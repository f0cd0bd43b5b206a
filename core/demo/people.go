package demo

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/onward-network/onward/core"
)

// Invented names for demo clients. They are only ever stored encrypted.
var (
	firstNames = []string{"Morag", "Jamie", "Kayleigh", "Stuart", "Agnieszka", "Lewis", "Shannon", "Gordon",
		"Fatima", "Craig", "Nicola", "Darren", "Oksana", "Euan", "Lynsey", "Scott", "Maryam", "Ryan", "Carol",
		"Connor", "Wiktoria", "Sandra", "Kieran", "Jade", "Ahmed", "Brian", "Louise", "Mark", "Iryna", "Gary",
		"Ashleigh", "Martin", "Chloe", "Paul", "Aisha", "Steven", "Kerry", "Sean", "Margaret", "Tomasz"}
	lastNames = []string{"Baird", "Adamson", "Rennie", "Kidd", "Nicol", "Christie", "Smart", "Laing", "Petrie",
		"Mitchell", "Gilmour", "Cowan", "Bell", "Hunter", "Kowalska", "Ritchie", "Fyfe", "Sinclair", "Ferguson",
		"Tosh", "Gray", "Pirie", "Anderson", "Hendry", "Lindsay", "Whyte", "Drummond", "Shevchenko", "Robertson",
		"Ali", "Brown", "Thomson", "Mackie", "Wallace", "Grieve", "Napier", "Crichton", "Lamond", "Begg", "Reid"}
)

// person is a demo client: the same person may come back months later,
// and is then the same client (found by their phone's hash).
type person struct {
	details core.ClientDetails
	phone   core.Phone // "" for the few who give only an email
}

// ClientPhoneFirst and ClientPhoneLast bound the block of Ofcom's mobile
// range for drama (07700 900000–900999) that demo clients' phones come
// from: 07700 900500–900999. The phone simulator keeps the rest, so a
// number picked there is a stranger to Onward, not a seeded client whose
// language and area it already knows.
const (
	ClientPhoneFirst = 500
	ClientPhoneLast  = 999
)

// clientPhone is the number'th phone of the demo clients' block.
func clientPhone(number int) string {
	return fmt.Sprintf("07700 900%03d", ClientPhoneFirst+number%(ClientPhoneLast-ClientPhoneFirst+1))
}

// IsClientPhone says whether p is in the block demo clients' phones come
// from.
func IsClientPhone(p core.Phone) bool {
	suffix, ok := strings.CutPrefix(string(p), "+447700900")
	if !ok || len(suffix) != 3 {
		return false
	}
	n, err := strconv.Atoi(suffix)
	return err == nil && n >= ClientPhoneFirst && n <= ClientPhoneLast
}

// people makes demo clients with distinct phone numbers from the demo
// clients' block (ClientPhoneFirst to ClientPhoneLast).
type people struct {
	rng     *rand.Rand
	phones  []int
	made    []*person
	nextNum int
}

func newPeople(rng *rand.Rand) *people {
	phones := make([]int, 0, ClientPhoneLast-ClientPhoneFirst+1)
	for n := range ClientPhoneLast - ClientPhoneFirst + 1 {
		phones = append(phones, n)
	}
	rng.Shuffle(len(phones), func(i, j int) { phones[i], phones[j] = phones[j], phones[i] })
	return &people{rng: rng, phones: phones}
}

// pick returns a returning client now and then, else a new one.
func (p *people) pick() *person {
	if len(p.made) > 20 && p.rng.Float64() < 0.1 {
		return p.made[p.rng.IntN(len(p.made))]
	}
	np := p.newPerson()
	p.made = append(p.made, np)
	return np
}

var (
	contactTimes = []string{"morning", "afternoon", "afternoon", "any", "morning", "afternoon", "evening"}
	streetCodes  = "ABDEFGHJLNPQRSTUWXYZ"
)

func (p *people) newPerson() *person {
	r := p.rng
	first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
	d := pickDistrict(r)
	c := core.ClientDetails{Name: first + " " + last, District: d.District, Town: d.Town,
		ContactTime: contactTimes[r.IntN(len(contactTimes))]}
	if r.Float64() < 0.85 {
		c.Postcode = residentPostcode(d.District, r.IntN(10), r.IntN(len(streetCodes)), r.IntN(len(streetCodes)))
		c.District = ""
	}
	switch x := r.Float64(); {
	case x < 0.04:
		c.Language = "pl"
	case x < 0.07:
		c.Language = "uk"
	case x < 0.09:
		c.Language = "ar"
	default:
		c.Language = "en"
	}
	var ph core.Phone
	if r.Float64() < 0.93 && p.nextNum < len(p.phones) {
		c.Phone = clientPhone(p.phones[p.nextNum])
		p.nextNum++
		ph, _ = core.ParsePhone(c.Phone)
		c.PreferredContact = []string{"text", "text", "call"}[r.IntN(3)]
	}
	if c.Phone == "" || r.Float64() < 0.25 {
		c.Email = fmt.Sprintf("%s.%s%d@example.net", strings.ToLower(first), strings.ToLower(last), r.IntN(90)+10)
		if c.Phone == "" {
			c.PreferredContact = "email"
		}
	}
	return &person{details: c, phone: ph}
}

// pickDistrict chooses where a client lives, weighted by population.
func pickDistrict(r *rand.Rand) core.District {
	total := 0
	for _, w := range districtWeight {
		total += w
	}
	n := r.IntN(total)
	for _, d := range districts {
		n -= districtWeight[d.District]
		if n < 0 {
			return d
		}
	}
	return districts[0]
}
