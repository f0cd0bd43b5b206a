package core

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func TestCrypterRoundTripAndRotation(t *testing.T) {
	t.Parallel()
	oldC, err := NewCrypter(testKey(1), nil, []byte("hash-key"))
	if err != nil {
		t.Fatal(err)
	}
	ct, err := oldC.Encrypt("client.name", "Morag Baird")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, []byte("Morag")) {
		t.Fatal("ciphertext contains the plaintext")
	}
	ct2, _ := oldC.Encrypt("client.name", "Morag Baird")
	if bytes.Equal(ct, ct2) {
		t.Fatal("two encryptions of the same text are equal: nonce not random")
	}

	rotated, err := NewCrypter(testKey(2), [][]byte{testKey(1)}, []byte("hash-key"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := rotated.Decrypt("client.name", ct)
	if err != nil || got != "Morag Baird" {
		t.Fatalf("rotated Decrypt = %q, %v", got, err)
	}
	if !rotated.NeedsReencrypt(ct) {
		t.Error("old ciphertext not reported as needing re-encryption")
	}
	if !bytes.Equal(oldC.PhoneHash("+447700900123"), rotated.PhoneHash("+447700900123")) {
		t.Error("phone hash changed with key rotation despite a fixed hash key")
	}

	newOnly, _ := NewCrypter(testKey(2), nil, nil)
	if _, err := newOnly.Decrypt("client.name", ct); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Decrypt with unknown key: err = %v, want ErrDecrypt", err)
	}
	if _, err := oldC.Decrypt("client.phone", ct); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Decrypt as another field: err = %v, want ErrDecrypt", err)
	}
	ct[len(ct)-1] ^= 1
	if _, err := oldC.Decrypt("client.name", ct); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Decrypt of tampered data: err = %v, want ErrDecrypt", err)
	}
	if e, _ := oldC.Encrypt("client.email", ""); e != nil {
		t.Error("empty plaintext should store as nil")
	}
}

func TestCrypterRejectsBadKeys(t *testing.T) {
	t.Parallel()
	if _, err := NewCrypter([]byte("short"), nil, nil); err == nil || !strings.Contains(err.Error(), "32 bytes") {
		t.Errorf("short key: err = %v", err)
	}
}

// TestPhoneHashIsTheKeyedHMAC: the phone hash is HMAC-SHA-256 under the
// hash key of "phone:" and the number, the same on every call, from many
// goroutines at once (the hashers are reused between calls).
func TestPhoneHashIsTheKeyedHMAC(t *testing.T) {
	t.Parallel()
	c, err := NewCrypter(testKey(1), nil, []byte("hash-key"))
	if err != nil {
		t.Fatal(err)
	}
	want := func(p Phone) []byte {
		m := hmac.New(sha256.New, []byte("hash-key"))
		m.Write([]byte("phone:" + string(p)))
		return m.Sum(nil)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				p := Phone(fmt.Sprintf("+4477009%05d", g*1000+i%7))
				if got := c.PhoneHash(p); !bytes.Equal(got, want(p)) {
					t.Errorf("PhoneHash(%s) = %x, want %x", p, got, want(p))
					return
				}
			}
		})
	}
	wg.Wait()
}
