package pii

import (
	"math/bits"
	"regexp"
	"slices"
	"strings"
)

// Byte classes of the prefilter.
const (
	clsWord    = 1 << iota // [A-Za-z0-9_-]: secret tokens, IBANs, digit runs
	clsDigit               // [0-9]
	clsAlpha               // [A-Za-z]
	clsLocal               // characters of an email local part
	clsHex                 // [0-9A-Fa-f]
	clsSpecial             // '@', ':', '+', '(': where emails, URLs, IPv6 and phones start
)

var class = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		switch {
		case b >= '0' && b <= '9':
			t[c] = clsWord | clsDigit | clsLocal | clsHex
		case b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z':
			t[c] = clsWord | clsAlpha | clsLocal
			if b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' {
				t[c] |= clsHex
			}
		case b == '_' || b == '-':
			t[c] = clsWord | clsLocal
		case b == '.' || b == '+' || b == '%':
			t[c] = clsLocal
		}
		switch b {
		case '@', ':', '+', '(':
			t[c] |= clsSpecial
		}
	}
	return t
}()

func isDigit(c byte) bool { return c-'0' < 10 }
func isAlpha(c byte) bool { return class[c]&clsAlpha != 0 }
func isAlnum(c byte) bool { return class[c]&(clsAlpha|clsDigit) != 0 }
func isWord(c byte) bool  { return class[c]&clsWord != 0 }
func isUpper(c byte) bool { return c-'A' < 26 }
func isLower(c byte) bool { return c-'a' < 26 }

// Custom is a user-defined detector: a regex with optional keywords and validator.
type Custom struct {
	Entity   Entity
	Regex    *regexp.Regexp
	Keywords []string // lower case; the regex runs only if one occurs
	// Validate, when set, must accept the matched text.
	Validate func(string) bool

	prefix string // literal prefix of Regex, used as keyword when Keywords is empty
}

// Scanner finds sensitive values in text. It is immutable and safe for concurrent use.
type Scanner struct {
	on     map[Entity]bool
	custom []Custom
	all    bool // every built-in detector is on
	phone  bool // the phone detector is on
	phones phoneRegions
}

// NewScanner returns a scanner with every built-in detector on except those in off,
// plus the custom detectors.
func NewScanner(off []Entity, custom []Custom) *Scanner {
	s := &Scanner{on: map[Entity]bool{}, all: true, phones: defaultPhoneRegions}
	for _, e := range BuiltIn {
		s.on[e] = true
	}
	for _, e := range off {
		s.on[e] = false
		s.all = false
	}
	for _, c := range custom {
		for i, k := range c.Keywords {
			c.Keywords[i] = strings.ToLower(k)
		}
		if len(c.Keywords) == 0 {
			if p, _ := c.Regex.LiteralPrefix(); len(p) > 0 {
				c.prefix = p
			}
		}
		s.on[c.Entity] = true
		s.custom = append(s.custom, c)
	}
	s.phone = s.on[Phone]
	return s
}

// Scan appends the findings in text to dst, sorted by position and without overlaps:
// overlapping candidates are merged, so no byte of any candidate is left out.
func (s *Scanner) Scan(text string, dst []Finding) []Finding {
	first := skipBoring(text, 0)
	if first == len(text) && len(s.custom) == 0 {
		return dst // nothing but prose (as most short values are: roles, names)
	}
	base := len(dst)
	var sc scan // set field by field: a composite literal is built aside and copied
	sc.s, sc.text, sc.out = s, text, dst
	sc.run(first)
	for i := range s.custom {
		sc.runCustom(&s.custom[i])
	}
	return mergeFindings(sc.out, base)
}

// scan is the state of one Scan call.
type scan struct {
	s    *Scanner
	text string
	out  []Finding
	aws  bool // an AWS access key was seen: look for the secret key next to it
	// numEnd is the end of the last digit group examined: its later groups are not
	// numbers of their own ("+1 415 155-0000" is not "415 155-0000").
	numEnd int
	// phoneChecks counts libphonenumber validations (microseconds each), so that text
	// crafted to be full of phone-shaped numbers stays cheap.
	phoneChecks int
	g           numGroup // the digit group being examined
}

func (sc *scan) add(e Entity, start, end int) {
	if !sc.s.all && !sc.s.on[e] {
		return
	}
	sc.out = append(sc.out, Finding{Entity: e, Start: start, End: end})
}

// boring bytes cannot start or be part of a candidate by themselves: lower-case letters
// (every built-in token has a digit, an upper-case letter, '-' or '_' early on), the
// punctuation of prose and the marks of Markdown (# * | [ ] `), '&' and '$', and the
// bytes of UTF-8 beyond ASCII (accented letters, typographic quotes and dashes, emoji),
// which no detector looks for: each was a stop, two to four a character. Keys are found
// from their separator, URLs and webhooks from ':' and '/', so none of these bytes need
// stop the scan. skip_amd64.s holds the same set as two tables; TestSkipBoringLong
// checks that they agree.
var boring = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for _, c := range " .,;!?'\"`\n\r\t)#*|&$[]" {
		t[c] = true
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	return t
}()

// capitalized reports whether the capital at p starts a word of prose: after a space, a
// tab, a line break, a quote or '(', before a boring byte (a lower-case letter, a space,
// punctuation). Where the vector skip sees the bytes around its block it passes over
// such capitals too, and with them a capitalized word whose other bytes are boring, which
// is no candidate: the tokens that start with a capital have a second one or a digit
// early on ("AKIA", "AIza", IBANs), keys are found from their separator and emails from
// their '@'. Not "Bea" and "Bas" ("Bearer ", "Basic "), nor after "bearer " and
// "basic ": those credentials are found from their first word, whatever its case. The
// first word of a text counts too. In chat content a third of the stops were such
// capitals.
func capitalized(text string, p int) bool {
	if p+2 >= len(text) || !isUpper(text[p]) || !boring[text[p+1]] {
		return false
	}
	if n1, n2 := text[p+1]|0x20, text[p+2]|0x20; text[p] == 'B' && (n1 == 'e' && n2 == 'a' || n1 == 'a' && n2 == 's') {
		return false
	}
	if p < 4 {
		return p == 0 // the start of a text; the vector skip reads four bytes before a block
	}
	switch text[p-1] {
	case '\t', '\n', '"', '(':
		return true
	case ' ':
		return !hasPrefixFold(text[p-4:], "rer") && !hasPrefixFold(text[p-4:], "sic")
	}
	return false
}

// SWAR constants: one in every byte, the high bit of every byte.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// skipBoring returns the first byte at or after i that is not boring, or len(text);
// with vectors, capitalized and short words of prose may be passed over too
// (skipBoringVector).
func skipBoring(text string, i int) int {
	if vectorFor(len(text)) {
		if i == 0 && capitalized(text, 0) {
			i = 1
		}
		return skipBoringVector(text, i)
	}
	return skipBoringWords(text, i)
}

// vectorFor says whether to skip with vectors in a text of n bytes: where the CPU has
// them and the text fills one. The skips are called directly: through a function value
// every call of the assembly would go through a wrapper.
func vectorFor(n int) bool { return skipVector && n >= 32 }

// skipBoringWords is skipBoring without vector instructions (skipVector), and for texts
// shorter than a vector (roles, model names, ids). Eight bytes at a time, the last ones
// padded with spaces, it tests the commonest boring bytes (lower-case letters, space,
// '.' and ',') with a few word-wide operations; other boring bytes are stepped over one
// at a time.
func skipBoringWords(text string, i int) int {
	n := len(text)
	for i < n {
		var m uint64
		if i+8 <= n {
			if m = notProse(load64(text, i)); m == 0 {
				i += 8
				continue
			}
		} else if m = notProse(loadTail(text, i)); m == 0 {
			return n
		}
		i += bits.TrailingZeros64(m) >> 3
		if !boring[text[i]] {
			return i
		}
		i++
	}
	return n
}

// loadTail reads text[i:], fewer than eight bytes, as a little-endian word padded with
// spaces.
func loadTail(text string, i int) uint64 {
	if n := len(text); n >= 8 {
		s := uint(i-(n-8)) * 8 // 8 to 56: the bytes before i are shifted out
		return load64(text, n-8)>>s | ones*' '<<(64-s)
	}
	x := uint64(ones * ' ')
	for k := len(text) - 1; k >= i; k-- {
		x = x<<8 | uint64(text[k])
	}
	return x
}

// load64 reads text[i:i+8] as a little-endian word (one load).
func load64(text string, i int) uint64 {
	w := text[i : i+8]
	return uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
}

