// Package expr parses and evaluates alert expressions: a PromQL subset over the metric
// windows of package series, with OpenTelemetry names (dots allowed in metric and label
// names) and histograms as first-class values.
//
//	histogram_quantile(0.99, sum by (gen_ai.request.model) (rate(gen_ai.client.operation.duration[5m]))) > 5
//	sum(rate(otelcol_llm.errors[2m])) / sum(rate(otelcol_llm.requests[2m])) > 0.05
package expr

import (
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/labels"
)

// Node is a parsed expression.
type Node interface {
	String() string
}

// Number is a scalar literal.
type Number struct{ V float64 }

// Selector picks series of one metric; Range > 0 makes it a range selector (`[5m]`).
type Selector struct {
	Metric   string
	Matchers labels.Matchers
	Range    time.Duration
}

// Call is a function application.
type Call struct {
	Func string
	Args []Node
}

// Aggregate is sum/avg/min/max/count, optionally `by` or `without` labels.
type Aggregate struct {
	Op       string
	Grouping []string
	Without  bool
	Expr     Node
}

// Binary is an arithmetic or comparison operation. Comparisons filter, as in PromQL.
type Binary struct {
	Op       string
	LHS, RHS Node
}

// Paren keeps user parentheses for printing.
type Paren struct{ Expr Node }

func (n *Number) String() string { return strconv.FormatFloat(n.V, 'g', -1, 64) }

func (n *Selector) String() string {
	var sb strings.Builder
	sb.WriteString(n.Metric)
	if len(n.Matchers) > 0 {
		sb.WriteString(n.Matchers.String())
	}
	if n.Range > 0 {
		sb.WriteString("[" + FormatDuration(n.Range) + "]")
	}
	return sb.String()
}

func (n *Call) String() string {
	args := make([]string, len(n.Args))
	for i, a := range n.Args {
		args[i] = a.String()
	}
	return n.Func + "(" + strings.Join(args, ", ") + ")"
}

func (n *Aggregate) String() string {
	s := n.Op
	if len(n.Grouping) > 0 || n.Without {
		kw := " by "
		if n.Without {
			kw = " without "
		}
		s += kw + "(" + strings.Join(n.Grouping, ", ") + ")"
	}
	return s + " (" + n.Expr.String() + ")"
}

func (n *Binary) String() string { return n.LHS.String() + " " + n.Op + " " + n.RHS.String() }

func (n *Paren) String() string { return "(" + n.Expr.String() + ")" }

// Walk calls fn on n and every node below it, parents first.
func Walk(n Node, fn func(Node)) {
	fn(n)
	switch n := n.(type) {
	case *Call:
		for _, a := range n.Args {
			Walk(a, fn)
		}
	case *Aggregate:
		Walk(n.Expr, fn)
	case *Binary:
		Walk(n.LHS, fn)
		Walk(n.RHS, fn)
	case *Paren:
		Walk(n.Expr, fn)
	}
}

// MaxRange is the longest range any selector in n reads: what the store must retain.
func MaxRange(n Node) time.Duration {
	var m time.Duration
	Walk(n, func(n Node) {
		if s, ok := n.(*Selector); ok && s.Range > m {
			m = s.Range
		}
	})
	return m
}

// Metrics lists the metric names n reads.
func Metrics(n Node) []string {
	var out []string
	Walk(n, func(n Node) {
		if s, ok := n.(*Selector); ok {
			out = append(out, s.Metric)
		}
	})
	return out
}

// FormatDuration prints d in the largest exact units (1h30m, 5m, 2d).
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	units := []struct {
		suffix string
		d      time.Duration
	}{{"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}, {"ms", time.Millisecond}}
	var sb strings.Builder
	for _, u := range units {
		if d >= u.d {
			sb.WriteString(strconv.FormatInt(int64(d/u.d), 10) + u.suffix)
			d %= u.d
		}
	}
	return sb.String()
}

// ParseDuration accepts Prometheus durations: sequences of an integer and a unit among
// ms, s, m, h, d, w (e.g. 1h30m, 7d).
func ParseDuration(s string) (time.Duration, error) {
	orig := s
	if s == "" {
		return 0, &durationError{orig}
	}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, &durationError{orig}
		}
		n, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil {
			return 0, &durationError{orig}
		}
		s = s[i:]
		var unit time.Duration
		switch {
		case strings.HasPrefix(s, "ms"):
			unit, s = time.Millisecond, s[2:]
		case strings.HasPrefix(s, "s"):
			unit, s = time.Second, s[1:]
		case strings.HasPrefix(s, "m"):
			unit, s = time.Minute, s[1:]
		case strings.HasPrefix(s, "h"):
			unit, s = time.Hour, s[1:]
		case strings.HasPrefix(s, "d"):
			unit, s = 24*time.Hour, s[1:]
		case strings.HasPrefix(s, "w"):
			unit, s = 7*24*time.Hour, s[1:]
		default:
			return 0, &durationError{orig}
		}
		total += time.Duration(n) * unit
	}
	return total, nil
}

type durationError struct{ s string }

func (e *durationError) Error() string {
	return "invalid duration " + strconv.Quote(e.s) + ": use an integer and a unit among ms, s, m, h, d, w, e.g. 5m or 1h30m"
}
