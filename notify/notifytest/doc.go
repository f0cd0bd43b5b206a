// Package notifytest fakes the providers notify talks to at the HTTP layer:
// Twilio's Messages API (notify/twiliofake, the fake the dev phone
// simulator serves too) and Slack's chat.postMessage / chat.update, as
// httptest servers speaking each provider's wire format, so tests and the
// benchmarks drive the real twilio-go and slack-go clients. Each fake can
// be told to fail for a while (5xx, 429 with Retry-After, hanging past the
// client's timeout, or a provider error code) and records what it
// accepted.
package notifytest

// T is the part of testing.TB the fakes use: a test passes its *testing.T,
// the benchmark its own reporter.
type T interface {
	Errorf(format string, args ...any)
	Cleanup(func())
}
