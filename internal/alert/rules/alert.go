// Package rules turns expression results into alerts with Prometheus alerting-rule
// semantics: identity by label set, inactive → pending → firing → resolved, `for`,
// `keep_firing_for`, templated labels and annotations, and resend bookkeeping.
package rules

import (
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/labels"
)

// State of one alert instance.
type State int

const (
	StateInactive State = iota
	StatePending
	StateFiring
)

func (s State) String() string {
	return [...]string{"inactive", "pending", "firing"}[s]
}

// MarshalText renders the state in JSON and logs.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses what MarshalText wrote.
func (s *State) UnmarshalText(b []byte) error {
	switch string(b) {
	case "pending":
		*s = StatePending
	case "firing":
		*s = StateFiring
	default:
		*s = StateInactive
	}
	return nil
}

// Alert is one instance of a rule: one final label set.
type Alert struct {
	Labels      labels.Labels     `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       State             `json:"state"`
	Value       float64           `json:"value"`

	ActiveAt        time.Time `json:"activeAt"`
	FiredAt         time.Time `json:"firedAt,omitzero"`
	ResolvedAt      time.Time `json:"resolvedAt,omitzero"`
	LastSentAt      time.Time `json:"lastSentAt,omitzero"`
	ValidUntil      time.Time `json:"validUntil,omitzero"`
	KeepFiringSince time.Time `json:"keepFiringSince,omitzero"`
}

// ID is the Alertmanager fingerprint of the alert's labels.
func (a *Alert) ID() string { return a.Labels.ID() }

// Resolved reports whether the alert fired and has since resolved.
func (a *Alert) Resolved() bool { return a.State == StateInactive && !a.ResolvedAt.IsZero() }

// NeedsSending is Prometheus' rule: never while pending; always when a resolution is
// unsent; otherwise once resendDelay has passed since the last send.
func (a *Alert) NeedsSending(ts time.Time, resendDelay time.Duration) bool {
	if a.State == StatePending {
		return false
	}
	if a.ResolvedAt.After(a.LastSentAt) {
		return true
	}
	return a.LastSentAt.Add(resendDelay).Before(ts)
}

// StartsAt and EndsAt as an Alertmanager client reports them.
func (a *Alert) StartsAt() time.Time { return a.FiredAt }

// EndsAt is the resolution time, or ValidUntil while firing.
func (a *Alert) EndsAt() time.Time {
	if a.Resolved() {
		return a.ResolvedAt
	}
	return a.ValidUntil
}
