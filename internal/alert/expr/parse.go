package expr

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/labels"
)

// SyntaxError points at the offending position of an expression.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("at character %d: %s", e.Pos+1, e.Msg) }

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tNumber
	tString
	tDuration
	tOp
	tPunct
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func lex(s string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return nil, &SyntaxError{i, "unclosed '[': a range is written like [5m]"}
			}
			toks = append(toks, token{tPunct, "[", i}, token{tDuration, strings.TrimSpace(s[i+1 : i+j]), i + 1}, token{tPunct, "]", i + j})
			i += j + 1
		case strings.ContainsRune("(){},", rune(c)):
			toks = append(toks, token{tPunct, string(c), i})
			i++
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, &SyntaxError{i, "unterminated string"}
			}
			raw := s[i : j+1]
			if c == '\'' {
				raw = `"` + strings.ReplaceAll(s[i+1:j], `"`, `\"`) + `"`
			}
			v, err := strconv.Unquote(raw)
			if err != nil {
				return nil, &SyntaxError{i, "invalid string: " + err.Error()}
			}
			toks = append(toks, token{tString, v, i})
			i = j + 1
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E' ||
				(s[j] == '+' || s[j] == '-') && j > i && (s[j-1] == 'e' || s[j-1] == 'E')) {
				j++
			}
			toks = append(toks, token{tNumber, s[i:j], i})
			i = j
		case c == '_' || unicode.IsLetter(rune(c)):
			j := i
			for j < len(s) && (s[j] == '_' || s[j] == '.' || s[j] == ':' || unicode.IsLetter(rune(s[j])) || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			toks = append(toks, token{tIdent, s[i:j], i})
			i = j
		default:
			op := ""
			for _, o := range []string{"==", "!=", ">=", "<=", "=~", "!~", ">", "<", "=", "+", "-", "*", "/"} {
				if strings.HasPrefix(s[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				return nil, &SyntaxError{i, fmt.Sprintf("unexpected character %q", c)}
			}
			toks = append(toks, token{tOp, op, i})
			i += len(op)
		}
	}
	return append(toks, token{tEOF, "", len(s)}), nil
}

// Parse parses an expression and checks function arity and argument shapes.
func Parse(s string) (Node, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	n, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, &SyntaxError{t.pos, fmt.Sprintf("unexpected %q after a complete expression", t.text)}
	}
	return n, nil
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) expect(kind tokKind, text string) (token, error) {
	t := p.next()
	if t.kind != kind || (text != "" && t.text != text) {
		want := text
		if want == "" {
			want = map[tokKind]string{tIdent: "a name", tString: "a quoted string", tNumber: "a number"}[kind]
		}
		got := t.text
		if t.kind == tEOF {
			got = "end of expression"
		}
		return t, &SyntaxError{t.pos, fmt.Sprintf("expected %s, found %q", want, got)}
	}
	return t, nil
}

var precedence = map[string]int{
	"==": 1, "!=": 1, ">": 1, "<": 1, ">=": 1, "<=": 1,
	"+": 2, "-": 2,
	"*": 3, "/": 3,
}

// IsComparison reports whether op filters rather than computes.
func IsComparison(op string) bool { return precedence[op] == 1 }

func (p *parser) expr(minPrec int) (Node, error) {
	lhs, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		prec, ok := precedence[t.text]
		if t.kind != tOp || !ok || prec <= minPrec {
			return lhs, nil
		}
		p.next()
		rhs, err := p.expr(prec)
		if err != nil {
			return nil, err
		}
		lhs = &Binary{Op: t.text, LHS: lhs, RHS: rhs}
	}
}

var aggregators = map[string]bool{"sum": true, "avg": true, "min": true, "max": true, "count": true}

