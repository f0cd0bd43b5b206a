package demo

import (
	"math/rand/v2"

	"github.com/onward-network/onward/core"
)

// The words demo clients and staff write. Notes are personal data and are
// stored encrypted; feedback is seen by partner agencies, so it never
// names the client.

var notesByNeed = map[core.Need][]string{
	core.NeedDebt: {
		"Council tax arrears letter from the sheriff officers, worried about my wages being arrested.",
		"Behind on catalogue and credit card payments since my hours were cut.",
		"Got a court letter about a payday loan, don't know what to do.",
		"Rent arrears of about £900 and a notice from the housing association.",
		"Water and council tax arrears, partner left in the summer.",
	},
	core.NeedBenefits: {
		"Universal Credit stopped after I missed an appointment.",
		"Turned down for Adult Disability Payment, want to challenge it.",
		"Just been made redundant, not sure what I can claim.",
		"Mum is 78 and I think she should get Pension Credit.",
		"Sanctioned and have nothing until the next payment.",
	},
	core.NeedIncomeMax: {
		"Working but can't make ends meet, want a benefits check.",
		"Single parent, two kids, want to know if I am getting everything.",
		"Retired last month, income has dropped a lot.",
	},
	core.NeedHousing: {
		"Landlord has given me a notice to leave, two children.",
		"Damp and mould in the flat, landlord not doing repairs.",
		"Staying on a friend's sofa, need somewhere to live.",
		"Behind with the rent and scared of being evicted.",
	},
	core.NeedEmployability: {
		"Looking for work after being off sick for a year.",
		"Want help with a CV and applications, English is my second language.",
		"Problems at work with my sick pay.",
	},
	core.NeedHealth: {
		"GP suggested I get some support with stress and sleep.",
		"Want to stop smoking, tried before.",
		"Feeling low since losing my job, would like someone to talk to.",
	},
	core.NeedEducation: {
		"Would like English classes, evenings if possible.",
		"Want to learn to use a computer to apply for jobs.",
	},
	core.NeedFood: {
		"No food in the house until payday on Friday.",
		"Need a food parcel, three kids at home.",
		"Benefits delayed, need food this week.",
	},
	core.NeedFuel: {
		"Prepayment meter keeps running out, can't top up.",
		"Huge energy bill after a meter reading, can't pay it.",
		"Can't afford to put the heating on, asthma getting worse.",
	},
	core.NeedFamily: {
		"Caring for my husband full time and struggling.",
		"Need support for me and the children, things are difficult at home.",
		"Looking after my grandson and need some help.",
	},
	core.NeedOther: {
		"Not sure who to ask, lots going on.",
		"Need help filling in forms.",
	},
}

var crisisReasons = map[core.Need]string{
	core.NeedFood:    "no food today",
	core.NeedFuel:    "no gas or electricity",
	core.NeedHousing: "at risk of losing their home this week",
	core.NeedFamily:  "not safe at home",
	core.NeedHealth:  "feeling unable to cope",
}

// rejection is a coded reason with words a partner agency would write.
type rejection struct {
	reason   core.Reason
	feedback string
}

var rejections = []rejection{
	{core.ReasonNotEligible, "Client lives outside our area; the local Citizens Advice covers them."},
	{core.ReasonNotEligible, "Our service is for council tenants only and the client rents privately."},
	{core.ReasonNotEligible, "Client is already working with another adviser on this debt."},
	{core.ReasonNoCapacity, "Waiting list is closed this month; please try again in four weeks."},
	{core.ReasonNoCapacity, "No appointments free before the deadline on the letter."},
	{core.ReasonDuplicate, "Same client referred yesterday by text; we are already helping."},
	{core.ReasonInappropriate, "This is a housing emergency, not a money advice case: Housing Options should see it first."},
	{core.ReasonInappropriate, "Client needs specialist mental health support, which we cannot give."},
	{core.ReasonClientDeclined, "Client said on the phone that they no longer want help."},
	{core.ReasonClientDeclined, "Client decided to sort it with the creditor directly."},
	{core.ReasonOther, "Could not reach the client after three calls and a text."},
}

var redirectNotes = []string{
	"Better placed with a specialist service; passed on with the client's agreement.",
	"The main problem is not one we deal with; passing on.",
	"Client lives in their area and they can see them sooner.",
}

var cancelNotes = []string{
	"Client texted to say they no longer need help.",
	"Client has moved out of the area.",
	"Client sorted it out themselves.",
	"Referral made in error.",
}

var triageCancelNotes = []string{
	"Duplicate of an earlier text from the same client.",
	"Spoke to the client: they got help from their GP link worker.",
	"Could not reach the client after three tries.",
}

func pickOne[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }
