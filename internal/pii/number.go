package pii

import "net/netip"

const (
	maxNumDigits = 24
	maxNumGroups = 10
)

// numGroup is a run of digit groups joined by single separators: the shape shared by
// cards, SSNs, phone numbers and IPv4 addresses. The classifiers below decide what a
// group is; everything is parsed once.
type numGroup struct {
	plus   bool // starts with '+'
	ng     int
	groups [maxNumGroups]struct {
		start, end int  // digits only (a parenthesised group excludes the parentheses)
		sep        byte // separator before this group: ' ', '-', '.', ')' or 0
		paren      bool
	}
}

// number examines the digit group that starts at i (a digit, '+' or '(') and reports
// any finding. It returns the end of the group and whether it held a finding; i instead
// of the end where a token may start inside the group: where it does not end at a word
// boundary, or has more digits than any number finding.
func (sc *scan) number(i int) (int, bool) {
	text := sc.text
	n := len(text)
	g := &sc.g // every field of a group is set before it is read
	g.plus, g.ng = false, 0
	j := i
	if text[j] == '+' {
		g.plus = true
		j++
	}
	end := j
	var sep byte
	for g.ng < maxNumGroups {
		gs := j
		paren := false
		if j < n && text[j] == '(' {
			paren = true
			j++
		}
		ds := j
		j = digitsEnd(text, j)
		if j == ds {
			j = gs
			break
		}
		de := j
		if paren {
			if j >= n || text[j] != ')' {
				j = gs
				break
			}
			j++
		}
		gr := &g.groups[g.ng]
		gr.start, gr.end, gr.sep, gr.paren = ds, de, sep, paren
		g.ng++
		end = j
		if j+1 >= n {
			break
		}
		c := text[j]
		switch {
		case paren && isDigit(c):
			sep = ')'
			continue
		case (c == ' ' || c == '-' || c == '.') && (isDigit(text[j+1]) || text[j+1] == '(' && c == ' '):
			sep = c
			j++
			continue
		}
		break
	}
	if g.ng == 0 {
		return i, false
	}
	sc.numEnd = end
	// The group must end at a word boundary, and not continue an identifier (4111-abc).
	if end < n {
		c := text[end]
		if isAlnum(c) || (c == '-' || c == '_') && end+1 < n && isAlnum(text[end+1]) {
			return i, false
		}
	}
	total, dotted := 0, false
	for k := 0; k < g.ng; k++ {
		total += g.groups[k].end - g.groups[k].start
		dotted = dotted || g.groups[k].sep == '.'
	}
	if total > maxNumDigits {
		return i, false
	}
	// Below nine digits only IPv4 addresses (dotted) and international phone numbers
	// (eight digits after a '+') are possible: counts, amounts, dates and times stop here.
	if total < 4 || total < 9 && !dotted && !(g.plus && total == 8) {
		return end, false
	}
	if e, ok := sc.classify(g, 0, g.ng); ok {
		sc.add(e, g.spanStart(i, 0), g.groups[g.ng-1].end)
		return end, true
	}
	// Several values side by side ("4111 1111 1111 1111 415 555 2671"): try runs of the
	// space-separated pieces, longest first.
	found := false
	for a := 0; a < g.ng; {
		if a > 0 && g.plus && !found {
			break // "+1 415 155-0000" is one number: no national number inside it
		}
		next := a + 1
		for b := g.ng; b > a; b-- {
			if b < g.ng && g.groups[b].sep != ' ' || a > 0 && g.groups[a].sep != ' ' {
				continue
			}
			if a == 0 && b == g.ng {
				continue
			}
			if e, ok := sc.classify(g, a, b); ok {
				sc.add(e, g.spanStart(i, a), g.groups[b-1].end)
				found = true
				next = b
				break
			}
		}
		a = next
	}
	return end, found
}

// spanStart is where the finding for groups[a:] starts: the '+' or '(' included.
func (g *numGroup) spanStart(i, a int) int {
	s := g.groups[a].start
	if g.groups[a].paren {
		s--
	}
	if a == 0 && g.plus {
		s = i
	}
	return s
}

