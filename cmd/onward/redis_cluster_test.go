package main

import (
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest/localserver"
)

// TestSMSConversationOnRedisCluster runs serve's SMS webhook on a Redis
// named by a redis+cluster:// URL, three private masters sharing the hash
// slots. A text's Redis scripts touch several keys at once, which a
// Cluster allows only within one slot: the conversation must carry on
// from text to text, and Twilio's retry of a text get its first answer,
// rather than the apology a refused script leads to.
func TestSMSConversationOnRedisCluster(t *testing.T) {
	nodes := localserver.StartCluster(t, 3)
	p := newSMSPhone(t, localserver.ClusterURL(nodes))

	if got := p.text("Hi"); !strings.Contains(got, "Hello from") {
		t.Fatalf("greeting: %s", got)
	}
	sid := p.newSID()
	next := p.textSID(sid, "1")
	if !strings.Contains(next, "What do you need help with?") {
		t.Fatalf("want the next question (the needs): %s", next)
	}
	if again := p.textSID(sid, "1"); again != next {
		t.Fatalf("Twilio's retry got %s, the first delivery %s", again, next)
	}
	if got := p.text("1 3"); strings.Contains(got, "Hello from") || strings.Contains(got, "What do you need help with?") {
		t.Fatalf("the answer to the needs question did not move the conversation on: %s", got)
	}
}
