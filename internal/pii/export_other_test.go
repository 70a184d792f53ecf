//go:build !amd64 || purego

package pii

// UseVectorSkip does nothing: there is no vector skip on this platform.
func UseVectorSkip(bool) bool { return false }
