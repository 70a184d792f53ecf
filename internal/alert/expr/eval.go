package expr

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/labels"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/series"
)

// Sample is one element of an instant vector: a float or a histogram (H != nil).
type Sample struct {
	Labels labels.Labels
	V      float64
	H      *series.Hist
}

// Vector is an instant vector.
type Vector []Sample

// Value is the result of evaluating a node: a scalar or a vector.
type Value struct {
	Scalar   float64
	IsScalar bool
	Vector   Vector
}

// EvalError is a run-time failure of one expression (type mismatch, bad layout); the
// caller reports it for that rule and goes on with the others.
type EvalError struct{ Msg string }

func (e *EvalError) Error() string { return e.Msg }

func errorf(format string, args ...any) error { return &EvalError{fmt.Sprintf(format, args...)} }

// Env is one evaluation instant. One Env is shared by all rules of a cycle so that common
// sub-expressions (the same rate over the same selector) are computed once.
type Env struct {
	View     series.View
	At       time.Time
	Lookback time.Duration
	cache    map[string]Value
}

// NewEnv prepares an evaluation at at.
func NewEnv(v series.View, at time.Time, lookback time.Duration) *Env {
	return &Env{View: v, At: at, Lookback: lookback, cache: map[string]Value{}}
}

// Warnings are non-fatal problems of one rule evaluation (e.g. division by zero dropped
// a series); they are reported with the rule but do not fail it.
type Warnings struct {
	DivisionByZero int `json:"divisionByZero"`
	NonFinite      int `json:"nonFinite"`
}

// Eval evaluates n. Results of calls and aggregations are cached in env and must not be
// modified by callers.
func Eval(env *Env, n Node, w *Warnings) (Value, error) {
	switch n := n.(type) {
	case *Number:
		return Value{Scalar: n.V, IsScalar: true}, nil
	case *Paren:
		return Eval(env, n.Expr, w)
	case *Selector:
		if n.Range > 0 {
			return Value{}, errorf("%s is a range selector; wrap it in a function such as rate() or avg_over_time()", n)
		}
		return env.cached(n, func() (Value, error) { return env.instant(n) })
	case *Call:
		return env.cached(n, func() (Value, error) { return functions[n.Func].eval(env, n, w) })
	case *Aggregate:
		return env.cached(n, func() (Value, error) {
			v, err := Eval(env, n.Expr, w)
			if err != nil {
				return Value{}, err
			}
			if v.IsScalar {
				return Value{}, errorf("%s(...) needs a vector, got a scalar", n.Op)
			}
			return aggregate(n, v.Vector)
		})
	case *Binary:
		return binary(env, n, w)
	}
	return Value{}, errorf("unsupported expression %T", n)
}

func (env *Env) cached(n Node, compute func() (Value, error)) (Value, error) {
	key := n.String()
	if v, ok := env.cache[key]; ok {
		return v, nil
	}
	v, err := compute()
	if err != nil {
		return v, err
	}
	env.cache[key] = v
	return v, nil
}

func (env *Env) metric(s *Selector) *series.Metric { return env.View.Metric(s.Metric) }

func (env *Env) instant(s *Selector) (Value, error) {
	m := env.metric(s)
	if m == nil {
		return Value{}, nil
	}
	at, lb := env.At.UnixNano(), int64(env.Lookback)
	out := make(Vector, 0, m.SizeHint(s.Matchers))
	m.Select(s.Matchers, func(ser *series.Series) {
		if p, ok := ser.Last(at, lb); ok {
			out = append(out, Sample{Labels: ser.Labels, V: p.V, H: p.H})
		}
	})
	return Value{Vector: out}, nil
}

// window runs fn on each matching series of a range selector.
func (env *Env) window(s *Selector, fn func(ser *series.Series, from, to int64)) {
	m := env.metric(s)
	if m == nil {
		return
	}
	to := env.At.UnixNano()
	from := to - int64(s.Range)
	m.Select(s.Matchers, func(ser *series.Series) { fn(ser, from, to) })
}

