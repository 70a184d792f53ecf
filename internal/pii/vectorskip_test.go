package pii_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/otelcol-llm/otelcol-llm/internal/pii"
	"github.com/otelcol-llm/otelcol-llm/internal/pii/corpus"
)

// TestVectorSkipFindsTheSame: passing over capitalized words and short words of prose
// (the vector skip) finds exactly what stopping at every capital, digit and '(' finds,
// on the corpus with its words capitalized, credentials after "bearer"/"basic" in every
// case, short numbers and capitals and text beyond ASCII next to the values the
// detectors find, and every alignment of the 32-byte blocks, from the start of a text
// on.
func TestVectorSkipFindsTheSame(t *testing.T) {
	if !pii.UseVectorSkip(true) {
		t.Skip("no vector skip on this CPU")
	}
	s := pii.NewScanner(nil, nil)
	r := rand.New(rand.NewPCG(7, 11))
	var texts []string
	for _, smp := range corpus.Generate(20261128, 60, 600) {
		texts = append(texts, smp.Text, capitalize(smp.Text, r, 1), capitalize(smp.Text, r, 3))
	}
	for _, auth := range []string{"bearer", "Bearer", "BEARER", "basic", "Basic", "bAsIc"} {
		for _, cred := range []string{"Abcdefghijklmnopqrs", "Dxnlcjpwyxnzd29yza", "Zz", "Abc.Defghij.Klmnop", "I am", "Bea", "Basket",
			"Zmpkajpoekhu", // base64 of "fjdj:hzHn": Basic credentials the vector skip passes over but for their context
		} {
			for _, sep := range []string{" ", "\t", "\n", "(", `"`} {
				texts = append(texts, auth+sep+cred+" is the header", "then use "+auth+sep+cred+" for it, Sam, and \"Welcome Home\" too",
					"But I (Note: for Android) said\tHi. Because "+auth+" "+cred+sep+"Beautiful Basel, after Sam")
			}
		}
	}
	// Short numbers, capitals and '(' (SHORTWORDS) next to the values the detectors find.
	words := []string{
		"128", "EUR", "12", "2", "hours", "(ref", "(about", "EU", "km", "USD", "I", "at", "(", "x)", "the", "to", "SSN", "PIN",
		"4111 1111 1111 1111", "4111-1111-1111-1111", "+44 20 7946 0958", "(415) 555-2671", "415 555 2671", "536-22-1234",
		"536 22 1234", "536221234", "DE89 3704 0044 0532 0130 00", "203.0.113.42", "10 0 0 1", "2001:db8::1", "AKIAIOSFODNN7EXAMPLE",
		"john@example.com", "phone", "call", "bearer", "Basic", "KEY = Zx81kLm93QpR7sT2wQ", "PW: Zx81kLm93QpR7sT2wQ", "12:30",
		"1.2.3", "v1.2", "0044 20 7946 0958", "(0) 20 7946 0958", "4111", "1111", "EUR,", "EUR)", "(EUR)", "`code`", "`sk-x`",
		"café", "Müller", "“quoted”", "—", "…", "😀", "é@example.com", "josé@example.com", "Zürich 8001", "€12", "12 €",
		"**Note**", "# Title", "| a | b |", "[link](https://u:p@example.com/x)", "$API_KEY=Zx81kLm93QpR7sT2wQ", "#100234567", "R&D",
	}
	for range 400 {
		var b strings.Builder
		for k := range 6 + r.IntN(20) {
			if k > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[r.IntN(len(words))])
		}
		texts = append(texts, b.String())
	}
	checked, skipped := 0, 0
	for _, text := range texts {
		for pad := range 34 {
			in := text // a capitalized word may start it
			if pad > 0 {
				in = strings.Repeat("x", pad-1) + " " + text
			}
			pii.UseVectorSkip(false)
			want := s.Scan(in, nil)
			pii.UseVectorSkip(true)
			got := s.Scan(in, nil)
			if !slices.Equal(got, want) {
				t.Fatalf("Scan(%q): %v with the vector skip, %v without", in, got, want)
			}
			checked++
			if strings.ContainsAny(in, "ACDEFGHIJKLMNOPQRSTUVWXYZ") {
				skipped++
			}
		}
	}
	if skipped < checked/2 {
		t.Fatalf("only %d of %d texts have capitals", skipped, checked)
	}
}

// capitalize upper-cases the first letter of one word in every n.
func capitalize(text string, r *rand.Rand, n int) string {
	b := []byte(text)
	for i := range b {
		if (i == 0 || b[i-1] == ' ') && b[i] >= 'a' && b[i] <= 'z' && r.IntN(n) == 0 {
			b[i] -= 'a' - 'A'
		}
	}
	return string(b)
}
