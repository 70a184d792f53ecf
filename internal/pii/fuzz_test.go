package pii

import (
	"slices"
	"testing"
)

// FuzzScan checks that any input is scanned without panic, that findings are in bounds,
// sorted and do not overlap and that the vector skip finds what the eight-byte one
// finds.
func FuzzScan(f *testing.F) {
	for _, s := range []string{
		"mail john@example.com or +44 20 7946 0958 card 4111 1111 1111 1111",
		"(415) 555-2671 536-22-1234 DE89 3704 0044 0532 0130 00 2001:db8::1",
		"https://u:p@h postgres://a:b@c -----BEGIN PRIVATE KEY-----",
		"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijkl api_key=Zx81kLm93QpR7sT2",
		"AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ghp_aZ09aZ09aZ09aZ09aZ09aZ09aZ09aZ09aZ09",
		"+++(((:::@@@ 00 0044",
		"Hello Sam, the Order is late. Use bearer Abcdefghijklmnopqrs or Basic Zmpkajpoekhu (Note: I am here)",
		"Refund 128 EUR (about 2 hours, EU rules) to 4111 1111 1111 1111 or call (415) 555-2671 at 12 34 56 78 90 in 3 days",
		"## Steps\n| card | **4111-1111-1111-1111** |\n[docs](https://user:pw@host/x) #536-22-1234 $KEY=Zx81kLm93QpR7sT2 café 😀",
	} {
		f.Add(s)
	}
	s := NewScanner(nil, nil)
	f.Fuzz(func(t *testing.T, text string) {
		fs := s.Scan(text, nil)
		last := 0
		for _, fd := range fs {
			if fd.Start < last || fd.End <= fd.Start || fd.End > len(text) {
				t.Fatalf("bad finding %+v (previous end %d) in %q", fd, last, text)
			}
			last = fd.End
		}
		if UseVectorSkip(false) {
			words := s.Scan(text, nil)
			UseVectorSkip(true)
			if !slices.Equal(fs, words) {
				t.Fatalf("Scan(%q) = %v with the vector skip, %v without", text, fs, words)
			}
		}
	})
}
