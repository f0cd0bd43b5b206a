package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// A published consent wording is never edited: clients agreed to those
// very words, and their records hold its hash. Each version's words, in
// every language, are pinned here by their SHA-256 (with the demo test's
// public URL); new words are a new version, added to the end of
// consentWordings and here.
func TestConsentWordingsAreNeverEdited(t *testing.T) {
	t.Parallel()
	pinned := map[string]string{
		"v1 en": "ceb367c411dd8d393703803761f6577d9c23eb2f69db69e9da4c079cd4baddcf",
		"v1 ar": "fc16b19232b5a0cd2893579dd2639bcf83367f3a95614425088803dc0ccf86fb",
		"v1 gd": "ab3328ee52928899576b565b58c3f620ba03bb5d87f91e726eaaeb8d47078650",
		"v1 pl": "ba8bd173449cc5d05a778157d9085dce176c395ae79aa13ad9c31efdcea12314",
		"v1 uk": "0b2e4b604c5aaf1972bc4994d783113ea3d3d55c9d0fad4f7848c756165d6a01",
		"v1 ur": "18768d46ee53ea5d5e26e384b9c017f52412a9f77aa657b3914740cea1ca7bcd",
		"v2 en": "b00c9c6e4965ab30af6efbdef6d553751f96e6fa6285b1bc407d63b719b2d04e",
		"v2 ar": "6896d5270697225254527205951f6d3c5c9da07d2f656692014155af322e11c0",
		"v2 gd": "5a30eab1126def56596a09e53434f3ba0219bb3567a8ecfa9ab168948f4c4857",
		"v2 pl": "18c81aadad6fed05dfc7d1611389f27d44493c73eecb41494e7766d47c1b25a7",
		"v2 uk": "9422d8667a57000bb65a0d66adfdc7b1d2e773b113847e6a8a68f6ad428c3937",
		"v2 ur": "01c66e7d100417ece91c4a9e9d1f05dae11ca9ed6e718e517c1445e0cceb5a06",
	}
	got := map[string]bool{}
	for _, w := range ConsentWordings("https://onward.example.org/") {
		key := w.Version + " " + w.Language
		got[key] = true
		sum := sha256.Sum256([]byte(w.Body))
		if want, ok := pinned[key]; !ok || hex.EncodeToString(sum[:]) != want {
			t.Errorf("%s: SHA-256 %x, pinned %q: a published wording's words changed, or a new one is not pinned yet:\n%s", key, sum, want, w.Body)
		}
	}
	for key := range pinned {
		if !got[key] {
			t.Errorf("%s is pinned but no longer published: a consent recorded with it could not be shown", key)
		}
	}
}
