package core

import "testing"

// TestInterpreterLanguageChoicesReadApart: the picker's list names no
// language twice (Kurdish and Kurmanji, say), and every choice reads back
// to its own code.
func TestInterpreterLanguageChoicesReadApart(t *testing.T) {
	t.Parallel()
	names := map[string]string{}
	for _, c := range InterpreterLanguages() {
		if other, ok := names[c.Name]; ok {
			t.Errorf("%q names both %s and %s", c.Name, other, c.Code)
		}
		names[c.Name] = c.Code
	}
	if len(names) < 100 {
		t.Errorf("only %d languages to choose from", len(names))
	}
	for _, want := range []string{"Romanian", "Tigrinya", "Kurmanji", "British Sign Language"} {
		if _, ok := names[want]; !ok {
			t.Errorf("%s is not a choice", want)
		}
	}
}
