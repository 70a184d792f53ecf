//go:build amd64 && !purego

package pii

import "golang.org/x/sys/cpu"

// skipVector says skipBoringVector may be called: the CPU has AVX2.
var skipVector = cpu.X86.HasAVX2

// skipBoringVector is skipBoring for texts of 32 bytes and more: it classifies 32
// bytes at a time, every boring byte alike, by two table lookups (VPSHUFB) on the low
// and the high four bits of each byte (skip_amd64.s). Where it can see four bytes before
// a block and two after it (all but the first four and the last two bytes of a text),
// it also passes over the capitals that start words of prose (capitalized) and the
// short words of prose that no detector looks at: numbers and capitals of one to three
// bytes ("128 EUR") and '(' before anything but a digit (SHORTWORDS; shortWord in
// scanner_test.go is its reference). In chat content they were half of the stops.
//
//go:noescape
func skipBoringVector(text string, i int) int
