package notify

import (
	"context"
	"net/http"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"
)

// PagerDutyConfig sends Events API v2 trigger and resolve events.
type PagerDutyConfig struct {
	// RoutingKey is the 32-character integration key.
	RoutingKey configopaque.String `mapstructure:"routing_key"`
	// URL defaults to https://events.pagerduty.com/v2/enqueue.
	URL string `mapstructure:"url"`
	// Source names the affected system (default otelcol-llm).
	Source string `mapstructure:"source"`
	// SendResolved sends resolve events (default true).
	SendResolved *bool `mapstructure:"send_resolved"`
}

// DefaultPagerDutyURL is the Events API v2 endpoint.
const DefaultPagerDutyURL = "https://events.pagerduty.com/v2/enqueue"

// PagerDutyEvent is an Events API v2 event.
type PagerDutyEvent struct {
	RoutingKey  string            `json:"routing_key"`
	EventAction string            `json:"event_action"`
	DedupKey    string            `json:"dedup_key"`
	Payload     *PagerDutyPayload `json:"payload,omitempty"`
	Client      string            `json:"client,omitempty"`
	ClientURL   string            `json:"client_url,omitempty"`
	Links       []PagerDutyLink   `json:"links,omitempty"`
}

// PagerDutyPayload is the trigger payload.
type PagerDutyPayload struct {
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Severity      string         `json:"severity"`
	Timestamp     string         `json:"timestamp,omitempty"`
	Component     string         `json:"component,omitempty"`
	Group         string         `json:"group,omitempty"`
	Class         string         `json:"class,omitempty"`
	CustomDetails map[string]any `json:"custom_details,omitempty"`
}

// PagerDutyLink is a link shown on the incident.
type PagerDutyLink struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

type pagerduty struct {
	cfg    PagerDutyConfig
	client *http.Client
}

func newPagerDuty(cfg PagerDutyConfig, timeout time.Duration) *pagerduty {
	if cfg.URL == "" {
		cfg.URL = DefaultPagerDutyURL
	}
	if cfg.Source == "" {
		cfg.Source = "otelcol-llm"
	}
	return &pagerduty{cfg: cfg, client: &http.Client{Timeout: timeout}}
}

// pagerDutySeverity maps our severities onto PagerDuty's four.
var pagerDutySeverity = map[string]string{"critical": "critical", "high": "error", "warning": "warning", "info": "info"}

// NewPagerDutyEvent builds the event for d: resolve when no alert fires, else trigger; the
// dedup_key is sha256 of the group key, so one group is one incident.
func NewPagerDutyEvent(d *Data, routingKey, source string) *PagerDutyEvent {
	ev := &PagerDutyEvent{RoutingKey: routingKey, DedupKey: d.GroupHash(), EventAction: "resolve"}
	if d.Status == StatusResolved {
		return ev
	}
	ev.EventAction = "trigger"
	sev := pagerDutySeverity[topSeverity(d)]
	if sev == "" {
		sev = "error"
	}
	firing := d.Firing()
	summary := Title(d)
	if len(firing) > 0 {
		summary += ": " + alertLine(firing[0])
	}
	details := map[string]any{"num_firing": len(firing), "num_resolved": len(d.Alerts) - len(firing)}
	var lines []string
	for _, a := range firing {
		lines = append(lines, alertLine(a))
	}
	details["firing"] = lines
	ev.Payload = &PagerDutyPayload{
		Summary:       truncate(summary, 1024),
		Source:        source,
		Severity:      sev,
		Timestamp:     firing[0].StartsAt.UTC().Format(time.RFC3339),
		Component:     d.CommonLabels["gen_ai.request.model"],
		Group:         d.CommonLabels["service.name"],
		Class:         d.CommonLabels["alertname"],
		CustomDetails: details,
	}
	ev.Client = "otelcol-llm"
	ev.ClientURL = d.ExternalURL
	for _, a := range firing {
		if u := a.Annotations["runbook_url"]; u != "" {
			ev.Links = append(ev.Links, PagerDutyLink{Href: u, Text: "Runbook"})
			break
		}
	}
	return ev
}

func (p *pagerduty) Notify(ctx context.Context, d *Data) (bool, error) {
	return postJSON(ctx, p.client, p.cfg.URL, nil, NewPagerDutyEvent(d, string(p.cfg.RoutingKey), p.cfg.Source), true, nil)
}

func (p *pagerduty) SendResolved() bool { return boolOr(p.cfg.SendResolved, true) }
