//go:build !amd64 || purego

package pii

// skipVector is false: skipBoring steps eight bytes at a time in Go.
const skipVector = false

func skipBoringVector(string, int) int { panic("pii: no vector skip on this platform") }
