package pii

// secretKeyNames are attribute and JSON key names whose values are credentials whatever
// they look like. A key matches when its last dot-separated segment ends with one of
// them, ignoring case: http.request.header.x-api-key, db_password, clientSecret.
var secretKeyNames = []string{
	"authorization", "api_key", "apikey", "api-key", "password", "passwd", "passphrase",
	"secret", "token", "cookie", "private_key", "privatekey", "private-key", "access_key",
	"accesskey", "access-key", "credentials", "credential", "session_key", "x-amz-security-token",
}

// secretKeyEnds is a bit set of the last two letters of secretKeyNames: most keys
// (role, content, gen_ai.request.model) are rejected by one lookup.
var secretKeyEnds = func() (t [1024]uint64) {
	for _, n := range secretKeyNames {
		i := endPair(n)
		t[i>>6] |= 1 << (i & 63)
	}
	return t
}()

// secretKeyPairs holds the last two letters of each of secretKeyNames, so that a key
// past the bit set is compared only with the names that end like it.
var secretKeyPairs = func() (p []uint16) {
	for _, n := range secretKeyNames {
		p = append(p, endPair(n))
	}
	return p
}()

// endPair is the last two bytes of s, with bit 5 set (lower case for letters), as one
// number.
func endPair(s string) uint16 {
	return uint16(s[len(s)-2]|0x20)<<8 | uint16(s[len(s)-1]|0x20)
}

// IsSecretKey reports whether the key (an attribute key or a JSON member name) names a
// secret, by the built-in names or the extra ones (lower case).
func IsSecretKey(key string, extra []string) bool {
	// The last two bytes of the key are those of its last segment: most keys are
	// rejected by them, before the segment is looked for.
	return (len(extra) > 0 || len(key) >= 2 && mayEndSecretKey(key)) && isSecretKey(key, extra)
}

// mayEndSecretKey reports whether key ends with the last two bytes of a built-in name.
func mayEndSecretKey(key string) bool {
	i := endPair(key)
	return secretKeyEnds[i>>6]&(1<<(i&63)) != 0
}

func isSecretKey(key string, extra []string) bool {
	seg := key
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '.' {
			seg = key[i+1:]
			break
		}
	}
	if len(seg) < 3 || len(seg) > 96 {
		return false
	}
	if i := endPair(seg); secretKeyEnds[i>>6]&(1<<(i&63)) != 0 {
		for k, n := range secretKeyNames {
			if secretKeyPairs[k] == i && hasSuffixFold(seg, n) {
				return true
			}
		}
	}
	for _, n := range extra {
		if hasSuffixFold(seg, n) {
			return true
		}
	}
	return false
}