// wordEnd returns the end of the run of word bytes ([A-Za-z0-9_-]) that starts at or
// before i, eight bytes at a time: a word of prose ends within the first eight, without
// a branch per byte whose outcome the processor cannot predict.
func wordEnd(text string, i int) int {
	for ; i+8 <= len(text); i += 8 {
		x := load64(text, i)
		y := x &^ highs
		// y|' ' is a lower-case letter where y is a letter of either case, and only there
		word := inRange(y, '0', '9') | inRange(y|ones*' ', 'a', 'z') | equal(y, '_') | equal(y, '-')
		if m := (^word | x) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(text) && class[text[i]]&clsWord != 0 {
		i++
	}
	return i
}

// digitsEnd returns the end of the run of ASCII digits at i, like wordEnd.
func digitsEnd(text string, i int) int {
	for ; i+8 <= len(text); i += 8 {
		if m := notDigit(load64(text, i)); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(text) && isDigit(text[i]) {
		i++
	}
	return i
}

// inRange has the high bit set in each byte of y (seven-bit bytes) in [lo, hi].
func inRange(y uint64, lo, hi byte) uint64 {
	return (y + ones*uint64(0x80-lo)) &^ (y + ones*uint64(0x80-hi-1))
}

// equal has the high bit set in each byte of y (seven-bit bytes) equal to c.
func equal(y uint64, c byte) uint64 {
	return ^(y ^ ones*uint64(c) + ones*0x7f)
}

// notDigit has the high bit set in each byte of x that is not an ASCII digit.
func notDigit(x uint64) uint64 {
	return (^inRange(x&^highs, '0', '9') | x) & highs
}

// notProse has the high bit set in each byte of x that is not a lower-case letter, a
// space, '.' or ','. It tests z, the low seven bits of each byte xor ' ': a space is 0
// there, ',' and '.' are the bytes that are 0x0e with bit 1 set, and the lower-case
// letters one range, 0x41-0x5a. Three tests of one value take a quarter fewer
// instructions in the skip's loop than four tests of x.
func notProse(x uint64) uint64 {
	z := x&^highs ^ ones*' ' // seven bits a byte: the sums below cannot carry into the next byte
	notSpace := z + ones*0x7f
	notDotOrComma := (z | ones*2) ^ ones*0x0e + ones*0x7f
	lower := inRange(z, 'a'^' ', 'z'^' ')
	return (notSpace&notDotOrComma&^lower | x) & highs
}

// run looks at text from its first stop, skipBoring(text, 0).
func (sc *scan) run(first int) {
	text := sc.text
	n := len(text)
	vector := vectorFor(n)
	for i, j := 0, first; i < n; {
		if j < i { // else text[j] is yet to be looked at (a separator after a key)
			if vector {
				j = skipBoringVector(text, i)
			} else {
				j = skipBoringWords(text, i)
			}
		}
		if j > i {
			if j == n {
				break
			}
			// Resume at the start of the word (or dotted name: hooks.slack.com) the skip
			// ended in, or at the key before a separator ("password": ...).
			b := j
			if c := text[j]; c == '=' || c == ':' {
				for k := 0; k < 3 && b > i && (text[b-1] == ' ' || text[b-1] == '"' || text[b-1] == '\''); k++ {
					b--
				}
			}
			for b > i && (isWord(text[b-1]) || text[b-1] == '.') {
				b--
			}
			i = b
		}
		c := text[i]
		k := class[c]
		if k&clsWord == 0 {
			if k&clsSpecial != 0 {
				if end := sc.special(i); end > i {
					i = end
					continue
				}
			}
			i++
			continue
		}
		start := i
		i = wordEnd(text, i+1)
		// Fast path: a short lower-case or capitalised word can only be a key
		// (api_key=), "bearer"/"basic"/"hooks" or the credentials after "bearer "
		// (IBANs and AWS keys start with two capitals); most words of prose stop here.
		if l := i - start; l < 12 && (isLower(c) || isUpper(c) && (l < 4 || !isUpper(text[start+1]))) &&
			!authOrHook(c, l) && !afterAuthWord(text, start) && !mayBeKey(text, i) {
			continue
		}
		if k&clsDigit != 0 {
			rest := i
			if start >= sc.numEnd && numberStart(text, start) && (i-start >= 9 && digitsIn(text[start:i]) >= 9 || numberContinues(text, i)) {
				end, found := sc.number(start)
				if found {
					i = max(i, end)
					continue
				}
				rest = end
			}
			// Of the tokens, only wallet addresses, credentials and keys start with a
			// digit. Nor does any start in the rest of a number group that held
			// nothing: words of digits, after a digit and a separator (3.14.2,
			// 100 234 567).
			if i-start < 25 && !afterAuthWord(text, start) && !mayBeKey(text, i) {
				i = max(i, rest)
				continue
			}
		}
		if next := sc.token(start, i); next > i {
			i = next
		}
	}
	if sc.aws {
		sc.awsSecrets()
	}
}

// numberContinues reports whether a number may go on past the end i of a word: with a
// space or a dot before a digit (or a space before "("). A number that starts a word
// and does not go on past it has at most the word's length in digits and no dot, and
// below nine digits such a number cannot be a finding (see number): most counts, dates,
// times and amounts of prose are told apart here without parsing them.
func numberContinues(text string, i int) bool {
	if i+1 >= len(text) {
		return false
	}
	c, d := text[i], text[i+1]
	return (c == ' ' || c == '.') && isDigit(d) || c == ' ' && d == '('
}

// digitsIn counts the digits of a word. A word of nine bytes or more whose number does
// not go on past it (numberContinues) has only these digits for a number, separated by
// dashes: below nine, as in the ISO dates of prose (2024-01-15), it cannot be a finding.
func digitsIn(word string) int {
	n := 0
	for i := 0; i < len(word); i++ {
		if isDigit(word[i]) {
			n++
		}
	}
	return n
}

// afterAuthWord reports whether the word at start follows "bearer " or "basic " (any
// case). The first test inlines and rejects most words.
func afterAuthWord(text string, start int) bool {
	return start >= 6 && authWordEnds[text[start-2]] && authWordBefore(text, start)
}

// authWordEnds are the last letters of "bearer" and "basic".
var authWordEnds = [256]bool{'r': true, 'R': true, 'c': true, 'C': true}

func authWordBefore(text string, start int) bool {
	if text[start-1] != ' ' {
		return false
	}
	if text[start-2]|0x20 == 'r' {
		return start >= 7 && hasPrefixFold(text[start-7:], "bearer")
	}
	return hasPrefixFold(text[start-6:], "basic")
}

// authOrHook reports whether a word of length l starting with c may be "bearer",
// "basic" or "hooks" (of hooks.slack.com).
func authOrHook(c byte, l int) bool {
	return c|0x20 == 'b' && (l == 5 || l == 6) || c == 'h' && l == 5
}

// special handles the bytes that start a candidate outside words. It returns where
// scanning resumes, or i when nothing was found.
func (sc *scan) special(i int) int {
	text := sc.text
	switch text[i] {
	case '@':
		if end := sc.email(i); end > i {
			return end
		}
	case ':':
		if end := sc.colon(i); end > i {
			return end
		}
	case '+', '(':
		if i+1 < len(text) && isDigit(text[i+1]) && i >= sc.numEnd && numberStart(text, i) {
			if end, found := sc.number(i); found {
				return end
			}
		}
	}
	return i
}

// numberStart reports whether a number may start at i: not in the middle of a word or
// an identifier such as PRD-4111 or v1.2.
func numberStart(text string, i int) bool {
	if i == 0 {
		return true
	}
	p := text[i-1]
	if isAlnum(p) {
		return false
	}
	if (p == '-' || p == '_' || p == '.' || p == '/') && i >= 2 && isAlnum(text[i-2]) {
		return false
	}
	return true
}

// token examines a run of word characters text[start:end] and returns where scanning
// resumes (end unless a finding extends beyond it).
func (sc *scan) token(start, end int) int {
	text := sc.text
	l := end - start
	c0 := text[start]
	if l >= 12 {
		if e := sc.secretToken(start, end); e >= 0 {
			return e
		}
	}
	if l >= 4 && isUpper(c0) && isUpper(text[start+1]) && isDigit(text[start+2]) && isDigit(text[start+3]) &&
		(start == 0 || !isAlnum(text[start-1])) {
		if e := iban(text, start); e > 0 {
			sc.add(IBAN, start, e)
			return e
		}
	}
	switch {
	case (c0 == '1' || c0 == '3') && l >= 25 && l <= 34:
		if base58Check(text[start:end]) {
			sc.add(CryptoWallet, start, end)
			return end
		}
	case (c0 == 'b' || c0 == 'B') && l >= 14 && l <= 74 && (text[start+1] == 'c' || text[start+1] == 'C') && text[start+2] == '1':
		if bech32Valid(text[start:end]) {
			sc.add(CryptoWallet, start, end)
			return end
		}
	case c0 == '-' && l >= 10 && strings.HasPrefix(text[start:], "-----BEGIN"):
		if e := sc.privateKey(start); e > 0 {
			return e
		}
	case (l == 5 || l == 6) && end < len(text) && text[end] == ' ':
		if e := sc.authorization(start, end); e > 0 {
			return e
		}
	case l == 5 && c0 == 'h' && strings.HasPrefix(text[start:], "hooks.slack.com/"):
		if e := sc.slackWebhook(start); e > 0 {
			return e
		}
	}
	// Credentials after a lower-case "bearer " or "basic " that the skip passed over.
	if afterAuthWord(text, start) {
		if start >= 7 && hasPrefixFold(text[start-7:], "bearer ") && (start == 7 || !isWord(text[start-8])) {
			if e := sc.authorization(start-7, start-1); e > 0 {
				return e
			}
		} else if hasPrefixFold(text[start-6:], "basic ") && (start == 6 || !isWord(text[start-7])) {
			if e := sc.authorization(start-6, start-1); e > 0 {
				return e
			}
		}
	}
	if end < len(text) && l >= 3 && followedBySeparator(text, end) {
		if e := sc.keyValue(start, end); e > 0 {
			return e
		}
	}
	return end
}

// keyFollows are the bytes that may follow a key: a separator or a closing quote.
var keyFollows = [256]bool{'=': true, ':': true, '"': true, '\'': true}

// mayBeKey is the cheap test for a key=value separator after the word ending at i: true
// whenever followedBySeparator is.
func mayBeKey(text string, i int) bool {
	return i < len(text) && (keyFollows[text[i]] ||
		text[i] == ' ' && i+1 < len(text) && (keyFollows[text[i+1]] || text[i+1] == ' '))
}

// followedBySeparator reports whether a key=value separator follows the key that ends
// at i, after an optional closing quote and up to two spaces.
func followedBySeparator(text string, i int) bool {
	for k := 0; k < 3 && i < len(text); k++ {
		switch text[i] {
		case '=', ':':
			return true
		case '"', '\'', ' ':
			i++
		default:
			return false
		}
	}
	return false
}

// mergeFindings sorts dst[base:] and merges overlapping findings into one that covers
// both, typed by the more specific detector.
func mergeFindings(dst []Finding, base int) []Finding {
	fs := dst[base:]
	if len(fs) < 2 {
		return dst
	}
	if !slices.IsSortedFunc(fs, cmpFinding) {
		slices.SortFunc(fs, cmpFinding)
	}
	w := 0
	for _, f := range fs[1:] {
		last := &fs[w]
		if f.Start < last.End {
			if rank(f.Entity) > rank(last.Entity) ||
				rank(f.Entity) == rank(last.Entity) && f.End-f.Start > last.End-last.Start {
				last.Entity = f.Entity
			}
			last.End = max(last.End, f.End)
			continue
		}
		w++
		fs[w] = f
	}
	return dst[:base+w+1]
}

func cmpFinding(a, b Finding) int {
	if a.Start != b.Start {
		return a.Start - b.Start
	}
	return b.End - a.End
}

// rank orders entity types by specificity when findings overlap.
func rank(e Entity) int {
	switch e {
	case GenericSecret:
		return 0
	case Authorization, ConnectionString, URLCredentials:
		return 1
	case Email, Phone, IPAddress, USSSN, CreditCard, IBAN, CryptoWallet:
		return 2
	}
	if IsBuiltIn(e) {
		return 4
	}
	return 3
}

func (sc *scan) runCustom(c *Custom) {
	text := sc.text
	if len(c.Keywords) > 0 {
		hit := false
		for _, k := range c.Keywords {
			if containsFold(text, k) {
				hit = true
				break
			}
		}
		if !hit {
			return
		}
	} else if c.prefix != "" && !strings.Contains(text, c.prefix) {
		return
	}
	for _, loc := range c.Regex.FindAllStringIndex(text, -1) {
		if loc[0] == loc[1] {
			continue
		}
		if c.Validate != nil && !c.Validate(text[loc[0]:loc[1]]) {
			continue
		}
		sc.add(c.Entity, loc[0], loc[1])
	}
}

// containsFold reports whether s contains the lower-case ASCII keyword kw, ignoring
// ASCII case, without allocating.
func containsFold(s, kw string) bool {
	if kw == "" {
		return true
	}
	k0 := kw[0]
	u0 := k0
	if isLower(k0) {
		u0 = k0 - 'a' + 'A'
	}
	for i := 0; i+len(kw) <= len(s); i++ {
		c := s[i]
		if (c == k0 || c == u0) && hasPrefixFold(s[i:], kw) {
			return true
		}
	}
	return false
}

// hasPrefixFold reports whether s starts with the lower-case ASCII prefix p, ignoring
// ASCII case.
func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := s[i]
		if isUpper(c) {
			c += 'a' - 'A'
		}
		if c != p[i] {
			return false
		}
	}
	return true
}

func hasSuffixFold(s, p string) bool {
	return len(s) >= len(p) && hasPrefixFold(s[len(s)-len(p):], p)
}
