package expr

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/series"
)

type function struct {
	check func(*Call) error
	eval  func(*Env, *Call, *Warnings) (Value, error)
}

var functions map[string]function

func init() {
	functions = map[string]function{
		"rate":               {check: rangeArg("rate"), eval: counterFn(true)},
		"increase":           {check: rangeArg("increase"), eval: counterFn(false)},
		"avg_over_time":      overTime("avg_over_time", func(s []float64) float64 { return sum(s) / float64(len(s)) }),
		"min_over_time":      overTime("min_over_time", func(s []float64) float64 { return slices.Min(s) }),
		"max_over_time":      overTime("max_over_time", func(s []float64) float64 { return slices.Max(s) }),
		"sum_over_time":      overTime("sum_over_time", sum),
		"count_over_time":    overTime("count_over_time", func(s []float64) float64 { return float64(len(s)) }),
		"last_over_time":     overTime("last_over_time", func(s []float64) float64 { return s[len(s)-1] }),
		"histogram_quantile": {check: quantileCheck, eval: histogramQuantile},
		"histogram_avg":      histFn("histogram_avg", func(h *series.Hist) float64 { return h.Sum / h.Count }),
		"histogram_count":    histFn("histogram_count", func(h *series.Hist) float64 { return h.Count }),
		"histogram_sum":      histFn("histogram_sum", func(h *series.Hist) float64 { return h.Sum }),
		"abs":                {check: arity("abs", 1), eval: absFn},
	}
}

func functionNames() string {
	names := make([]string, 0, len(functions))
	for n := range functions {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func sum(s []float64) float64 {
	var t float64
	for _, v := range s {
		t += v
	}
	return t
}

func arity(name string, n int) func(*Call) error {
	return func(c *Call) error {
		if len(c.Args) != n {
			return fmt.Errorf("%s() takes %d argument(s), got %d", name, n, len(c.Args))
		}
		return nil
	}
}

func rangeArg(name string) func(*Call) error {
	return func(c *Call) error {
		if len(c.Args) != 1 {
			return fmt.Errorf("%s() takes one range selector, e.g. %s(metric[5m])", name, name)
		}
		if s, ok := c.Args[0].(*Selector); !ok || s.Range == 0 {
			return fmt.Errorf("%s() needs a range selector such as metric[5m], got %s", name, c.Args[0])
		}
		return nil
	}
}

func counterFn(perSecond bool) func(*Env, *Call, *Warnings) (Value, error) {
	return func(env *Env, c *Call, _ *Warnings) (Value, error) {
		sel := c.Args[0].(*Selector)
		m := env.metric(sel)
		if m == nil {
			return Value{}, nil
		}
		if m.Kind == series.Gauge {
			return Value{}, errorf("%s(): %s is a gauge; rate and increase need a counter or a histogram (use avg_over_time or max_over_time for gauges)", c.Func, sel.Metric)
		}
		secs := sel.Range.Seconds()
		out := make(Vector, 0, m.SizeHint(sel.Matchers))
		env.window(sel, func(ser *series.Series, from, to int64) {
			if m.Kind == series.Histogram {
				h, ok := ser.HistIncrease(from, to)
				if !ok {
					return
				}
				if perSecond {
					for i := range h.Counts {
						h.Counts[i] /= secs
					}
					h.Count /= secs
					h.Sum /= secs
				}
				out = append(out, Sample{Labels: ser.Labels, H: h})
				return
			}
			v, ok := ser.Increase(from, to)
			if !ok {
				return
			}
			if perSecond {
				v /= secs
			}
			out = append(out, Sample{Labels: ser.Labels, V: v})
		})
		return Value{Vector: out}, nil
	}
}

func overTime(name string, agg func([]float64) float64) function {
	return function{
		check: rangeArg(name),
		eval: func(env *Env, c *Call, _ *Warnings) (Value, error) {
			sel := c.Args[0].(*Selector)
			m := env.metric(sel)
			if m == nil {
				return Value{}, nil
			}
			if m.Kind == series.Histogram {
				return Value{}, errorf("%s(): %s is a histogram; use histogram_quantile(φ, rate(%s)) or histogram_avg(rate(%s))", name, sel.Metric, sel, sel)
			}
			out := make(Vector, 0, m.SizeHint(sel.Matchers))
			var buf []float64
			env.window(sel, func(ser *series.Series, from, to int64) {
				w := ser.Samples(from, to)
				if len(w) == 0 {
					return
				}
				buf = buf[:0]
				for _, p := range w {
					buf = append(buf, p.V)
				}
				out = append(out, Sample{Labels: ser.Labels, V: agg(buf)})
			})
			return Value{Vector: out}, nil
		},
	}
}

func quantileCheck(c *Call) error {
	if len(c.Args) != 2 {
		return errors.New("histogram_quantile() takes (φ, histogram vector), e.g. histogram_quantile(0.99, rate(metric[5m]))")
	}
	n, ok := c.Args[0].(*Number)
	if !ok {
		return fmt.Errorf("histogram_quantile(): φ must be a number between 0 and 1, got %s", c.Args[0])
	}
	if n.V < 0 || n.V > 1 {
		return fmt.Errorf("histogram_quantile(): φ must be between 0 and 1, got %g", n.V)
	}
	return nil
}

func histogramQuantile(env *Env, c *Call, w *Warnings) (Value, error) {
	q := c.Args[0].(*Number).V
	v, err := Eval(env, c.Args[1], w)
	if err != nil {
		return Value{}, err
	}
	var out Vector
	for _, s := range v.Vector {
		if s.H == nil {
			return Value{}, errorf("histogram_quantile(): %s is not a histogram (counters and gauges have no buckets)", c.Args[1])
		}
		x := s.H.Quantile(q)
		if math.IsNaN(x) {
			continue // no observations in the window: no result, as in PromQL
		}
		out = append(out, Sample{Labels: s.Labels, V: x})
	}
	return Value{Vector: out}, nil
}

func histFn(name string, f func(*series.Hist) float64) function {
	return function{
		check: arity(name, 1),
		eval: func(env *Env, c *Call, w *Warnings) (Value, error) {
			v, err := Eval(env, c.Args[0], w)
			if err != nil {
				return Value{}, err
			}
			var out Vector
			for _, s := range v.Vector {
				if s.H == nil {
					return Value{}, errorf("%s(): %s is not a histogram", name, c.Args[0])
				}
				x := f(s.H)
				if math.IsNaN(x) || math.IsInf(x, 0) {
					continue
				}
				out = append(out, Sample{Labels: s.Labels, V: x})
			}
			return Value{Vector: out}, nil
		},
	}
}

func absFn(env *Env, c *Call, w *Warnings) (Value, error) {
	v, err := Eval(env, c.Args[0], w)
	if err != nil || v.IsScalar {
		return Value{Scalar: math.Abs(v.Scalar), IsScalar: v.IsScalar}, err
	}
	out := make(Vector, 0, len(v.Vector))
	for _, s := range v.Vector {
		if s.H != nil {
			return Value{}, errorf("abs(): argument is a histogram")
		}
		out = append(out, Sample{Labels: s.Labels, V: math.Abs(s.V)})
	}
	return Value{Vector: out}, nil
}
