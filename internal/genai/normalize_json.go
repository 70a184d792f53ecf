package genai

import (
	"bytes"
	"encoding/json"
	"math/bits"
	"unicode/utf8"
)

// AppendMessagesJSON appends msgs encoded exactly as MarshalMessages encodes them, without
// reflection or a validating re-scan: the normalizer writes messages on every GenAI
// span, so this is on the collector's hot path. Raw JSON fields (Arguments, Response,
// Extra) must hold valid JSON, as the Part decoders and JSONArguments produce.
func AppendMessagesJSON(dst []byte, msgs []Message) []byte {
	dst = append(dst, '[')
	for i, m := range msgs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"role":`...)
		dst = appendJSONString(dst, m.Role)
		dst = append(dst, `,"parts":`...)
		dst = AppendPartsJSON(dst, m.Parts)
		if m.Name != "" {
			dst = append(dst, `,"name":`...)
			dst = appendJSONString(dst, m.Name)
		}
		if m.FinishReason != "" {
			dst = append(dst, `,"finish_reason":`...)
			dst = appendJSONString(dst, m.FinishReason)
		}
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// AppendPartsJSON appends parts encoded exactly as MarshalParts encodes them.
func AppendPartsJSON(dst []byte, parts []Part) []byte {
	dst = append(dst, '[')
	for i := range parts {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendPartJSON(dst, &parts[i])
	}
	return append(dst, ']')
}

// appendPartJSON follows Part.MarshalJSON: type, the string fields in stringFields
// order, arguments, response. Parts with Extra fields (generic parts, rare) go through
// encoding/json itself.
func appendPartJSON(dst []byte, p *Part) []byte {
	if len(p.Extra) > 0 {
		if enc, err := json.Marshal(p); err == nil {
			return append(dst, enc...)
		}
	}
	dst = append(dst, `{"type":`...)
	dst = appendJSONString(dst, p.Type)
	for _, f := range stringFields {
		if v := *f.get(p); v != "" {
			dst = append(dst, ',', '"')
			dst = append(dst, f.key...)
			dst = append(dst, '"', ':')
			dst = appendJSONString(dst, v)
		}
	}
	if len(p.Arguments) > 0 {
		dst = append(dst, `,"arguments":`...)
		dst = appendRawJSON(dst, p.Arguments)
	}
	if len(p.Response) > 0 {
		dst = append(dst, `,"response":`...)
		dst = appendRawJSON(dst, p.Response)
	}
	return append(dst, '}')
}

// appendRawJSON appends compact, valid raw JSON with encoding/json's HTML escaping; only
// JSON that needs compacting or escaping takes the slow path.
func appendRawJSON(dst []byte, raw []byte) []byte {
	inString, escaped := false, false
	for _, c := range raw {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			case c == '<' || c == '>' || c == '&' || c == 0xE2:
				return appendRawSlow(dst, raw)
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			return appendRawSlow(dst, raw)
		}
	}
	return append(dst, raw...)
}

func appendRawSlow(dst []byte, raw []byte) []byte {
	var compact, escaped bytes.Buffer
	if json.Compact(&compact, raw) != nil {
		return append(dst, raw...)
	}
	json.HTMLEscape(&escaped, compact.Bytes())
	return append(dst, escaped.Bytes()...)
}

const hexDigits = "0123456789abcdef"

// htmlSafe marks the ASCII bytes written unescaped: one table load per byte instead of
// six comparisons, on the loop that writes every message's text.
var htmlSafe = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()

// skipHTMLSafe returns the first byte at or after i that needs a look: one to escape,
// the start of a multi-byte character, or len(s). Eight bytes at a time, it tells the
// htmlSafe bytes (ASCII from ' ' up, other than '"', '\\', '<', '>' and '&') apart
// with word-wide operations: each term below sets the high bit of a byte that is one
// of the others, or of a later byte that a borrow reaches, and x itself marks the bytes
// of 0x80 and above, where the terms can be wrong. So the lowest byte marked is the
// first that needs a look.
func skipHTMLSafe(s string, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		control := x - ones*0x20
		quote := (x ^ ones*'"') - ones
		backslash := (x ^ ones*'\\') - ones
		lt := (x ^ ones*'<') - ones
		gt := (x ^ ones*'>') - ones
		amp := (x ^ ones*'&') - ones
		if m := (control | quote | backslash | lt | gt | amp | x) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || !htmlSafe[c] {
			return i
		}
	}
	return i
}

// appendJSONString appends s as a JSON string escaped as encoding/json does by default
// (HTML-safe, invalid UTF-8 replaced by U+FFFD).
func appendJSONString(dst []byte, s string) []byte { return appendEscaped(dst, s, true) }

// AppendJSONIteratorString appends s escaped exactly as json-iterator does with
// EscapeHTML: as encoding/json does, except that \b and \f are written \u0008 and \u000c.
// The normalizer re-encodes values that json-iterator decoded and must write the bytes
// json-iterator would.
func AppendJSONIteratorString(dst []byte, s string) []byte { return appendEscaped(dst, s, false) }

// appendEscaped is the string encoder of both spellings; shortBF selects \b and \f.
// It is the one JSON string encoder of the normalizer and the store, which write every
// message text through it: runs of eight bytes that need no escape, most of prose, are
// told apart with a few word-wide operations instead of a table load per byte.
func appendEscaped(dst []byte, s string, shortBF bool) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if i = skipHTMLSafe(s, i); i == len(s) {
			break
		}
		if b := s[i]; b < utf8.RuneSelf {
			if htmlSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b', '\f':
				if !shortBF {
					dst = append(dst, '\\', 'u', '0', '0', '0', hexDigits[b])
				} else if b == '\b' {
					dst = append(dst, '\\', 'b')
				} else {
					dst = append(dst, '\\', 'f')
				}
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
