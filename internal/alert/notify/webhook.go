package notify

import (
	"context"
	"net/http"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"
)

// WebhookConfig posts the Alertmanager webhook format (version 4).
type WebhookConfig struct {
	// URL receives the POST; it often carries a token, hence opaque.
	URL configopaque.String `mapstructure:"url"`
	// SendResolved notifies resolutions (default true).
	SendResolved *bool `mapstructure:"send_resolved"`
	// MaxAlerts caps the alerts per message (0 = all); the rest are counted in truncatedAlerts.
	MaxAlerts int `mapstructure:"max_alerts"`
	// Headers are added to every request (e.g. Authorization).
	Headers map[string]configopaque.String `mapstructure:"headers"`
}

// WebhookMessage is the Alertmanager webhook payload, field for field.
type WebhookMessage struct {
	Version            string            `json:"version"`
	GroupKey           string            `json:"groupKey"`
	TruncatedAlerts    int               `json:"truncatedAlerts"`
	Status             string            `json:"status"`
	Receiver           string            `json:"receiver"`
	GroupLabels        map[string]string `json:"groupLabels"`
	CommonLabels       map[string]string `json:"commonLabels"`
	CommonAnnotations  map[string]string `json:"commonAnnotations"`
	ExternalURL        string            `json:"externalURL"`
	NotificationReason string            `json:"notification_reason,omitempty"`
	RouteLabels        map[string]string `json:"routeLabels"`
	Alerts             []Alert           `json:"alerts"`
}

type webhook struct {
	cfg    WebhookConfig
	client *http.Client
}

func newWebhook(cfg WebhookConfig, timeout time.Duration) *webhook {
	return &webhook{cfg: cfg, client: &http.Client{Timeout: timeout}}
}

// NewWebhookMessage builds the payload for d.
func NewWebhookMessage(d *Data, maxAlerts int) *WebhookMessage {
	alerts, truncated := d.Alerts, 0
	if maxAlerts > 0 && len(alerts) > maxAlerts {
		alerts, truncated = alerts[:maxAlerts], len(alerts)-maxAlerts
	}
	return &WebhookMessage{
		Version: "4", GroupKey: d.GroupKey, TruncatedAlerts: truncated, Status: d.Status, Receiver: d.Receiver,
		GroupLabels: d.GroupLabels, CommonLabels: d.CommonLabels, CommonAnnotations: d.CommonAnnotations,
		ExternalURL: d.ExternalURL, NotificationReason: d.Reason, RouteLabels: map[string]string{}, Alerts: alerts,
	}
}

func (w *webhook) Notify(ctx context.Context, d *Data) (bool, error) {
	return postJSON(ctx, w.client, string(w.cfg.URL), opaqueHeaders(w.cfg.Headers), NewWebhookMessage(d, w.cfg.MaxAlerts), false, nil)
}

func (w *webhook) SendResolved() bool { return boolOr(w.cfg.SendResolved, true) }

func opaqueHeaders(h map[string]configopaque.String) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = string(v)
	}
	return out
}

func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}
