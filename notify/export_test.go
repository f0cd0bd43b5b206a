package notify

// The webhook client's pieces, for the tests of the connect-time rule.
var (
	RefuseNotPermitted = refuseNotPermitted
	NewWebhookClient   = newWebhookClient
)

// KindWords names a kind in the coordinators' alerts, for its table test.
var KindWords = kindWords