func (p *parser) unary() (Node, error) {
	t := p.peek()
	switch {
	case t.kind == tOp && t.text == "-":
		p.next()
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		if num, ok := n.(*Number); ok {
			return &Number{-num.V}, nil
		}
		return &Binary{Op: "*", LHS: &Number{-1}, RHS: n}, nil
	case t.kind == tNumber:
		p.next()
		v, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, &SyntaxError{t.pos, "invalid number " + strconv.Quote(t.text)}
		}
		return &Number{v}, nil
	case t.kind == tPunct && t.text == "(":
		p.next()
		n, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tPunct, ")"); err != nil {
			return nil, err
		}
		return &Paren{n}, nil
	case t.kind == tIdent:
		p.next()
		if aggregators[t.text] {
			return p.aggregate(t)
		}
		if nt := p.peek(); nt.kind == tPunct && nt.text == "(" {
			return p.call(t)
		}
		return p.selector(t)
	case t.kind == tEOF:
		return nil, &SyntaxError{t.pos, "unexpected end of expression"}
	}
	return nil, &SyntaxError{t.pos, fmt.Sprintf("unexpected %q", t.text)}
}

func (p *parser) aggregate(op token) (Node, error) {
	a := &Aggregate{Op: op.text}
	grouping := func() error {
		kw := p.peek()
		if kw.kind != tIdent || (kw.text != "by" && kw.text != "without") {
			return nil
		}
		p.next()
		a.Without = kw.text == "without"
		if _, err := p.expect(tPunct, "("); err != nil {
			return err
		}
		for {
			t := p.next()
			if t.kind == tPunct && t.text == ")" {
				return nil
			}
			if t.kind == tPunct && t.text == "," {
				continue
			}
			if t.kind != tIdent && t.kind != tString {
				return &SyntaxError{t.pos, fmt.Sprintf("expected a label name in %s (...), found %q", kw.text, t.text)}
			}
			a.Grouping = append(a.Grouping, t.text)
		}
	}
	if err := grouping(); err != nil {
		return nil, err
	}
	if _, err := p.expect(tPunct, "("); err != nil {
		return nil, err
	}
	inner, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(tPunct, ")"); err != nil {
		return nil, err
	}
	a.Expr = inner
	if len(a.Grouping) == 0 && !a.Without {
		if err := grouping(); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func (p *parser) call(name token) (Node, error) {
	fn, ok := functions[name.text]
	if !ok {
		return nil, &SyntaxError{name.pos, fmt.Sprintf("unknown function %q; known: %s", name.text, functionNames())}
	}
	p.next() // (
	c := &Call{Func: name.text}
	for {
		if t := p.peek(); t.kind == tPunct && t.text == ")" {
			p.next()
			break
		}
		if len(c.Args) > 0 {
			if _, err := p.expect(tPunct, ","); err != nil {
				return nil, err
			}
		}
		a, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		c.Args = append(c.Args, a)
	}
	if err := fn.check(c); err != nil {
		return nil, &SyntaxError{name.pos, err.Error()}
	}
	return c, nil
}

func (p *parser) selector(name token) (Node, error) {
	s := &Selector{Metric: name.text}
	if t := p.peek(); t.kind == tPunct && t.text == "{" {
		p.next()
		for {
			t := p.next()
			if t.kind == tPunct && t.text == "}" {
				break
			}
			if t.kind == tPunct && t.text == "," {
				continue
			}
			if t.kind != tIdent && t.kind != tString {
				return nil, &SyntaxError{t.pos, fmt.Sprintf("expected a label name in {...}, found %q", t.text)}
			}
			op, err := p.expect(tOp, "")
			if err != nil {
				return nil, err
			}
			mt, ok := map[string]labels.MatchType{"=": labels.MatchEqual, "!=": labels.MatchNotEqual, "=~": labels.MatchRegexp, "!~": labels.MatchNotRegexp}[op.text]
			if !ok {
				return nil, &SyntaxError{op.pos, fmt.Sprintf("unknown matcher operator %q; use =, !=, =~ or !~", op.text)}
			}
			v, err := p.expect(tString, "")
			if err != nil {
				return nil, err
			}
			m, err := labels.NewMatcher(mt, t.text, v.text)
			if err != nil {
				return nil, &SyntaxError{v.pos, err.Error()}
			}
			s.Matchers = append(s.Matchers, m)
		}
	}
	if t := p.peek(); t.kind == tPunct && t.text == "[" {
		p.next()
		d := p.next()
		dur, err := ParseDuration(d.text)
		if err != nil {
			return nil, &SyntaxError{d.pos, err.Error()}
		}
		if dur <= 0 {
			return nil, &SyntaxError{d.pos, "range must be positive"}
		}
		p.next() // ]
		s.Range = dur
	}
	return s, nil
}
