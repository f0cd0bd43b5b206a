package notify

// The webhook client's pieces, for the tests of the connect-time rule.
var (
	RefuseNonPublic  = refuseNonPublic
	NewWebhookClient = newWebhookClient
)
