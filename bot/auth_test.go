package bot

import (
	"bytes"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
)

func TestLoginTokensArePurposeBound(t *testing.T) {
	t.Parallel()
	a := newStaffAuth(testConfigForAuth(), fixedClock{coretest.Epoch}, rand.NewChaCha8([32]byte{}))
	login, _, _ := a.sign(purposeLogin, 3, loginLinkTTL)
	sess, _, _ := a.sign(purposeSession, 3, sessionTTL)
	if _, err := a.verify(purposeSession, login); err == nil {
		t.Errorf("a login token worked as a session")
	}
	if _, err := a.verify(purposeLogin, sess); err == nil {
		t.Errorf("a session token worked as a login link")
	}
	other := newStaffAuth(config.Config{SessionSecret: "another secret"}, fixedClock{coretest.Epoch}, rand.NewChaCha8([32]byte{}))
	if _, err := other.verify(purposeLogin, login); err == nil {
		t.Errorf("a token signed with another secret was accepted")
	}
	if _, err := LoginLink(config.Config{}, fixedClock{coretest.Epoch}, core.Staff{ID: 1}); err == nil {
		t.Errorf("a login link without a session secret")
	}
}

// The token is a standard HS256 JWT whose claims say who, for what, from
// whom and until when; its jti is the first 16 bytes of the injected
// random source.
func TestTokenClaims(t *testing.T) {
	t.Parallel()
	random := bytes.NewReader(bytes.Repeat([]byte{0xAB}, 16))
	a := newStaffAuth(testConfigForAuth(), fixedClock{coretest.Epoch}, random)
	tok, c, err := a.sign(purposeLogin, 42, loginLinkTTL)
	if err != nil {
		t.Fatal(err)
	}
	wantID := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xAB}, 16))
	if c.ID != wantID || c.Staff != 42 || !c.Expires.Equal(coretest.Epoch.Add(15*time.Minute)) {
		t.Errorf("claims %+v, want jti %s, staff 42, expiry 15 minutes on", c, wantID)
	}
	var rc jwt.RegisteredClaims
	parsed, err := jwt.ParseWithClaims(tok, &rc, func(*jwt.Token) (any, error) { return []byte(testSessionSecret), nil },
		jwt.WithTimeFunc(fixedClock{coretest.Epoch}.Now))
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Method.Alg() != "HS256" || rc.Issuer != "onward" || rc.Subject != "42" || rc.ID != wantID ||
		len(rc.Audience) != 1 || rc.Audience[0] != "onward-login" || !rc.IssuedAt.Equal(coretest.Epoch) {
		t.Errorf("token %s: alg %s, claims %+v", tok, parsed.Method.Alg(), rc)
	}
	// The random source ran dry: no token, rather than a guessable one.
	if _, _, err := a.sign(purposeLogin, 42, loginLinkTTL); err == nil {
		t.Errorf("signed a token with no randomness left")
	}
}

// Expiry has no leeway: a second before it the token works, at it the
// token is refused as expired.
func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	clock := coretest.NewClock()
	a := newStaffAuth(testConfigForAuth(), clock, rand.NewChaCha8([32]byte{}))
	tok, _, _ := a.sign(purposeLogin, 5, loginLinkTTL)
	clock.Advance(loginLinkTTL - time.Second)
	if _, err := a.verify(purposeLogin, tok); err != nil {
		t.Errorf("a second before expiry: %v", err)
	}
	clock.Advance(time.Second)
	if _, err := a.verify(purposeLogin, tok); !errors.Is(err, errTokenExpired) {
		t.Errorf("at expiry: %v, want expired", err)
	}
	// An expired token for another purpose is not valid, whatever its age.
	if _, err := a.verify(purposeSession, tok); !errors.Is(err, errTokenInvalid) {
		t.Errorf("expired login token as a session: %v, want invalid", err)
	}
}

// Only HS256 with our secret: the same claims signed with another HMAC
// algorithm, or with none, are refused.
func TestTokenAlgorithmsPinned(t *testing.T) {
	t.Parallel()
	a := newStaffAuth(testConfigForAuth(), fixedClock{coretest.Epoch}, rand.NewChaCha8([32]byte{}))
	rc := jwt.RegisteredClaims{Issuer: "onward", Subject: "9", Audience: jwt.ClaimStrings{purposeLogin}, ID: "x",
		IssuedAt: jwt.NewNumericDate(coretest.Epoch), ExpiresAt: jwt.NewNumericDate(coretest.Epoch.Add(time.Minute))}
	good, err := jwt.NewWithClaims(jwt.SigningMethodHS256, rc).SignedString([]byte(testSessionSecret))
	if err != nil {
		t.Fatal(err)
	}
	if c, err := a.verify(purposeLogin, good); err != nil || c.Staff != 9 {
		t.Fatalf("HS256 with our secret: %v %+v", err, c)
	}
	hs512, _ := jwt.NewWithClaims(jwt.SigningMethodHS512, rc).SignedString([]byte(testSessionSecret))
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, rc).SignedString(jwt.UnsafeAllowNoneSignatureType)
	noExp := rc
	noExp.ExpiresAt = nil
	forever, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, noExp).SignedString([]byte(testSessionSecret))
	for name, tok := range map[string]string{"HS512": hs512, "none": none, "no expiry": forever,
		"with a line break": good[:20] + "\n" + good[20:], "padded": good + "=="} {
		if _, err := a.verify(purposeLogin, tok); err == nil {
			t.Errorf("%s token accepted: %s", name, strings.ReplaceAll(tok, "\n", `\n`))
		}
	}
}