// classify decides what groups[a:b] are.
func (sc *scan) classify(g *numGroup, a, b int) (Entity, bool) {
	text := sc.text
	var buf [maxNumDigits]byte
	nd := 0
	seps := byte(0) // bit set: 1 space, 2 dash, 4 dot, 8 paren
	minLen, maxLen := 99, 0
	for k := a; k < b; k++ {
		gr := g.groups[k]
		l := gr.end - gr.start
		if nd+l > maxNumDigits {
			return "", false
		}
		nd += copy(buf[nd:], text[gr.start:gr.end])
		minLen, maxLen = min(minLen, l), max(maxLen, l)
		if k > a {
			switch gr.sep {
			case ' ':
				seps |= 1
			case '-':
				seps |= 2
			case '.':
				seps |= 4
			}
		}
		if gr.paren {
			seps |= 8
		}
	}
	d := buf[:nd]
	plus := g.plus && a == 0
	ng := b - a
	start := g.groups[a].start

	// IPv4: four dotted groups of 1-3 digits, not in a version context.
	if seps == 4 && ng == 4 && maxLen <= 3 && !plus {
		addr, err := netip.ParseAddr(text[start:g.groups[b-1].end])
		if err == nil && addr.Is4() && !versionContext(text, start) {
			return IPAddress, true
		}
		return "", false
	}
	if seps&4 != 0 && ng >= 3 && maxLen <= 2 {
		return "", false // 1.2.3, 2.10.4.1.5: versions and section numbers
	}
	single := seps == 1 || seps == 2 || seps == 4 || seps == 0
	// US SSN: 3-2-4 with one kind of separator, or nine digits after "SSN".
	if nd == 9 && !plus && single && seps&8 == 0 {
		if validSSN(d) && (ng == 3 && g.groups[a].end-g.groups[a].start == 3 && g.groups[a+1].end-g.groups[a+1].start == 2 ||
			ng == 1 && contextBefore(text, start, ssnContext)) {
			return USSSN, true
		}
	}
	// Card: 12-19 digits, spaces or dashes, a known issuer prefix, Luhn.
	if nd >= 12 && nd <= 19 && !plus && (seps == 0 || seps == 1 || seps == 2) && (ng == 1 || minLenButLast(g, a, b) >= 3) {
		if cardIIN(d) && luhn(d) {
			return CreditCard, true
		}
	}
	if sc.s.phone && sc.phone(g, a, b, d, maxLen) {
		return Phone, true
	}
	return "", false
}

// minLenButLast is the shortest group of groups[a:b-1]: cards are printed in groups of
// four to six, the last group may be shorter.
func minLenButLast(g *numGroup, a, b int) int {
	m := 99
	for k := a; k < b-1; k++ {
		m = min(m, g.groups[k].end-g.groups[k].start)
	}
	return m
}

// Context words that let an unformatted digit run count as an SSN or a phone number.
var (
	ssnContext   = newContextWords("ssn", "social sec") // "social sec" covers "social security"
	phoneContext = newContextWords("phone", "tel", "call", "mobile", "cell", "sms", "whatsapp", "fax", "contact", "number")
)

// contextWords is a set of lower-case words, with a table of their first letters in
// both cases so that a window of text is searched for all of them in one pass.
type contextWords struct {
	first [256]bool
	words []string
}

func newContextWords(words ...string) *contextWords {
	cw := &contextWords{words: words}
	for _, w := range words {
		cw.first[w[0]] = true
		cw.first[w[0]-'a'+'A'] = true
	}
	return cw
}

// contextBefore reports whether one of the words occurs, in any case, in the 40 bytes
// before i.
func contextBefore(text string, i int, cw *contextWords) bool {
	w := text[max(0, i-40):i]
	for p := 0; p < len(w); p++ {
		if !cw.first[w[p]] {
			continue
		}
		for _, word := range cw.words {
			if hasPrefixFold(w[p:], word) {
				return true
			}
		}
	}
	return false
}

// phone validates a phone-shaped group with libphonenumber. International numbers
// (+ or 00) are validated as such; national ones must be written like phone numbers
// (grouped, first group of 2-5 digits or in parentheses) or follow a word like "phone",
// and be valid in one of the default regions.
func (sc *scan) phone(g *numGroup, a, b int, d []byte, maxLen int) bool {
	shape := sc.phoneShape(g, a, b, d, maxLen)
	if shape == notPhone {
		return false
	}
	if sc.phoneChecks >= maxPhoneChecks {
		// Past the budget a phone-shaped number is taken for a phone: over-redacting
		// is the safe side, and text crafted to be full of candidates stays cheap.
		return true
	}
	sc.phoneChecks++
	digits := string(d) // the validators' regular expressions keep their input: not the stack buffer
	switch shape {
	case internationalPlus:
		return validInternational(digits)
	case international00:
		return validInternational(digits[2:])
	}
	for _, r := range sc.s.phones {
		nsn := digits
		if r.trunk != "" && len(nsn) > 0 && nsn[0] == r.trunk[0] {
			nsn = nsn[1:]
		} else if !r.bare {
			continue // written nationally without the trunk prefix: not this region
		}
		if validNumber(nsn, r.countryCode, r.code) {
			return true
		}
	}
	return false
}

