// Package notify delivers alert groups to people and systems: the Alertmanager webhook v4
// format, Slack, PagerDuty Events v2, Microsoft Teams, email over SMTP, and pushes to an
// Alertmanager cluster; with retries, backoff and per-receiver rate limits.
package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"time"
)

// Alert statuses.
const (
	StatusFiring   = "firing"
	StatusResolved = "resolved"
)

// Alert is one alert inside a notification, in Alertmanager's template shape.
type Alert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// Data is one notification: a group of alerts for one receiver (Alertmanager's
// template.Data).
type Data struct {
	Receiver          string
	Status            string
	Alerts            []Alert
	GroupKey          string
	GroupLabels       map[string]string
	CommonLabels      map[string]string
	CommonAnnotations map[string]string
	ExternalURL       string
	Reason            string
}

// NewData fills the derived fields: status (firing iff any alert fires) and the labels and
// annotations every alert shares.
func NewData(receiver, groupKey string, groupLabels map[string]string, alerts []Alert, externalURL, reason string) *Data {
	d := &Data{Receiver: receiver, GroupKey: groupKey, GroupLabels: groupLabels, Alerts: alerts,
		ExternalURL: externalURL, Reason: reason, Status: StatusResolved}
	for _, a := range alerts {
		if a.Status == StatusFiring {
			d.Status = StatusFiring
		}
	}
	d.CommonLabels = common(alerts, func(a Alert) map[string]string { return a.Labels })
	d.CommonAnnotations = common(alerts, func(a Alert) map[string]string { return a.Annotations })
	return d
}

func common(alerts []Alert, get func(Alert) map[string]string) map[string]string {
	out := map[string]string{}
	if len(alerts) == 0 {
		return out
	}
	for k, v := range get(alerts[0]) {
		out[k] = v
	}
	for _, a := range alerts[1:] {
		m := get(a)
		for k, v := range out {
			if m[k] != v {
				delete(out, k)
			}
		}
	}
	return out
}

// Firing returns the firing alerts.
func (d *Data) Firing() []Alert { return d.byStatus(StatusFiring) }

// Resolved returns the resolved alerts.
func (d *Data) Resolved() []Alert { return d.byStatus(StatusResolved) }

func (d *Data) byStatus(s string) []Alert {
	var out []Alert
	for _, a := range d.Alerts {
		if a.Status == s {
			out = append(out, a)
		}
	}
	return out
}

// GroupHash is sha256 of the group key in hex: a stable PagerDuty dedup_key, as
// Alertmanager computes it.
func (d *Data) GroupHash() string {
	h := sha256.Sum256([]byte(d.GroupKey))
	return hex.EncodeToString(h[:])
}

// sortedKeys returns m's keys in order, for stable rendering.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Notifier sends one notification. retry reports whether the failure is worth retrying
// (network errors, 5xx, 429); a non-retryable error fails the notification for good.
type Notifier interface {
	Notify(ctx context.Context, d *Data) (retry bool, err error)
	// SendResolved reports whether resolved-only notifications are sent.
	SendResolved() bool
}
