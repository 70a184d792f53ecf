//go:build amd64 && !purego

package pii

import "golang.org/x/sys/cpu"

// skipVector says skipBoringVector may be called: the CPU has AVX2.
var skipVector = cpu.X86.HasAVX2

// skipBoringVector is skipBoring for texts of 32 bytes and more: it classifies 32
// bytes at a time, every boring byte alike, by two table lookups (VPSHUFB) on the low
// and the high four bits of each byte (skip_amd64.s), and where it can see two bytes after
// a block and four before it, the capitals that start words of prose (capitalized).
//
//go:noescape
func skipBoringVector(text string, i int) int
