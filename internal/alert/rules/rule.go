package rules

import (
	"fmt"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/expr"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/labels"
)

// resolvedRetention is how long a resolved alert is kept (and its resolution re-sent), as
// in Prometheus: it covers receivers that restarted between receipt and notification.
const resolvedRetention = 15 * time.Minute

// source produces the active elements of a rule at one instant: for threshold rules the
// filtered expression result, for anomaly and SLO rules the elements out of bounds.
type source interface {
	eval(env *expr.Env, w *expr.Warnings) (expr.Vector, error)
	// maxRange is the longest window the source reads.
	maxRange() time.Duration
}

// Health of the last evaluation of a rule.
type Health struct {
	LastEvaluation time.Time     `json:"lastEvaluation,omitzero"`
	EvaluationTime time.Duration `json:"evaluationTime"`
	LastError      string        `json:"lastError,omitempty"`
	Warnings       expr.Warnings `json:"warnings"`
	Evaluations    int64         `json:"evaluations"`
	Failures       int64         `json:"failures"`
}

// Rule is a compiled rule with its alert instances.
type Rule struct {
	cfg         Config
	src         source
	labelT      compiledTemplates
	annotationT compiledTemplates
	active      map[uint64]*Alert
	health      Health
	// holdResolveUntil is set after a restore: absent firing alerts stay firing until the
	// rule has seen a full window of fresh data.
	holdResolveUntil time.Time
}

// Compile validates cfg and builds the rule.
func Compile(cfg Config, catalog expr.Catalog) (*Rule, error) {
	if err := cfg.Validate(catalog); err != nil {
		return nil, fmt.Errorf("rule %q: %w", cfg.Alert, err)
	}
	r := &Rule{cfg: cfg, active: map[uint64]*Alert{}}
	r.labelT, _ = compileTemplates("labels", cfg.Labels)
	r.annotationT, _ = compileTemplates("annotations", cfg.Annotations)
	var err error
	switch cfg.Kind {
	case KindAnomaly:
		r.src, err = newAnomalySource(cfg)
	case KindSLO:
		r.src, err = newSLOSource(cfg)
	default:
		r.src, err = newThresholdSource(cfg.Expr)
	}
	if err != nil {
		return nil, fmt.Errorf("rule %q: %w", cfg.Alert, err)
	}
	return r, nil
}

// Name is the alertname.
func (r *Rule) Name() string { return r.cfg.Alert }

// Config returns the rule as configured.
func (r *Rule) Config() Config { return r.cfg }

// Health returns the last evaluation outcome.
func (r *Rule) Health() Health { return r.health }

// MaxRange is the longest window the rule reads.
func (r *Rule) MaxRange() time.Duration { return r.src.maxRange() }

type thresholdSource struct{ n expr.Node }

func newThresholdSource(e string) (*thresholdSource, error) {
	n, err := expr.Parse(e)
	if err != nil {
		return nil, err
	}
	return &thresholdSource{n}, nil
}

func (s *thresholdSource) eval(env *expr.Env, w *expr.Warnings) (expr.Vector, error) {
	v, err := expr.Eval(env, s.n, w)
	if err != nil {
		return nil, err
	}
	return v.Vector, nil
}

func (s *thresholdSource) maxRange() time.Duration { return expr.MaxRange(s.n) }

// Eval runs the rule at env.At and advances the state of its alerts. On error the alerts
// keep their state (a failing query neither fires nor resolves anything).
func (r *Rule) Eval(env *expr.Env, ext External) error {
	start := time.Now()
	ts := env.At
	var w expr.Warnings
	res, err := r.src.eval(env, &w)
	if err == nil {
		err = r.apply(ts, res, ext)
	}
	r.health.LastEvaluation = ts
	r.health.EvaluationTime = time.Since(start)
	r.health.Warnings = w
	r.health.Evaluations++
	if err != nil {
		r.health.LastError = err.Error()
		r.health.Failures++
		return err
	}
	r.health.LastError = ""
	return nil
}

// External is what templates see as $externalLabels and $externalURL.
type External struct {
	Labels map[string]string
	URL    string
}

func (r *Rule) apply(ts time.Time, res expr.Vector, ext External) error {
	seen := make(map[uint64]*Alert, len(res))
	for _, s := range res {
		data := &tmplData{Labels: s.Labels.Map(), Value: s.V, ExternalLabels: ext.Labels, ExternalURL: ext.URL}
		b := labels.NewBuilder(s.Labels)
		for k, v := range r.labelT.expand(data) {
			b.Set(k, v)
		}
		b.Set(labels.AlertName, r.cfg.Alert)
		if r.cfg.Kind != KindSLO { // SLO sources set severity per burn-rate window
			b.Set("severity", r.cfg.Severity)
		}
		ls := b.Labels()
		data.Labels = ls.Map()
		fp := ls.Fingerprint()
		if _, dup := seen[fp]; dup {
			return fmt.Errorf("two results have the same labels after applying the rule's labels: %s; keep a distinguishing label (group by it)", ls)
		}
		seen[fp] = &Alert{Labels: ls, Annotations: r.annotationT.expand(data), Value: s.V, ActiveAt: ts, State: StatePending}
	}
	for fp, a := range seen {
		if cur, ok := r.active[fp]; ok && cur.State != StateInactive {
			cur.Value = a.Value
			cur.Annotations = a.Annotations
			continue
		}
		r.active[fp] = a
	}
	for fp, a := range r.active {
		if _, ok := seen[fp]; !ok {
			keepFiring := false
			if a.State == StateFiring && r.cfg.KeepFiringFor > 0 {
				if a.KeepFiringSince.IsZero() {
					a.KeepFiringSince = ts
				}
				keepFiring = ts.Sub(a.KeepFiringSince) < r.cfg.KeepFiringFor
			}
			if a.State == StateFiring && ts.Before(r.holdResolveUntil) {
				keepFiring = true
			}
			if a.State == StatePending || (!a.ResolvedAt.IsZero() && ts.Sub(a.ResolvedAt) > resolvedRetention) {
				delete(r.active, fp)
			}
			if a.State != StateInactive && !keepFiring {
				a.State = StateInactive
				a.ResolvedAt = ts
			}
			if !keepFiring {
				continue
			}
		} else {
			a.KeepFiringSince = time.Time{}
		}
		if a.State == StatePending && ts.Sub(a.ActiveAt) >= r.cfg.For {
			a.State = StateFiring
			a.FiredAt = ts
		}
	}
	return nil
}

// Alerts returns copies of the rule's alert instances (pending, firing, recently resolved).
func (r *Rule) Alerts() []Alert {
	out := make([]Alert, 0, len(r.active))
	for _, a := range r.active {
		out = append(out, *a)
	}
	return out
}

// Resolve marks a firing alert resolved by hand (API). It fires again only if its
// condition is still true at a later evaluation, after `for`.
func (r *Rule) Resolve(id string, ts time.Time) bool {
	for fp, a := range r.active {
		if a.ID() != id {
			continue
		}
		if a.State == StatePending {
			delete(r.active, fp)
			return true
		}
		if a.State == StateFiring {
			a.State = StateInactive
			a.ResolvedAt = ts
			return true
		}
	}
	return false
}
