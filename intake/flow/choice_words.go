package flow

import (
	"slices"
	"strings"
	"unicode"
)

// A numbered choice is read by its number and by the words a client may
// text instead: its label, as the menu shows it, and its synonyms. A
// client who copies the menu's own words ("السكن" beside 4) is
// understood in every language, without each message file having to list
// its labels again among the synonyms.

// minStemRunes is the fewest letters a synonym's stem ("czynsz*", which
// reads "czynszu" and "czynszem") may have: a shorter one starts
// unrelated words.
const minStemRunes = 4

// arabic is the code of the language whose article choiceWords adds.
const arabic = "ar"

// choiceWords are the words that name one choice in language code, in
// the order they are read (of two choices' words that are the same, the
// first read wins): its label as the menu shows it, then its synonyms,
// and in Arabic each of those also with the definite article
// (arabicForms). A label with digits in it is left to its number.
func choiceWords(code, label string, synonyms []string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		p := newMatchPhrase(s)
		key := strings.Join(p.words, " ")
		if p.prefix {
			key += "*"
		}
		if !seen[key] || key == "" {
			seen[key] = true
			out = append(out, s)
		}
	}
	if l := strings.TrimSpace(label); l != "" && !strings.HasSuffix(l, "*") &&
		!strings.ContainsFunc(answerKey(l), unicode.IsDigit) && answerKey(l) != "" {
		add(l)
	}
	for _, s := range synonyms {
		add(s)
	}
	if code == arabic {
		for _, s := range slices.Clone(out) {
			for _, form := range arabicForms(s) {
				add(form)
			}
		}
	}
	return out
}

// arabicForms are an Arabic synonym's forms with the definite article,
// which Arabic writes joined to its word: "الديون" for "ديون", and the
// menu's labels all carry it. A phrase takes it on its last word ("بنك
// الطعام": a noun and the noun it belongs to) or on every word ("الصحة
// النفسية": a noun and its adjective). The first word may also carry the
// particles written joined to it: "و" (and: "وديون", "والسكن"), and
// before the article "ب" and "ل" (with, for: "بالسكن", "للسكن", where
// "ل" and "ال" are written "لل"). The forms are added to the synonyms
// rather than "ال" stripped from what a client writes, since in some
// words it is part of the root ("ألم", pain, often typed "الم"). A
// synonym in another script ("cv") or a stem has none.
func arabicForms(s string) []string {
	words := strings.Fields(s)
	if len(words) == 0 || strings.HasSuffix(s, "*") || !arabicScript(words[0]) {
		return nil
	}
	withArticle := func(w string) string {
		if strings.HasPrefix(w, "ال") {
			return w
		}
		return "ال" + w
	}
	last := slices.Clone(words)
	last[len(last)-1] = withArticle(last[len(last)-1])
	every := make([]string, len(words))
	for i, w := range words {
		every[i] = withArticle(w)
	}
	var out []string
	for _, v := range [][]string{words, last, every} {
		firsts := []string{v[0], "و" + v[0]}
		if strings.HasPrefix(v[0], "ال") {
			firsts = append(firsts, "ب"+v[0], "ل"+strings.TrimPrefix(v[0], "ا"))
		}
		for _, first := range firsts {
			out = append(out, strings.Join(append([]string{first}, v[1:]...), " "))
		}
	}
	return out
}

// arabicScript reports whether word starts with a letter of the Arabic
// script.
func arabicScript(word string) bool {
	for _, r := range word {
		return unicode.Is(unicode.Arabic, r)
	}
	return false
}
