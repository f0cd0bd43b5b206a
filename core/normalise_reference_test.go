package core

import "testing"

// A reference is read however it is typed, and a phone number or a name
// typed into a reference box is not taken for one.
func TestNormaliseReference(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		typed, want string
		ok          bool
	}{
		{"ONW-7K3M9PQ", "ONW-7K3M9PQ", true},
		{"onw 7k3m9pq", "ONW-7K3M9PQ", true},
		{"ONW7K3M9PQ", "ONW-7K3M9PQ", true},
		{"ONW–7K3M9PQ", "ONW-7K3M9PQ", true},             // an en dash
		{"ＯＮＷ－７Ｋ３Ｍ９ＰＱ", "ONW-7K3M9PQ", true},             // full-width
		{"\u200eONW-7K3M9PQ\u200e", "ONW-7K3M9PQ", true}, // direction marks around it
		{"7K3M9PQ", "ONW-7K3M9PQ", true},
		{"2345678", "ONW-2345678", true}, // seven digits can be a reference
		{"ONW-T00001", "ONW-T00001", true},
		{"07700 900123", "", false},
		{"07700900123", "", false},
		{"441234567890", "", false},
		{"+447700900123", "", false},
		{"Mrs Smith's", "", false},
		{"", "", false},
	} {
		got, ok := NormaliseReference(c.typed)
		if got != c.want || ok != c.ok {
			t.Errorf("NormaliseReference(%q) = %q, %v; want %q, %v", c.typed, got, ok, c.want, c.ok)
		}
	}
}

// Only "ONW-" and seven characters of the references' alphabet are
// shaped as Onward issues them; a name read as a reference is not.
func TestShapedAsIssued(t *testing.T) {
	t.Parallel()
	for ref, want := range map[string]bool{
		"ONW-7K3M9PQ":           true,
		RandomIDs{}.Reference(): true,
		"ONW-SMITH":             false, // five characters, and I is not in the alphabet
		"ONW-JOHNSMI":           false, // O and I are not
		"ONW-T00001":            false,
		"7K3M9PQ":               false,
		"ONW-7K3M9PQX":          false,
	} {
		if got := ShapedAsIssued(ref); got != want {
			t.Errorf("ShapedAsIssued(%q) = %v, want %v", ref, got, want)
		}
	}
}
