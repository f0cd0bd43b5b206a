package web

// The pages of the self-referral's questions as the flow file names them,
// for tests that walk the form like a client.
const (
	pathNeeds    = "/refer/needs"
	pathPostcode = "/refer/postcode"
	pathTown     = "/refer/town"
	pathFood     = "/refer/money-today"
	pathHome     = "/refer/home"
	pathName     = "/refer/name"
	pathContact  = "/refer/contact"
	pathMethod   = "/refer/contact-method"
	pathTime     = "/refer/contact-time"
	pathConsent  = "/refer/consent"
)

// formSteps are the questions a client with a postcode answers, in order.
var formSteps = []string{pathNeeds, pathPostcode, pathFood, pathHome, pathName, pathContact, pathMethod, pathTime, pathConsent}
