package pii

import (
	"encoding/binary"
	"regexp/syntax"
	"slices"
)

// digitDFA decides whether a string of ASCII digits matches one of libphonenumber's
// patterns, by one table lookup a digit. A phone-shaped number is checked against up to
// three dozen patterns (the general description and the number types of every default
// region); with regexp's backtracker and NFA that took microseconds a number.
type digitDFA struct {
	next   [][10]int32 // the state after each digit; deadState: no match possible
	accept []bool      // the string read so far matches
}

const (
	deadState = -1
	// maxDFAStates bounds the DFA of one pattern; past it the regexp is used.
	maxDFAStates = 4096
)

// match reports whether the digits s match the whole pattern (compiled from "^(?:p)$").
func (d *digitDFA) match(s string) bool {
	st := int32(0)
	for i := 0; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return false
		}
		if st = d.next[st][c]; st == deadState {
			return false
		}
	}
	return d.accept[st]
}

// matchPrefix reports whether a prefix of the digits s matches the pattern (compiled
// from "^(?:p)": leading digits).
func (d *digitDFA) matchPrefix(s string) bool {
	st := int32(0)
	for i := 0; ; i++ {
		if d.accept[st] {
			return true
		}
		if i == len(s) || s[i]-'0' > 9 {
			return false
		}
		if st = d.next[st][s[i]-'0']; st == deadState {
			return false
		}
	}
}

// compileDigitDFA builds the DFA of an anchored pattern over digit strings by subset
// construction from the pattern's program. It reports false for a pattern that needs
// more than maxDFAStates states or an assertion other than the start and the end of
// the text: the caller keeps the regexp for those.
func compileDigitDFA(pattern string) (*digitDFA, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, false
	}
	b := dfaBuilder{prog: prog, ids: map[string]int32{}, seen: make([]uint32, len(prog.Inst)), matchSeen: make([]bool, len(prog.Inst))}
	b.mark++
	start := b.closure(nil, uint32(prog.Start), true)
	if b.unsupported {
		return nil, false
	}
	b.add(start)
	for i := 0; i < len(b.sets); i++ {
		var row [10]int32
		for c := range 10 {
			b.mark++
			var next []uint32
			for _, pc := range b.sets[i] {
				if in := &prog.Inst[pc]; consumes(in, rune('0'+c)) {
					next = b.closure(next, in.Out, false)
				}
			}
			if b.unsupported {
				return nil, false
			}
			row[c] = deadState
			if len(next) > 0 {
				id, ok := b.add(next)
				if !ok {
					return nil, false
				}
				row[c] = id
			}
		}
		b.dfa.next = append(b.dfa.next, row)
	}
	return &b.dfa, true
}

type dfaBuilder struct {
	prog        *syntax.Prog
	dfa         digitDFA
	sets        [][]uint32       // the instructions of each state, sorted
	ids         map[string]int32 // a state's instructions (as bytes) to its number
	seen        []uint32         // mark of the closure that last added an instruction
	mark        uint32
	matchSeen   []bool // instructions visited by one reachesMatch
	unsupported bool
}

// add returns the number of the state of the instructions set, new or not.
func (b *dfaBuilder) add(set []uint32) (int32, bool) {
	slices.Sort(set)
	var kb []byte
	for _, pc := range set {
		kb = binary.LittleEndian.AppendUint32(kb, pc)
	}
	key := string(kb)
	if id, ok := b.ids[key]; ok {
		return id, true
	}
	if len(b.sets) == maxDFAStates {
		return 0, false
	}
	id := int32(len(b.sets))
	b.ids[key] = id
	b.sets = append(b.sets, set)
	b.dfa.accept = append(b.dfa.accept, b.accepts(set))
	return id, true
}

// closure adds to set the instructions reachable from pc without reading a digit: those
// that read one, matches, and end-of-text assertions (decided by accepts). begin says
// the text has not started.
func (b *dfaBuilder) closure(set []uint32, pc uint32, begin bool) []uint32 {
	if b.seen[pc] == b.mark {
		return set
	}
	b.seen[pc] = b.mark
	in := &b.prog.Inst[pc]
	switch in.Op {
	case syntax.InstAlt, syntax.InstAltMatch:
		set = b.closure(set, in.Out, begin)
		return b.closure(set, in.Arg, begin)
	case syntax.InstCapture, syntax.InstNop:
		return b.closure(set, in.Out, begin)
	case syntax.InstEmptyWidth:
		op := syntax.EmptyOp(in.Arg)
		if op&^(syntax.EmptyBeginText|syntax.EmptyBeginLine|syntax.EmptyEndText|syntax.EmptyEndLine) != 0 {
			b.unsupported = true
			return set
		}
		if op&(syntax.EmptyBeginText|syntax.EmptyBeginLine) != 0 && !begin {
			return set
		}
		if op&(syntax.EmptyEndText|syntax.EmptyEndLine) != 0 {
			return append(set, pc) // holds only where the text ends: see accepts
		}
		return b.closure(set, in.Out, begin)
	case syntax.InstMatch, syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
		return append(set, pc)
	}
	return set // InstFail
}

// accepts reports whether the text read up to a state of the instructions set matches:
// a match instruction, or one reached past end-of-text assertions.
func (b *dfaBuilder) accepts(set []uint32) bool {
	for _, pc := range set {
		clear(b.matchSeen)
		if b.reachesMatch(pc) {
			return true
		}
	}
	return false
}

func (b *dfaBuilder) reachesMatch(pc uint32) bool {
	if b.matchSeen[pc] {
		return false
	}
	b.matchSeen[pc] = true
	in := &b.prog.Inst[pc]
	switch in.Op {
	case syntax.InstMatch:
		return true
	case syntax.InstEmptyWidth:
		// Past the start: a begin-of-text assertion fails (numbers are never empty).
		return syntax.EmptyOp(in.Arg)&(syntax.EmptyBeginText|syntax.EmptyBeginLine) == 0 && b.reachesMatch(in.Out)
	case syntax.InstAlt, syntax.InstAltMatch:
		return b.reachesMatch(in.Out) || b.reachesMatch(in.Arg)
	case syntax.InstCapture, syntax.InstNop:
		return b.reachesMatch(in.Out)
	}
	return false
}

// consumes reports whether the instruction reads the rune r.
func consumes(in *syntax.Inst, r rune) bool {
	switch in.Op {
	case syntax.InstRune:
		return in.MatchRune(r)
	case syntax.InstRune1:
		return in.Rune[0] == r
	case syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
		return true
	}
	return false
}