// maxPhoneChecks bounds the libphonenumber validations (microseconds each) of one Scan.
const maxPhoneChecks = 64

type phoneShapeKind int

const (
	notPhone phoneShapeKind = iota
	internationalPlus
	international00
	national
)

// phoneShape is what a digit group must look like before libphonenumber is asked.
func (sc *scan) phoneShape(g *numGroup, a, b int, d []byte, maxLen int) phoneShapeKind {
	nd := len(d)
	ng := b - a
	first := g.groups[a].end - g.groups[a].start
	if g.plus && a == 0 {
		if nd < 8 || nd > 15 {
			return notPhone
		}
		return internationalPlus
	}
	if nd >= 10 && nd <= 17 && d[0] == '0' && d[1] == '0' && first <= 4 {
		return international00
	}
	if nd < 9 || nd > 12 {
		return notPhone // national numbers with their area code have 9 to 12 digits
	}
	if isDateShape(g, a, b) || ng == 3 && first == 3 && g.groups[a+1].end-g.groups[a+1].start == 2 && g.groups[a+2].end-g.groups[a+2].start == 4 {
		return notPhone // dates, and the SSN shape 3-2-4
	}
	if ng == 1 {
		if nd < 10 || !contextBefore(sc.text, g.groups[a].start, phoneContext) {
			return notPhone
		}
		return national
	}
	if ng == 2 && g.groups[a+1].sep == '.' && !g.groups[a].paren {
		return notPhone // a decimal number: revenue 70000.0000, not a mobile number in Spain
	}
	if ng > 5 || (first < 2 || first == 2 && d[0] != '0' || first > 5 && !(first == 6 && d[0] == '0')) && !g.groups[a].paren {
		return notPhone
	}
	for k := a + 1; k < b; k++ {
		if g.groups[k].end-g.groups[k].start < 2 {
			return notPhone
		}
	}
	if maxLen >= 6 && d[0] != '0' {
		return notPhone
	}
	return national
}

// phoneRegion is a region in which national numbers are tried.
type phoneRegion struct {
	code        string
	countryCode int32
	trunk       string // national (trunk) prefix dropped before the national number
	bare        bool   // national numbers are also written without the trunk prefix
}

type phoneRegions []phoneRegion

// defaultPhoneRegions follows Presidio's defaults (US, UK, DE, FR, IL, IN, CA, BR; CA
// shares the US plan) plus the largest other markets that write national numbers.
var defaultPhoneRegions = phoneRegions{
	{"US", 1, "1", true}, {"GB", 44, "0", false}, {"DE", 49, "0", false}, {"FR", 33, "0", false},
	{"IN", 91, "0", true}, {"BR", 55, "0", true}, {"IL", 972, "0", false}, {"AU", 61, "0", false},
	{"ES", 34, "", true}, {"IT", 39, "", true}, {"NL", 31, "0", false}, {"MX", 52, "", true},
}

// isDateShape reports dates such as 2024-01-15, 15.01.2024 or 2024 01 15.
func isDateShape(g *numGroup, a, b int) bool {
	if b-a < 3 {
		return false
	}
	l0 := g.groups[a].end - g.groups[a].start
	l1 := g.groups[a+1].end - g.groups[a+1].start
	l2 := g.groups[a+2].end - g.groups[a+2].start
	return l0 == 4 && l1 <= 2 && l2 <= 2 || l0 <= 2 && l1 <= 2 && l2 == 4
}

// versionContext reports whether the dotted number at i is a version: "version 10.1.2.3",
// "v: 10.1.2.3", "pkg==10.1.2.3", "build 10.1.2.3".
func versionContext(text string, i int) bool {
	j := i
	if j > 0 && (text[j-1] == '@' || text[j-1] == '^' || text[j-1] == '~') {
		return true
	}
	if j > 1 && text[j-1] == '=' && (text[j-2] == '=' || text[j-2] == '>' || text[j-2] == '<' || text[j-2] == '~' || text[j-2] == '!') {
		return true
	}
	for j > 0 && (text[j-1] == ' ' || text[j-1] == ':' || text[j-1] == '=' || text[j-1] == '"' || text[j-1] == '\'' || text[j-1] == '\t') {
		j--
	}
	e := j
	for j > 0 && isAlpha(text[j-1]) && e-j < 16 {
		j--
	}
	word := text[j:e]
	for _, v := range []string{"version", "ver", "v", "release", "build", "firmware", "fw", "rev", "revision", "sdk", "kernel", "update", "patch", "upgrade", "upgraded"} {
		if len(word) == len(v) && hasPrefixFold(word, v) {
			return true
		}
	}
	return false
}