func aggregate(a *Aggregate, in Vector) (Value, error) {
	type group struct {
		labels labels.Labels
		v      float64
		h      *series.Hist
		n      int
	}
	groups := map[uint64]*group{}
	var order []uint64
	for _, s := range in {
		fp := s.Labels.GroupHash(a.Grouping, a.Without)
		g := groups[fp]
		if g == nil {
			ls := s.Labels.Keep(a.Grouping)
			if a.Without {
				ls = s.Labels.Drop(a.Grouping)
			}
			g = &group{labels: ls}
			groups[fp] = g
			order = append(order, fp)
		}
		if s.H != nil {
			if a.Op != "sum" && a.Op != "count" {
				return Value{}, errorf("%s() cannot aggregate histograms; use sum, or histogram_quantile/histogram_avg first", a.Op)
			}
			if a.Op == "sum" {
				if g.h == nil {
					g.h = &series.Hist{Bounds: s.H.Bounds, Counts: make([]float64, len(s.H.Counts))}
				} else if !series.SameBounds(g.h.Bounds, s.H.Bounds) {
					return Value{}, errorf("sum of histograms with different bucket bounds for %s: %v vs %v", g.labels, g.h.Bounds, s.H.Bounds)
				}
				for i, c := range s.H.Counts {
					g.h.Counts[i] += c
				}
				g.h.Count += s.H.Count
				g.h.Sum += s.H.Sum
			}
			g.n++
			continue
		}
		switch {
		case g.n == 0:
			g.v = s.V
		case a.Op == "sum" || a.Op == "avg":
			g.v += s.V
		case a.Op == "min":
			g.v = math.Min(g.v, s.V)
		case a.Op == "max":
			g.v = math.Max(g.v, s.V)
		}
		g.n++
	}
	out := make(Vector, 0, len(groups))
	for _, fp := range order {
		g := groups[fp]
		switch a.Op {
		case "avg":
			g.v /= float64(g.n)
		case "count":
			g.v, g.h = float64(g.n), nil
		}
		out = append(out, Sample{Labels: g.labels, V: g.v, H: g.h})
	}
	return Value{Vector: out}, nil
}

func binary(env *Env, b *Binary, w *Warnings) (Value, error) {
	l, err := Eval(env, b.LHS, w)
	if err != nil {
		return Value{}, err
	}
	r, err := Eval(env, b.RHS, w)
	if err != nil {
		return Value{}, err
	}
	cmp := IsComparison(b.Op)
	if l.IsScalar && r.IsScalar {
		if cmp {
			return Value{}, errorf("comparison %s between two numbers; compare an expression over metrics with a threshold", b)
		}
		v, _ := arith(b.Op, l.Scalar, r.Scalar)
		return Value{Scalar: v, IsScalar: true}, nil
	}
	for _, v := range []Value{l, r} {
		for _, s := range v.Vector {
			if s.H != nil {
				return Value{}, errorf("%s: operands are histograms; apply histogram_quantile, histogram_avg, histogram_count or histogram_sum first", b)
			}
		}
	}
	apply := func(ls labels.Labels, a, c float64, keep float64) (Sample, bool) {
		if cmp {
			if compare(b.Op, a, c) {
				return Sample{Labels: ls, V: keep}, true
			}
			return Sample{}, false
		}
		v, divZero := arith(b.Op, a, c)
		if divZero {
			w.DivisionByZero++
			return Sample{}, false
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			w.NonFinite++
			return Sample{}, false
		}
		return Sample{Labels: ls, V: v}, true
	}
	var out Vector
	switch {
	case r.IsScalar:
		for _, s := range l.Vector {
			if o, ok := apply(s.Labels, s.V, r.Scalar, s.V); ok {
				out = append(out, o)
			}
		}
	case l.IsScalar:
		for _, s := range r.Vector {
			if o, ok := apply(s.Labels, l.Scalar, s.V, s.V); ok {
				out = append(out, o)
			}
		}
	default:
		// One-to-one matching on identical label sets: aggregate both sides by the same
		// labels to line them up (sum by (model) (...) / sum by (model) (...)).
		idx := make(map[uint64]int, len(r.Vector))
		for i, s := range r.Vector {
			idx[s.Labels.Fingerprint()] = i
		}
		for _, s := range l.Vector {
			i, ok := idx[s.Labels.Fingerprint()]
			if !ok {
				continue
			}
			if o, ok := apply(s.Labels, s.V, r.Vector[i].V, s.V); ok {
				out = append(out, o)
			}
		}
	}
	return Value{Vector: out}, nil
}

func arith(op string, a, b float64) (v float64, divZero bool) {
	switch op {
	case "+":
		return a + b, false
	case "-":
		return a - b, false
	case "*":
		return a * b, false
	}
	if b == 0 {
		return math.NaN(), true
	}
	return a / b, false
}

func compare(op string, a, b float64) bool {
	switch op {
	case ">":
		return a > b
	case "<":
		return a < b
	case ">=":
		return a >= b
	case "<=":
		return a <= b
	case "==":
		return a == b
	}
	return a != b
}

// Sort orders a vector by label set, for stable output.
func (v Vector) Sort() {
	sort.Slice(v, func(i, j int) bool { return v[i].Labels.String() < v[j].Labels.String() })
}
