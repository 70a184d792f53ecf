package evaluate

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzPhraseFind checks find, with its two- and four-byte prefilters and its ASCII fast
// path, against the plain definition (try the trie at every character in the window that
// does not continue a word): the same verdict on any text, raw or JSON-escaped, at any
// window.
func FuzzPhraseFind(f *testing.F) {
	for _, s := range []string{
		"I'm sorry, but I can't help with that.", "I CAN’T  help with\tthat", "AI can't help without",
		"x", "ok", "Ok.", "I\u00a0can't help.", "İ can't help with", "no puedo ayudarte", "Não posso ajudar",
		"我无法帮助你", "お手伝いできません", "a  b", "sorry,\nbut i can't", "i",
		"Well, I'm sorry, but I can't help with that request today.", "I have to say 4 you: no.",
		"Hmm... no, 'tis not", "Absolutely!! I can't help with thisword", "ok0123456789abcdefOK x",
		"Sorry, so you can`t", "as  an AI language model, i can't", "NO@ [X]_Y", "ok  THEN", "A b\tc",
		"no PUEDO ayudarte", "ÇOK iyi", "L`anno", "L’ANNO", "I\x01 can't help.", "4 You", "sorry, but I can\u2019t",
	} {
		f.Add(s, 150)
		f.Add(s, -1)
	}
	// Phrases at either side of the 32-byte blocks and of the window's end, after words
	// that run into the next block.
	for _, pad := range []int{25, 26, 27, 28, 29, 30, 31, 32, 33, 58, 60, 62, 63, 64, 140, 143, 145, 146, 147, 148, 149, 150} {
		lead := strings.Repeat("wordy ", 30)[:pad]
		f.Add(lead+"I can't help with that, sorry; please ask the agency directly about it.", 150)
		f.Add(lead+"sorry, but I can’t", 150)
		f.Add(lead+"xi can't help with that and the rest of the answer runs on for a while longer", -1)
	}
	// Word starts only (the 32- and eight-byte paths), and a set with a phrase that starts with
	// punctuation (every byte looked at); with phrases too short for the four-byte
	// prefilter, and without.
	sets := []*phraseSet{
		newPhraseSet(append(defaultRefusalPhrases(), "x", "ok", "a b", "İstanbul", "4 you")),
		newPhraseSet(append(defaultRefusalPhrases(), "x", "’tis", "...no")),
		newPhraseSet(append(defaultRefusalPhrases(), "a b c", "İstanbul", "4 you", "no@ [x]_y", "çok iyi", "l’anno")),
		newPhraseSet(append(defaultRefusalPhrases(), "...no", "’tis not", "OK  then")),
	}
	if sets[0].nonWordStart || !sets[1].nonWordStart || sets[2].nonWordStart || !sets[3].nonWordStart ||
		!sets[0].noQuads || !sets[1].noQuads || sets[2].noQuads || sets[3].noQuads {
		f.Fatal("the phrase sets do not cover every path")
	}
	reference := func(p *phraseSet, raw string, window int) bool {
		prevWord := false
		for i, runes := 0, 0; i < len(raw) && runes != window; runes++ {
			r, n := foldedAt(raw, i)
			word := isWordRune(r)
			if !(prevWord && word) && p.matchAt(raw, i) {
				return true
			}
			prevWord = word
			i += n
		}
		return false
	}
	f.Fuzz(func(t *testing.T, s string, window int) {
		encoded, err := json.Marshal(s)
		if err != nil {
			t.Skip()
		}
		raw := string(encoded[1 : len(encoded)-1])
		for _, tx := range []text{{raw, strings.Contains(raw, `\`)}, {s, false}} {
			if strings.Contains(tx.raw, `\`) && !tx.escaped || strings.ContainsAny(tx.raw, "\"") && !tx.escaped {
				continue // not the raw content of a JSON string
			}
			for k, p := range sets {
				if got, want := p.find(tx, window), reference(p, tx.raw, window); got != want {
					t.Fatalf("set %d: find(%q, %d) = %v, want %v", k, tx.raw, window, got, want)
				}
			}
		}
	})
}

// TestPhraseFindShortPhrases: a phrase of one byte matches before any next byte, and the
// prefilter folds both bytes (case, whitespace) as the trie walk does.
func TestPhraseFindShortPhrases(t *testing.T) {
	p := newPhraseSet([]string{"x", "i can't help with", "no way"})
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"x marks the spot", true},
		{"X.", true},
		{"the x", true},
		{"I  CAN'T help with it", true},
		{"I\tcan't help with it", true},
		{"NO way", true},
		{"Nope, no", false},
		{"it can't help without", false},
	} {
		if got := p.find(text{raw: tc.text}, -1); got != tc.want {
			t.Errorf("find(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

// TestHighBits checks the gathering of the high bits of a word's bytes against the plain
// definition.
func TestHighBits(t *testing.T) {
	for m := range 256 {
		var x uint64
		for j := range 8 {
			if m>>j&1 != 0 {
				x |= 0x80 << (8 * j)
			}
		}
		if got := highBits(x); got != uint32(m) {
			t.Fatalf("highBits(%#x) = %#x, want %#x", x, got, m)
		}
	}
}
