package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// PostableAlert is one element of Alertmanager's POST /api/v2/alerts body.
type PostableAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// AlertmanagerConfig lists the members of an Alertmanager cluster. Alerts go to every
// member (not through a load balancer): the cluster deduplicates.
type AlertmanagerConfig struct {
	Endpoints []string `mapstructure:"endpoints"`
	// ResendDelay paces re-sending firing alerts (default 1m, Prometheus'
	// --rules.alert.resend-delay).
	ResendDelay time.Duration `mapstructure:"resend_delay"`
	Timeout     time.Duration `mapstructure:"timeout"`
	// LabelNames is legacy (default: dots and other characters outside [a-zA-Z0-9_]
	// become underscores, service.name → service_name, which every Alertmanager accepts)
	// or utf8 (names as they are, for Alertmanager 0.27+ with UTF-8 names enabled).
	LabelNames string `mapstructure:"label_names"`
}

// Label name modes.
const (
	LabelNamesLegacy = "legacy"
	LabelNamesUTF8   = "utf8"
)

// Validate checks endpoints.
func (c *AlertmanagerConfig) Validate() error {
	for i, e := range c.Endpoints {
		if err := checkURL(fmt.Sprintf("alertmanager.endpoints[%d]", i), e); err != nil {
			return fmt.Errorf("%w (e.g. http://alertmanager:9093)", err)
		}
	}
	if c.ResendDelay < 0 {
		return errors.New("alertmanager.resend_delay: must not be negative")
	}
	switch c.LabelNames {
	case "", LabelNamesLegacy, LabelNamesUTF8:
	default:
		return fmt.Errorf("alertmanager.label_names: %q is not one of legacy, utf8", c.LabelNames)
	}
	return nil
}

// AlertmanagerClient pushes alerts to every endpoint.
type AlertmanagerClient struct {
	endpoints []string
	client    *http.Client
	legacy    bool
}

// NewAlertmanagerClient builds a client; nil when no endpoint is configured.
func NewAlertmanagerClient(c AlertmanagerConfig) *AlertmanagerClient {
	if len(c.Endpoints) == 0 {
		return nil
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	return &AlertmanagerClient{endpoints: c.Endpoints, client: &http.Client{Timeout: timeout}, legacy: c.LabelNames != LabelNamesUTF8}
}

// LegacyLabelName maps a name onto [a-zA-Z_][a-zA-Z0-9_]*, as Prometheus translates
// OpenTelemetry attribute names.
func LegacyLabelName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	if len(b) > 0 && b[0] >= '0' && b[0] <= '9' {
		return "_" + string(b)
	}
	return string(b)
}

func legacyNames(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[LegacyLabelName(k)] = v
	}
	return out
}

// PartialError reports alerts an Alertmanager rejected (400) while it kept the valid ones.
type PartialError struct{ Err error }

func (e *PartialError) Error() string { return "some alerts were rejected: " + e.Err.Error() }
func (e *PartialError) Unwrap() error { return e.Err }

// Push posts alerts to every endpoint. It succeeds when at least one member accepted
// them (the cluster gossips the rest). A 400 counts as accepted, because Alertmanager
// stores the valid alerts of a partly invalid batch; it is returned as a *PartialError.
func (c *AlertmanagerClient) Push(ctx context.Context, alerts []PostableAlert) error {
	if len(alerts) == 0 {
		return nil
	}
	if c.legacy {
		converted := make([]PostableAlert, len(alerts))
		for i, a := range alerts {
			a.Labels, a.Annotations = legacyNames(a.Labels), legacyNames(a.Annotations)
			converted[i] = a
		}
		alerts = converted
	}
	var errs []error
	ok := 0
	for _, e := range c.endpoints {
		_, err := postJSON(ctx, c.client, strings.TrimSuffix(e, "/")+"/api/v2/alerts", nil, alerts, false, nil)
		var se *StatusError
		if err == nil || errors.As(err, &se) && se.Code == http.StatusBadRequest {
			ok++
			if err != nil {
				errs = append(errs, fmt.Errorf("%s rejected some alerts: %w", e, err))
			}
			continue
		}
		errs = append(errs, fmt.Errorf("%s: %w", e, err))
	}
	if ok == 0 {
		return errors.Join(errs...)
	}
	if len(errs) > 0 {
		return &PartialError{errors.Join(errs...)}
	}
	return nil
}
