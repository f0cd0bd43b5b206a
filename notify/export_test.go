package notify

// The webhook client's pieces, for the tests of the connect-time rule.
var (
	RefuseNotPermitted = refuseNotPermitted
	NewWebhookClient   = newWebhookClient
)
