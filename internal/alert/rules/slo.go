package rules

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/expr"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/labels"
)

// SLOConfig is a multi-window, multi-burn-rate SLO alert (Google SRE Workbook, ch. 5).
// Errors and Total are expressions with a $window placeholder for the range.
type SLOConfig struct {
	// Objective is the target success ratio, e.g. 0.995.
	Objective float64 `mapstructure:"objective" json:"objective"`
	// Period is the SLO period the error budget spans (default 30 days).
	Period time.Duration `mapstructure:"period" json:"period,omitempty"`
	// Errors counts bad events over $window, e.g. sum(increase(otelcol_llm.errors[$window])).
	Errors string `mapstructure:"errors" json:"errors"`
	// Total counts all events over $window, e.g. sum(increase(otelcol_llm.requests[$window])).
	Total string `mapstructure:"total" json:"total"`
	// Windows default to the workbook's table for a 30-day SLO.
	Windows []BurnWindow `mapstructure:"windows" json:"windows,omitempty"`
}

// BurnWindow fires when the error ratio over both Long and Short exceeds BurnRate × budget.
type BurnWindow struct {
	Long     time.Duration `mapstructure:"long" json:"long"`
	Short    time.Duration `mapstructure:"short" json:"short"`
	BurnRate float64       `mapstructure:"burn_rate" json:"burn_rate"`
	Severity string        `mapstructure:"severity" json:"severity"`
}

// DefaultBurnWindows is Table 5-8 of the SRE Workbook for a 30-day SLO: pages at 2% of
// the budget in 1h and 5% in 6h, a ticket at 10% in 3 days. Severities map page →
// critical and ticket → warning.
func DefaultBurnWindows() []BurnWindow {
	return []BurnWindow{
		{Long: time.Hour, Short: 5 * time.Minute, BurnRate: 14.4, Severity: SeverityCritical},
		{Long: 6 * time.Hour, Short: 30 * time.Minute, BurnRate: 6, Severity: SeverityCritical},
		{Long: 72 * time.Hour, Short: 6 * time.Hour, BurnRate: 1, Severity: SeverityWarning},
	}
}

func (c *SLOConfig) validate(catalog expr.Catalog) error {
	if c.Objective <= 0 || c.Objective >= 1 {
		return fmt.Errorf("slo.objective: %g must be a ratio between 0 and 1 exclusive, e.g. 0.995", c.Objective)
	}
	if c.Period == 0 {
		c.Period = 30 * 24 * time.Hour
	}
	if len(c.Windows) == 0 {
		c.Windows = DefaultBurnWindows()
	}
	for _, f := range []struct{ name, e string }{{"slo.errors", c.Errors}, {"slo.total", c.Total}} {
		if !strings.Contains(f.e, "$window") {
			return fmt.Errorf("%s: must read its range from $window, e.g. sum(increase(otelcol_llm.errors[$window]))", f.name)
		}
		if err := checkExpr(f.name, strings.ReplaceAll(f.e, "$window", "1h"), false, catalog); err != nil {
			return err
		}
	}
	for i, w := range c.Windows {
		switch {
		case w.Long <= 0 || w.Short <= 0:
			return fmt.Errorf("slo.windows[%d]: long and short must be positive durations", i)
		case w.Short >= w.Long:
			return fmt.Errorf("slo.windows[%d]: short (%s) must be shorter than long (%s); the workbook uses 1/12", i, w.Short, w.Long)
		case w.BurnRate <= 0:
			return fmt.Errorf("slo.windows[%d].burn_rate: must be positive (14.4 pages at 2%% of a 30-day budget per hour)", i)
		}
		switch w.Severity {
		case SeverityCritical, SeverityHigh, SeverityWarning, SeverityInfo:
		default:
			return fmt.Errorf("slo.windows[%d].severity: %q is not one of critical, high, warning, info", i, w.Severity)
		}
	}
	return nil
}

type ratioExpr struct{ errors, total expr.Node }

type sloSource struct {
	budget  float64
	windows []BurnWindow
	ratios  map[time.Duration]ratioExpr
	longest time.Duration
}

func newSLOSource(cfg Config) (*sloSource, error) {
	c := cfg.SLO
	s := &sloSource{budget: 1 - c.Objective, windows: c.Windows, ratios: map[time.Duration]ratioExpr{}}
	for _, w := range c.Windows {
		for _, d := range []time.Duration{w.Long, w.Short} {
			if _, ok := s.ratios[d]; ok {
				continue
			}
			win := expr.FormatDuration(d)
			e, err := expr.Parse(strings.ReplaceAll(c.Errors, "$window", win))
			if err != nil {
				return nil, err
			}
			t, err := expr.Parse(strings.ReplaceAll(c.Total, "$window", win))
			if err != nil {
				return nil, err
			}
			s.ratios[d] = ratioExpr{e, t}
			s.longest = max(s.longest, d)
		}
	}
	if len(s.ratios) == 0 {
		return nil, errors.New("slo: no windows")
	}
	return s, nil
}

func (s *sloSource) maxRange() time.Duration { return s.longest }

// errorRatio evaluates errors/total over one window, keyed by label fingerprint.
func (s *sloSource) errorRatio(env *expr.Env, d time.Duration, w *expr.Warnings) (map[uint64]expr.Sample, error) {
	r := s.ratios[d]
	ev, err := expr.Eval(env, r.errors, w)
	if err != nil {
		return nil, err
	}
	tv, err := expr.Eval(env, r.total, w)
	if err != nil {
		return nil, err
	}
	totals := make(map[uint64]float64, len(tv.Vector))
	for _, t := range tv.Vector {
		totals[t.Labels.Fingerprint()] = t.V
	}
	out := make(map[uint64]expr.Sample, len(ev.Vector))
	for _, e := range ev.Vector {
		fp := e.Labels.Fingerprint()
		t, ok := totals[fp]
		if !ok || t <= 0 {
			continue // no traffic: no burn
		}
		out[fp] = expr.Sample{Labels: e.Labels, V: e.V / t}
	}
	return out, nil
}

// eval returns, per label set and severity, the burn rate of the long window of the first
// window pair whose long and short ratios both exceed its burn rate.
func (s *sloSource) eval(env *expr.Env, w *expr.Warnings) (expr.Vector, error) {
	cache := map[time.Duration]map[uint64]expr.Sample{}
	ratio := func(d time.Duration) (map[uint64]expr.Sample, error) {
		if r, ok := cache[d]; ok {
			return r, nil
		}
		r, err := s.errorRatio(env, d, w)
		cache[d] = r
		return r, err
	}
	type key struct {
		fp  uint64
		sev string
	}
	seen := map[key]bool{}
	var out expr.Vector
	for _, win := range s.windows {
		long, err := ratio(win.Long)
		if err != nil {
			return nil, err
		}
		short, err := ratio(win.Short)
		if err != nil {
			return nil, err
		}
		limit := win.BurnRate * s.budget
		for fp, l := range long {
			sh, ok := short[fp]
			if !ok || l.V <= limit || sh.V <= limit || seen[key{fp, win.Severity}] {
				continue
			}
			seen[key{fp, win.Severity}] = true
			// One alert per severity, whichever window pair trips it (as Sloth does), so a
			// page that moves from the 1h to the 6h pair keeps its identity.
			ls := labels.NewBuilder(l.Labels).Set("severity", win.Severity).Labels()
			out = append(out, expr.Sample{Labels: ls, V: l.V / s.budget})
		}
	}
	return out, nil
}
