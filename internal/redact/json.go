package redact

import (
	"math/bits"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/otelcol-llm/otelcol-llm/internal/pii"
)

// jsonWalker redacts the string leaves of a JSON document in one pass and copies
// everything else byte for byte, so the output has the same structure, key order and
// formatting. It validates as it goes: on invalid JSON walk reports !ok and the caller
// scans the value as text.
type jsonWalker struct {
	v        *valueCtx
	src      string
	maxDepth int
	path     []string // JSON path segments, kept only when findings are recorded
	prefix   string   // path of the string this document is encoded in

	out      []byte // nil until the first change
	copied   int    // src[:copied] is already in out
	res      result
	leaves   int
	invalid  bool
	tooDeep  bool
	overTime bool
}

// Keys whose string values describe structure, not content: kept under a none or
// truncate policy (still scanned).
var structuralKeys = map[string]bool{
	"role": true, "type": true, "finish_reason": true, "name": true, "id": true,
	"mime_type": true, "modality": true, "tool_call_id": true,
}

func (w *jsonWalker) walk() (string, result, bool) {
	i := w.skipWS(0)
	i = w.value(i, "", 1, false)
	if w.invalid || w.tooDeep || w.overTime {
		return "", unchanged, false
	}
	if w.skipWS(i) != len(w.src) {
		return "", unchanged, false
	}
	if w.out == nil {
		return w.src, w.res, true
	}
	w.out = append(w.out, w.src[w.copied:]...)
	// w.out is never written again: the string shares its bytes.
	return unsafe.String(unsafe.SliceData(w.out), len(w.out)), w.res, true
}

func (w *jsonWalker) fail() int {
	w.invalid = true
	return len(w.src)
}

