package rules

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/expr"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/labels"
)

// Severities, most urgent first. A rule's severity becomes its `severity` label.
const (
	SeverityCritical = "critical"
	SeverityHigh     = "high"
	SeverityWarning  = "warning"
	SeverityInfo     = "info"
)

// Kinds of rules.
const (
	KindThreshold = "threshold"
	KindAnomaly   = "anomaly"
	KindSLO       = "slo"
)

// Config is one alerting rule as written in the collector config or a rules file.
type Config struct {
	// Alert is the rule name and the alertname label.
	Alert string `mapstructure:"alert" json:"alert"`
	// Kind is threshold (default), anomaly or slo.
	Kind string `mapstructure:"kind" json:"kind,omitempty"`
	// Expr is the expression; for threshold rules it includes the comparison (`... > 5`).
	Expr string `mapstructure:"expr" json:"expr,omitempty"`
	// For is how long an element must stay active before the alert fires.
	For time.Duration `mapstructure:"for" json:"for,omitempty"`
	// KeepFiringFor keeps a firing alert firing after its condition cleared.
	KeepFiringFor time.Duration `mapstructure:"keep_firing_for" json:"keep_firing_for,omitempty"`
	// Severity is critical, high, warning or info.
	Severity    string            `mapstructure:"severity" json:"severity"`
	Labels      map[string]string `mapstructure:"labels" json:"labels,omitempty"`
	Annotations map[string]string `mapstructure:"annotations" json:"annotations,omitempty"`

	Anomaly *AnomalyConfig `mapstructure:"anomaly" json:"anomaly,omitempty"`
	SLO     *SLOConfig     `mapstructure:"slo" json:"slo,omitempty"`
}

var alertNameRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// Validate checks one rule; errors name the field and the fix.
func (c *Config) Validate(catalog expr.Catalog) error {
	if c.Alert == "" {
		return errors.New("alert: every rule needs a name, e.g. alert: LLMErrorRateHigh")
	}
	if !alertNameRE.MatchString(c.Alert) {
		return fmt.Errorf("alert: %q is not a valid name; use letters, digits and underscores", c.Alert)
	}
	switch c.Severity {
	case SeverityCritical, SeverityHigh, SeverityWarning, SeverityInfo:
	case "":
		if c.Kind != KindSLO {
			return errors.New("severity: missing; use one of critical, high, warning, info")
		}
	default:
		return fmt.Errorf("severity: %q is not one of critical, high, warning, info", c.Severity)
	}
	if c.For < 0 {
		return fmt.Errorf("for: %s is negative", c.For)
	}
	if c.KeepFiringFor < 0 {
		return fmt.Errorf("keep_firing_for: %s is negative", c.KeepFiringFor)
	}
	for k := range c.Labels {
		if !labels.ValidName(k) {
			return fmt.Errorf("labels: %q is not a valid label name", k)
		}
		if k == labels.AlertName || k == "severity" {
			return fmt.Errorf("labels: %q is set by the rule itself (use the alert and severity fields)", k)
		}
	}
	if _, err := compileTemplates("labels", c.Labels); err != nil {
		return err
	}
	if _, err := compileTemplates("annotations", c.Annotations); err != nil {
		return err
	}
	switch c.Kind {
	case "", KindThreshold:
		if c.Anomaly != nil || c.SLO != nil {
			return errors.New("kind: threshold rules take no anomaly or slo section; set kind: anomaly or kind: slo")
		}
		return checkExpr("expr", c.Expr, true, catalog)
	case KindAnomaly:
		if c.Anomaly == nil {
			c.Anomaly = &AnomalyConfig{}
		}
		if err := checkExpr("expr", c.Expr, false, catalog); err != nil {
			return err
		}
		return c.Anomaly.validate()
	case KindSLO:
		if c.SLO == nil {
			return errors.New("slo: kind slo needs an slo section with objective, errors and total")
		}
		return c.SLO.validate(catalog)
	}
	return fmt.Errorf("kind: %q is not one of threshold, anomaly, slo", c.Kind)
}

// checkExpr parses e; threshold expressions must end in a comparison, anomaly and SLO
// expressions must not (the rule supplies the comparison).
func checkExpr(field, e string, wantComparison bool, catalog expr.Catalog) error {
	if e == "" {
		return fmt.Errorf("%s: missing; e.g. sum(rate(otelcol_llm.errors[2m])) / sum(rate(otelcol_llm.requests[2m])) > 0.05", field)
	}
	n, err := expr.Parse(e)
	if err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	if err := expr.Check(n, catalog); err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	if catalog != nil {
		if err := checkKnownMetrics(n); err != nil {
			return fmt.Errorf("%s: %w", field, err)
		}
	}
	b, isCmp := n.(*expr.Binary)
	isCmp = isCmp && expr.IsComparison(b.Op)
	switch {
	case wantComparison && !isCmp:
		return fmt.Errorf("%s: a threshold rule compares its value with a threshold, e.g. `%s > 5`", field, e)
	case !wantComparison && isCmp:
		return fmt.Errorf("%s: give the value only; this rule kind supplies the comparison (drop `%s %s`)", field, b.Op, b.RHS)
	}
	return nil
}
