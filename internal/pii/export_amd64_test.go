//go:build amd64 && !purego

package pii

var vectorSkipOnCPU = skipVector

// UseVectorSkip turns the vector skip on (where the CPU has it) or off and returns the
// previous setting. Off, the eight-byte skip stops at every capital: the reference for
// what the vector skip passes over.
func UseVectorSkip(on bool) bool {
	old := skipVector
	skipVector = on && vectorSkipOnCPU
	return old
}
