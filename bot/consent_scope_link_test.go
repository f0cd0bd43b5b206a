package bot

import (
	"strings"
	"testing"
)

// TestConsentRefusalLinksToTheConsentForm: Slack has no way to record
// new consent, so its refusal names the staff web's form for the
// referral, by reference only; a refusal about no referral (the staff
// web's own, whose page links to the form) says the words alone.
func TestConsentRefusalLinksToTheConsentForm(t *testing.T) {
	t.Parallel()
	link := "https://onward.example/staff/referrals/ONW-ABCD-1234/consent"
	msg := say("eph.consent_scope", consentScopeWords{Agency: "Kingdom Housing Options", Link: link})
	if !strings.HasSuffix(msg, "record new consent first, on the staff web: "+link) {
		t.Errorf("the refusal does not end with the consent form's address: %q", msg)
	}
	plain := sayPlain("eph.consent_scope", consentScopeWords{Agency: "A & B"})
	if plain != "The client's consent does not cover sharing their details with A & B. Choose another agency, or ask the client and record new consent first." {
		t.Errorf("the refusal without a referral: %q", plain)
	}
}