// skipWS returns the first byte at or after i that is not JSON white space. Compact
// JSON, the common case, has none: one comparison tells every structural character,
// all above ' ', from white space.
func (w *jsonWalker) skipWS(i int) int {
	for i < len(w.src) && w.src[i] <= ' ' {
		switch w.src[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// value walks the value at i under the member name key; secret says an enclosing key
// named a secret.
func (w *jsonWalker) value(i int, key string, depth int, secret bool) int {
	if w.invalid || w.tooDeep || w.overTime {
		return len(w.src)
	}
	if i >= len(w.src) {
		return w.fail()
	}
	switch c := w.src[i]; {
	case c == '{' || c == '[':
		if depth > w.maxDepth {
			w.tooDeep = true
			return len(w.src)
		}
		return w.container(i, key, depth, secret)
	case c == '"':
		end, raw, escaped, ok := w.stringToken(i)
		if !ok {
			return w.fail()
		}
		w.leaf(i, end, raw, escaped, key, depth, secret)
		return end
	case c == '-' || c >= '0' && c <= '9':
		end := scanNumber(w.src, i)
		if end < 0 {
			return w.fail()
		}
		w.number(i, end, secret)
		return end
	case strings.HasPrefix(w.src[i:], "true"):
		return i + 4
	case strings.HasPrefix(w.src[i:], "false"):
		return i + 5
	case strings.HasPrefix(w.src[i:], "null"):
		return i + 4
	}
	return w.fail()
}

func (w *jsonWalker) container(i int, key string, depth int, secret bool) int {
	obj := w.src[i] == '{'
	closer := byte(']')
	if obj {
		closer = '}'
	}
	i = w.skipWS(i + 1)
	if i < len(w.src) && w.src[i] == closer {
		return i + 1
	}
	for index := 0; ; index++ {
		member := key
		if obj {
			if i >= len(w.src) || w.src[i] != '"' {
				return w.fail()
			}
			end, raw, escaped, ok := w.stringToken(i)
			if !ok {
				return w.fail()
			}
			member = raw
			if escaped {
				member, ok = unquote(raw)
				if !ok {
					return w.fail()
				}
			}
			i = w.skipWS(end)
			if i >= len(w.src) || w.src[i] != ':' {
				return w.fail()
			}
			i = w.skipWS(i + 1)
		}
		childSecret := secret || obj && (len(w.v.r.secretKeys) > 0 || !messageMember(member)) && w.v.r.isSecretKey(member)
		if w.v.record != nil {
			if obj {
				w.path = append(w.path, "."+member)
			} else {
				w.path = append(w.path, "["+strconv.Itoa(index)+"]")
			}
		}
		i = w.value(i, member, depth+1, childSecret)
		if w.v.record != nil {
			w.path = w.path[:len(w.path)-1]
		}
		if w.invalid || w.tooDeep || w.overTime {
			return len(w.src)
		}
		i = w.skipWS(i)
		if i >= len(w.src) {
			return w.fail()
		}
		switch w.src[i] {
		case ',':
			i = w.skipWS(i + 1)
		case closer:
			return i + 1
		default:
			return w.fail()
		}
	}
}

// messageMember reports whether name is a member of the GenAI messages' JSON (roles,
// parts and their fields). None ends with a secret's name, and they are most of the
// member names walked: the secret-key test is left out for them, unless the
// configuration adds names of its own.
func messageMember(name string) bool {
	switch name {
	case "role", "parts", "type", "content", "finish_reason", "name", "id", "arguments", "response",
		"result", "mime_type", "modality", "uri", "file_id", "text", "tool_call_id":
		return true
	}
	return false
}

// stringToken returns the end of the JSON string at i, its raw contents (between the
// quotes, escapes not decoded) and whether they hold an escape. Short strings (member
// names, roles, part types) are read eight bytes at a time; longer ones and escapes
// jump from quote to quote. Raw control characters, which JSON forbids, are tolerated
// and copied as they are.
func (w *jsonWalker) stringToken(i int) (end int, raw string, escaped, ok bool) {
	s := w.src
	j := i + 1
	for ; j+8 <= len(s) && j-i <= 32; j += 8 {
		if m := quoteOrBackslash(load64(s, j)); m != 0 {
			if k := j + bits.TrailingZeros64(m)>>3; s[k] == '"' {
				return k + 1, s[i+1 : k], false, true
			}
			break // an escape comes first
		}
	}
	for {
		k := strings.IndexByte(s[j:], '"')
		if k < 0 {
			return 0, "", false, false
		}
		j += k
		bs := 0
		for b := j - 1; b > i && s[b] == '\\'; b-- {
			bs++
		}
		if bs%2 == 0 {
			raw = s[i+1 : j]
			return j + 1, raw, strings.IndexByte(raw, '\\') >= 0, true
		}
		j++
	}
}

// leaf processes the string src[start:end] (quotes included).
func (w *jsonWalker) leaf(start, end int, raw string, escaped bool, key string, depth int, secret bool) {
	v := w.v
	w.leaves++
	if w.leaves%16 == 0 && !v.deadline.IsZero() && time.Now().After(v.deadline) {
		w.overTime = true
		return
	}
	text := raw
	if escaped {
		// Decoded on the value context's scratch stack: nothing keeps the text past
		// this leaf (its replacement is encoded into w.out before the stack pops),
		// except findings recorded for llmctl and tests, which get their own copy.
		mark := len(v.scratch)
		defer func() { v.scratch = v.scratch[:mark] }()
		var ok bool
		if v.scratch, ok = appendUnquoted(v.scratch, raw); !ok {
			w.invalid = true
			return
		}
		decoded := v.scratch[mark:]
		if v.record != nil {
			text = string(decoded)
		} else {
			text = unsafe.String(unsafe.SliceData(decoded), len(decoded))
		}
	}
	if text == "" {
		return
	}
	if secret {
		out, res := v.whole(text, pii.Secret, v.r.action(pii.Secret))
		w.replace(start, end, out, res)
		return
	}
	content := v.pol != policyFull && !structuralKeys[key]
	if content && v.pol == policyNone {
		w.replace(start, end, applyPolicy(text, v.pol), changed)
		return
	}
	if v.record != nil {
		v.path = w.pathString()
	}
	var out string
	var res result
	switch {
	case looksLikeJSON(text) && depth < w.maxDepth:
		// JSON encoded in a string (tool arguments, double-encoded messages).
		inner := jsonWalker{v: v, src: text, maxDepth: w.maxDepth - depth, prefix: v.path + "#"}
		var ok bool
		out, res, ok = inner.walk()
		switch {
		case inner.tooDeep || inner.overTime:
			w.tooDeep, w.overTime = inner.tooDeep, inner.overTime
			return
		case !ok:
			out, res = v.plain(text)
		}
	case !content:
		// The common case: the replacements are encoded straight into the document.
		edits, res := v.edits(text)
		w.replaceEdits(start, end, text, edits, res)
		return
	default:
		out, res = v.plain(text)
	}
	if content {
		if t := applyPolicy(out, v.pol); t != out {
			out, res = t, max(res, changed)
		}
	}
	w.replace(start, end, out, res)
}

// number scans a JSON number for digit-shaped PII (a card number written as a number)
// and replaces it by a placeholder string when one is found.
func (w *jsonWalker) number(start, end int, secret bool) {
	lit := w.src[start:end]
	if secret {
		out, res := w.v.whole(lit, pii.Secret, w.v.r.action(pii.Secret))
		w.replace(start, end, out, res)
		return
	}
	if end-start < 9 {
		return
	}
	if w.v.record != nil {
		w.v.path = w.pathString()
	}
	out, res := w.v.plain(lit)
	w.replace(start, end, out, res)
}

func (w *jsonWalker) pathString() string {
	p := w.prefix
	if p == "" {
		p = "$"
	}
	return p + strings.Join(w.path, "")
}

// replace puts out (a decoded string) in place of src[start:end], JSON-encoded.
func (w *jsonWalker) replace(start, end int, out string, res result) {
	if res == unchanged {
		return
	}
	w.splice(start, res)
	w.out = appendJSONString(w.out, out)
	w.copied = end
}

// replaceEdits puts text with its edits applied in place of src[start:end],
// JSON-encoded, without building the edited text first.
func (w *jsonWalker) replaceEdits(start, end int, text string, edits []edit, res result) {
	if res == unchanged {
		return
	}
	w.splice(start, res)
	w.out = append(w.out, '"')
	last := 0
	for _, e := range edits {
		// Replacements are ASCII, so encoding the pieces one by one gives the same
		// bytes as encoding the edited text.
		w.out = appendJSONChars(w.out, text[last:e.start])
		w.out = appendJSONChars(w.out, e.repl)
		last = e.end
	}
	w.out = appendJSONChars(w.out, text[last:])
	w.out = append(w.out, '"')
	w.copied = end
}

// splice starts a replacement at src[start:]: the output so far is copied up to it.
func (w *jsonWalker) splice(start int, res result) {
	if res > w.res {
		w.res = res
	}
	if w.out == nil {
		w.out = make([]byte, 0, len(w.src)+len(w.src)/8+16)
	}
	w.out = append(w.out, w.src[w.copied:start]...)
}

// scanNumber returns the end of the JSON number at i, or -1.
func scanNumber(s string, i int) int {
	j := i
	if j < len(s) && s[j] == '-' {
		j++
	}
	if j >= len(s) {
		return -1
	}
	switch {
	case s[j] == '0':
		j++
	case s[j] >= '1' && s[j] <= '9':
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
	default:
		return -1
	}
	if j < len(s) && s[j] == '.' {
		j++
		k := j
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == k {
			return -1
		}
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		j++
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == k {
			return -1
		}
	}
	return j
}

// unquote decodes the escapes of a JSON string body.
func unquote(raw string) (string, bool) {
	b, ok := appendUnquoted(make([]byte, 0, len(raw)), raw)
	return string(b), ok
}

// appendUnquoted appends the JSON string body raw to b, decoded.
func appendUnquoted(b []byte, raw string) ([]byte, bool) {
	for i := 0; i < len(raw); i++ {
		j := strings.IndexByte(raw[i:], '\\')
		if j < 0 {
			return append(b, raw[i:]...), true
		}
		b = append(b, raw[i:i+j]...)
		i += j + 1
		if i >= len(raw) {
			return b, false
		}
		switch raw[i] {
		case '"', '\\', '/':
			b = append(b, raw[i])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(raw, i+1)
			if !ok {
				return b, false
			}
			i += 4
			if utf16.IsSurrogate(r) {
				r2, ok2 := rune(-1), false
				if i+2 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
					r2, ok2 = hex4(raw, i+3)
				}
				if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			return b, false
		}
	}
	return b, true
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	v, err := strconv.ParseUint(s[i:i+4], 16, 32)
	return rune(v), err == nil
}

// appendJSONString appends s as a JSON string. Unlike encoding/json it leaves <, > and &
// alone, so placeholders read as written.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendJSONChars(b, s)
	return append(b, '"')
}

// appendJSONChars appends s escaped for the inside of a JSON string.
func appendJSONChars(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plainJSON8(load64(s, i)) {
			i += 8 // eight bytes of printable ASCII, no quote or backslash
			continue
		}
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}

// quoteOrBackslash has the high bit set in each byte of x that is '"' or '\\'.
func quoteOrBackslash(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	y := x &^ highs // seven bits a byte: the sums below cannot carry into the next byte
	quote := ^(y ^ ones*'"' + ones*0x7f)
	backslash := ^(y ^ ones*'\\' + ones*0x7f)
	return (quote | backslash) &^ x & highs
}

// plainJSON8 reports whether the eight bytes of x are printable ASCII other than '"'
// and '\\', which JSON strings hold as they are.
func plainJSON8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	control := x - ones*0x20       // high bit set where a byte is below 0x20 (or above 0x7f)
	quote := (x ^ ones*'"') - ones // high bit set where a byte is '"' (among others, see below)
	backslash := (x ^ ones*'\\') - ones
	// Each term may also mark bytes of 0x80 and above, which x itself marks anyway.
	return (control|quote|backslash|x)&highs == 0
}

// load64 reads the eight bytes at s[i:] as a little-endian word (one load).
func load64(s string, i int) uint64 {
	w := s[i : i+8]
	return uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
}
