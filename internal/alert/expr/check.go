package expr

import (
	"fmt"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/series"
)

// Catalog tells the load-time checker the kind of metrics it knows; ok=false means the
// metric is unknown (it may still arrive from another pipeline).
type Catalog func(metric string) (kind series.Kind, ok bool)

// Check finds, before any data arrives, the mistakes that would make an expression fail at
// every evaluation: functions applied to metrics of the wrong kind, and bare range
// selectors. Metrics the catalog does not know are left to run time.
func Check(n Node, catalog Catalog) error {
	var err error
	kindOf := func(s *Selector) (series.Kind, bool) {
		if catalog == nil {
			return 0, false
		}
		return catalog(s.Metric)
	}
	var visit func(n Node, inFunc bool)
	visit = func(n Node, inFunc bool) {
		if err != nil {
			return
		}
		switch n := n.(type) {
		case *Selector:
			if n.Range > 0 && !inFunc {
				err = fmt.Errorf("%s is a range selector; wrap it in rate(), increase() or an *_over_time() function", n)
			}
		case *Call:
			if sel, ok := firstSelector(n); ok {
				if k, known := kindOf(sel); known {
					err = checkKind(n.Func, sel, k)
				}
			}
			for _, a := range n.Args {
				visit(a, true)
			}
		case *Aggregate:
			visit(n.Expr, false)
		case *Binary:
			visit(n.LHS, false)
			visit(n.RHS, false)
		case *Paren:
			visit(n.Expr, false)
		}
	}
	visit(n, false)
	return err
}

// firstSelector finds the selector a function ultimately reads, through aggregations and
// rate (histogram_quantile(0.99, sum by (x) (rate(m[5m]))) reads m).
func firstSelector(c *Call) (*Selector, bool) {
	var found *Selector
	for _, a := range c.Args {
		Walk(a, func(n Node) {
			if s, ok := n.(*Selector); ok && found == nil {
				found = s
			}
		})
	}
	return found, found != nil
}

func checkKind(fn string, sel *Selector, k series.Kind) error {
	switch fn {
	case "rate", "increase":
		if k == series.Gauge {
			return fmt.Errorf("%s(%s): %s is a gauge; rate and increase need a counter or a histogram (use avg_over_time or max_over_time)", fn, sel, sel.Metric)
		}
	case "histogram_quantile", "histogram_avg", "histogram_count", "histogram_sum":
		if k != series.Histogram {
			return fmt.Errorf("%s(...): %s is a %s, not a histogram; quantiles need a histogram metric such as gen_ai.client.operation.duration", fn, sel.Metric, k)
		}
	case "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "last_over_time":
		if k == series.Histogram {
			return fmt.Errorf("%s(%s): %s is a histogram; use histogram_quantile(0.99, rate(%s)) or histogram_avg(rate(%s))", fn, sel, sel.Metric, sel, sel)
		}
	}
	return nil
}
