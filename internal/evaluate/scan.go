package evaluate

import (
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting the scanner follows. Deeper JSON is treated as invalid: no
// message list or tool call argument nests that far, and the bound keeps hostile input
// from growing the stack.
const maxDepth = 512

// scanner reads JSON text in place. Strings come back as their raw bytes between the
// quotes (escapes kept), so that reading gen_ai.output.messages, which the evaluators do
// on every call, allocates nothing. Every method validates what it consumes; after the
// first error the scanner stays failed and every method is a no-op.
type scanner struct {
	s     string
	i     int
	depth int
	bad   bool
}

func (sc *scanner) fail() bool {
	sc.bad = true
	return false
}

func (sc *scanner) ws() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (sc *scanner) peek() byte {
	sc.ws()
	if sc.bad || sc.i >= len(sc.s) {
		return 0
	}
	return sc.s[sc.i]
}

// end reports whether only whitespace remains.
func (sc *scanner) end() bool {
	sc.ws()
	return !sc.bad && sc.i == len(sc.s)
}

// open consumes the opening bracket c ('{' or '[').
func (sc *scanner) open(c byte) bool {
	if sc.peek() != c {
		return sc.fail()
	}
	sc.i++
	if sc.depth++; sc.depth > maxDepth {
		return sc.fail()
	}
	return true
}

// more reports whether the array or object opened with open has another element,
// consuming the comma before it, or the closing bracket after the last one. n counts the
// elements seen so far and must start at zero.
func (sc *scanner) more(closing byte, n *int) bool {
	c := sc.peek()
	switch {
	case sc.bad:
		return false
	case c == closing:
		sc.i++
		sc.depth--
		return false
	case *n > 0 && c != ',':
		return sc.fail()
	case *n > 0:
		sc.i++ // a closing bracket after the comma fails in the element's reader
	}
	*n++
	return true
}

// key reads an object member's name and the colon after it.
func (sc *scanner) key() (raw string, escaped bool) {
	raw, escaped = sc.str()
	if sc.peek() != ':' {
		sc.fail()
		return "", false
	}
	sc.i++
	return raw, escaped
}

// str reads a string and returns its raw content, and whether it holds escapes. Strings
// hold most of the text the evaluators read, an answer hundreds of bytes long: past the
// first 16 bytes, the quote and the backslashes are found by strings.IndexByte (vector
// instructions), and only the bytes between them are checked for control characters,
// 32 at a time.
func (sc *scanner) str() (raw string, escaped bool) {
	if sc.peek() != '"' {
		sc.fail()
		return "", false
	}
	s, start := sc.s, sc.i+1
	i := start
	// Keys and most values end within 16 bytes, found a word at a time without a call.
	for ; i+8 <= len(s) && i < start+16; i += 8 {
		if m := specials(load64(s, i)); m != 0 {
			if i += bits.TrailingZeros64(m) / 8; s[i] == '"' {
				sc.i = i + 1
				return s[start:i], false
			}
			break // an escape or a control character
		}
	}
	quote := -1 // the next quote at or after i, escaped or not
	for {
		if quote < i {
			if quote = strings.IndexByte(s[i:], '"'); quote < 0 {
				sc.fail()
				return "", false
			}
			quote += i
		}
		end := quote
		if b := strings.IndexByte(s[i:quote], '\\'); b >= 0 {
			end = i + b
		}
		if c := controlBefore(s, i, end); c < end {
			sc.fail()
			return "", false
		}
		if end == quote {
			sc.i = quote + 1
			return s[start:quote], escaped
		}
		escaped = true
		n := escapeLen(s[end:])
		if n == 0 {
			sc.fail()
			return "", false
		}
		i = end + n
	}
}

// controlBefore returns the index of the first byte below 0x20 in s[i:end], or end.
func controlBefore(s string, i, end int) int {
	t := s[i:end] // slid forward: its lengths prove the loads in bounds
	for len(t) >= 32 {
		a, b, c, d := load64(t, 0), load64(t, 8), load64(t, 16), load64(t, 24)
		// A byte below 0x20 sets its high bit (a borrow may set more).
		if ((a-ones*0x20)&^a|(b-ones*0x20)&^b|(c-ones*0x20)&^c|(d-ones*0x20)&^d)&highs != 0 {
			break
		}
		t = t[32:]
	}
	for len(t) >= 8 && controls(load64(t, 0)) == 0 {
		t = t[8:]
	}
	i = end - len(t)
	// Fewer than eight bytes left: the last eight, even if that reads back over bytes
	// checked before, whose control characters (whitespace between tokens) only send this
	// to the byte loop.
	if len(t) < 8 && end >= 8 && controls(load64(s, end-8)) == 0 {
		return end
	}
	for ; i < end; i++ {
		if s[i] < 0x20 {
			return i
		}
	}
	return end
}

// controls is non-zero when a byte of x is below 0x20 (its high bit is set).
func controls(x uint64) uint64 { return (x - ones*0x20) &^ x & highs }

// specials sets the high bit of the first byte of x that ends a string, starts an escape
// or is a control character (and may set those of bytes after it: the first is exact).
func specials(x uint64) uint64 {
	q, b := x^(ones*'"'), x^(ones*'\\')
	return ((q-ones)&^q | (b-ones)&^b | (x-ones*0x20)&^x) & highs
}

// load32 reads the four bytes of s at i as a little-endian word (one load).
func load32(s string, i int) uint32 {
	w := s[i : i+4]
	return uint32(w[0]) | uint32(w[1])<<8 | uint32(w[2])<<16 | uint32(w[3])<<24
}

// load64 reads the eight bytes of s at i as a little-endian word (one load).
func load64(s string, i int) uint64 {
	w := s[i : i+8]
	return uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
}

// escapeLen returns the length of the escape sequence that s starts with, or 0 when it
// is not a valid one.
func escapeLen(s string) int {
	if len(s) < 2 {
		return 0
	}
	switch s[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if len(s) >= 6 && isHex(s[2]) && isHex(s[3]) && isHex(s[4]) && isHex(s[5]) {
			return 6
		}
	}
	return 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// value skips one value and returns its raw text.
func (sc *scanner) value() string {
	c := sc.peek()
	start := sc.i
	switch {
	case sc.bad:
		return ""
	case c == '"':
		sc.str()
	case c == '{':
		sc.open('{')
		for n := 0; sc.more('}', &n); {
			sc.key()
			sc.value()
		}
	case c == '[':
		sc.open('[')
		for n := 0; sc.more(']', &n); {
			sc.value()
		}
	case c == 't':
		sc.literal("true")
	case c == 'f':
		sc.literal("false")
	case c == 'n':
		sc.literal("null")
	default:
		sc.number()
	}
	if sc.bad {
		return ""
	}
	return sc.s[start:sc.i]
}

func (sc *scanner) literal(lit string) {
	if len(sc.s)-sc.i < len(lit) || sc.s[sc.i:sc.i+len(lit)] != lit {
		sc.fail()
		return
	}
	sc.i += len(lit)
}

// number consumes a number as RFC 8259 spells it.
func (sc *scanner) number() {
	s, i := sc.s, sc.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = digits(s, i)
	default:
		sc.fail()
		return
	}
	if i < len(s) && s[i] == '.' {
		if j := digits(s, i+1); j > i+1 {
			i = j
		} else {
			sc.fail()
			return
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if j := digits(s, i); j > i {
			i = j
		} else {
			sc.fail()
			return
		}
	}
	sc.i = i
}

func digits(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// isInteger reports whether a valid JSON number has an integral value (JSON Schema counts
// 1.0 as an integer).
func isInteger(num string) bool {
	for i := 0; i < len(num); i++ {
		if c := num[i]; c == '.' || c == 'e' || c == 'E' {
			f, err := strconv.ParseFloat(num, 64)
			return err == nil && f == float64(int64(f))
		}
	}
	return true
}

// decodeRune decodes the rune at raw[i] of a string's raw content that str validated,
// resolving escapes. Lone surrogates become U+FFFD, as encoding/json decodes them.
func decodeRune(raw string, i int) (r rune, size int) {
	if raw[i] != '\\' {
		return utf8.DecodeRuneInString(raw[i:])
	}
	switch raw[i+1] {
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	case 'n':
		return '\n', 2
	case 'r':
		return '\r', 2
	case 't':
		return '\t', 2
	case 'u':
		r = hex4(raw[i+2 : i+6])
		if utf16.IsSurrogate(r) {
			if i+12 <= len(raw) && raw[i+6] == '\\' && raw[i+7] == 'u' {
				if pair := utf16.DecodeRune(r, hex4(raw[i+8:i+12])); pair != utf8.RuneError {
					return pair, 12
				}
			}
			return utf8.RuneError, 6
		}
		return r, 6
	}
	return rune(raw[i+1]), 2 // '"', '\\', '/'
}

func hex4(h string) rune {
	var r rune
	for i := 0; i < 4; i++ {
		c := h[i]
		switch {
		case c <= '9':
			c -= '0'
		case c >= 'a':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// unescape appends the decoded content of a raw string to dst.
func unescape(dst []byte, raw string, escaped bool) []byte {
	if !escaped {
		return append(dst, raw...)
	}
	for i := 0; i < len(raw); {
		if raw[i] != '\\' {
			j := i + 1
			for j < len(raw) && raw[j] != '\\' {
				j++
			}
			dst = append(dst, raw[i:j]...)
			i = j
			continue
		}
		r, n := decodeRune(raw, i)
		dst = utf8.AppendRune(dst, r)
		i += n
	}
	return dst
}

// text is a string as the scanner found it: raw content and whether it has escapes.
type text struct {
	raw     string
	escaped bool
}

// equals reports whether the decoded text is s.
func (t text) equals(s string) bool {
	if !t.escaped {
		return t.raw == s
	}
	return t.equalsEscaped(s)
}

func (t text) equalsEscaped(s string) bool {
	j := 0
	for i := 0; i < len(t.raw); {
		r, n := decodeRune(t.raw, i)
		i += n
		var buf [utf8.UTFMax]byte
		m := utf8.EncodeRune(buf[:], r)
		if j+m > len(s) || s[j:j+m] != string(buf[:m]) {
			return false
		}
		j += m
	}
	return j == len(s)
}

// blank reports whether the decoded text is empty or only whitespace.
func (t text) blank() bool {
	for i := 0; i < len(t.raw); {
		r, n := decodeRune(t.raw, i)
		if !isSpace(r) {
			return false
		}
		i += n
	}
	return true
}
