package pii

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math"
	"strings"
)

// Luhn reports whether a string of ASCII digits passes the Luhn checksum.
func Luhn(digits string) bool { return luhn([]byte(digits)) }

func luhn(digits []byte) bool {
	if len(digits) < 2 {
		return false
	}
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// Mod97 reports whether an IBAN-shaped string (country, check digits, BBAN; letters
// and digits only) passes the ISO 7064 mod-97-10 check.
func Mod97(s string) bool {
	if len(s) < 5 {
		return false
	}
	rem := 0
	add := func(c byte) bool {
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A'+10)) % 97
		case c >= 'a' && c <= 'z':
			rem = (rem*100 + int(c-'a'+10)) % 97
		default:
			return false
		}
		return true
	}
	for i := 4; i < len(s); i++ {
		if !add(s[i]) {
			return false
		}
	}
	for i := 0; i < 4; i++ {
		if !add(s[i]) {
			return false
		}
	}
	return rem == 1
}

// Entropy is the Shannon entropy of s in bits per byte.
func Entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	e := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			e -= p * math.Log2(p)
		}
	}
	return e
}

// validSSN applies the SSA rules Presidio uses to invalidate candidates: no area 000,
// 666 or 9xx, no group 00, no serial 0000, not one repeated digit, not a known sample.
func validSSN(b []byte) bool {
	if len(b) != 9 {
		return false
	}
	// Comparisons of string(b[…]) with constants read b in place.
	if b[0] == '9' || string(b[:3]) == "000" || string(b[:3]) == "666" || string(b[3:5]) == "00" || string(b[5:]) == "0000" {
		return false
	}
	repeated := true
	for _, c := range b[1:] {
		repeated = repeated && c == b[0]
	}
	if repeated {
		return false
	}
	switch string(b) {
	case "123456789", "078051120", "219099999", "457555462", "987654320":
		return false
	}
	return true
}

// cardIIN reports whether a card number of this length starts with an issuer prefix
// in use: Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro.
func cardIIN(d []byte) bool {
	n := len(d)
	p2 := int(d[0]-'0')*10 + int(d[1]-'0')
	p4 := p2*100 + int(d[2]-'0')*10 + int(d[3]-'0')
	switch {
	case d[0] == '4':
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		return n == 16
	case p2 == 34 || p2 == 37:
		return n == 15
	case p4 == 6011, p2 == 65, p4 >= 6440 && p4 <= 6499:
		return n >= 16 && n <= 19
	case p4 >= 3528 && p4 <= 3589:
		return n >= 16 && n <= 19
	case p2 == 36, p2 == 38, p2 == 39, p4 >= 3000 && p4 <= 3059:
		return n >= 14 && n <= 19
	case p2 == 62:
		return n >= 16 && n <= 19
	case p2 == 50, p2 >= 56 && p2 <= 69:
		return n >= 12 && n <= 19
	}
	return false
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

var base58Index = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base58Alphabet); i++ {
		t[base58Alphabet[i]] = int8(i)
	}
	return t
}()

// base58Check reports whether s is a Base58Check string of a Bitcoin P2PKH or P2SH
// address: 25 bytes, version 0x00 or 0x05, double-SHA-256 checksum.
func base58Check(s string) bool {
	var out [25]byte
	for i := 0; i < len(s); i++ {
		v := base58Index[s[i]]
		if v < 0 {
			return false
		}
		carry := int(v)
		for j := len(out) - 1; j >= 0; j-- {
			carry += int(out[j]) * 58
			out[j] = byte(carry)
			carry >>= 8
		}
		if carry != 0 {
			return false
		}
	}
	// Leading '1's encode leading zero bytes.
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	lead := 0
	for lead < len(out) && out[lead] == 0 {
		lead++
	}
	if lead != zeros {
		return false
	}
	if out[0] != 0x00 && out[0] != 0x05 {
		return false
	}
	h := sha256.Sum256(out[:21])
	h = sha256.Sum256(h[:])
	return h[0] == out[21] && h[1] == out[22] && h[2] == out[23] && h[3] == out[24]
}

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// bech32Valid reports whether s is a Bech32 or Bech32m string with human-readable part
// "bc" (Bitcoin segwit addresses), in one case.
func bech32Valid(s string) bool {
	lower := strings.ToLower(s)
	if lower != s && strings.ToUpper(s) != s {
		return false
	}
	sep := strings.LastIndexByte(lower, '1')
	if sep != 2 || lower[:2] != "bc" || len(lower)-sep-1 < 7 {
		return false
	}
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	step := func(v uint32) {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ v
		for i := 0; i < 5; i++ {
			if (top>>i)&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	hrp := lower[:sep]
	for i := 0; i < len(hrp); i++ {
		step(uint32(hrp[i]) >> 5)
	}
	step(0)
	for i := 0; i < len(hrp); i++ {
		step(uint32(hrp[i]) & 31)
	}
	for i := sep + 1; i < len(lower); i++ {
		v := strings.IndexByte(bech32Charset, lower[i])
		if v < 0 {
			return false
		}
		step(uint32(v))
	}
	return chk == 1 || chk == 0x2bc830a3
}

// jwtHeader reports whether the first segment of a JWT decodes (base64url) to a JSON
// object with an "alg" member, which tells a token from any dotted base64 blob.
func jwtHeader(seg string) bool {
	if len(seg) > 2048 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return false
	}
	var h map[string]json.RawMessage
	if json.Unmarshal(b, &h) != nil {
		return false
	}
	_, ok := h["alg"]
	return ok
}

// basicCredentials reports whether v is base64 of "user:password".
func basicCredentials(v string) bool {
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(v, "="))
		if err != nil {
			return false
		}
	}
	i := strings.IndexByte(string(b), ':')
	if i <= 0 || i == len(b)-1 {
		return false
	}
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}
