package notify

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"
)

// TeamsConfig posts an Adaptive Card to a Microsoft Teams Workflows webhook.
type TeamsConfig struct {
	// WebhookURL is the Workflows (Power Automate) URL; it is a secret.
	WebhookURL configopaque.String `mapstructure:"webhook_url"`
	// SendResolved notifies resolutions (default true).
	SendResolved *bool `mapstructure:"send_resolved"`
}

// TeamsMessage is the Workflows message envelope around one Adaptive Card.
type TeamsMessage struct {
	Type        string            `json:"type"`
	Attachments []TeamsAttachment `json:"attachments"`
}

// TeamsAttachment carries the card.
type TeamsAttachment struct {
	ContentType string    `json:"contentType"`
	ContentURL  *string   `json:"contentUrl"`
	Content     TeamsCard `json:"content"`
}

// TeamsCard is an Adaptive Card 1.2.
type TeamsCard struct {
	Schema  string            `json:"$schema"`
	Type    string            `json:"type"`
	Version string            `json:"version"`
	Body    []TeamsTextBlock  `json:"body"`
	MSTeams map[string]string `json:"msteams"`
}

// TeamsTextBlock is a TextBlock element.
type TeamsTextBlock struct {
	Type   string `json:"type"`
	Text   string `json:"text"`
	Weight string `json:"weight,omitempty"`
	Size   string `json:"size,omitempty"`
	Wrap   bool   `json:"wrap"`
	Style  string `json:"style,omitempty"`
	Color  string `json:"color,omitempty"`
}

type teams struct {
	cfg    TeamsConfig
	client *http.Client
}

func newTeams(cfg TeamsConfig, timeout time.Duration) *teams {
	return &teams{cfg: cfg, client: &http.Client{Timeout: timeout}}
}

// NewTeamsMessage renders d as Alertmanager's msteamsv2 does: a heading coloured
// Attention (firing) or Good (resolved) and one line per alert.
func NewTeamsMessage(d *Data) *TeamsMessage {
	color := "Attention"
	if d.Status == StatusResolved {
		color = "Good"
	}
	var lines []string
	for _, a := range d.Alerts {
		lines = append(lines, "- "+strings.ToUpper(a.Status)+": "+alertLine(a))
	}
	return &TeamsMessage{
		Type: "message",
		Attachments: []TeamsAttachment{{
			ContentType: "application/vnd.microsoft.card.adaptive",
			Content: TeamsCard{
				Schema:  "http://adaptivecards.io/schemas/adaptive-card.json",
				Type:    "AdaptiveCard",
				Version: "1.2",
				Body: []TeamsTextBlock{
					{Type: "TextBlock", Text: Title(d), Weight: "Bolder", Size: "Medium", Wrap: true, Style: "heading", Color: color},
					{Type: "TextBlock", Text: strings.Join(lines, "\n\r"), Wrap: true},
				},
				MSTeams: map[string]string{"width": "full"},
			},
		}},
	}
}

func (t *teams) Notify(ctx context.Context, d *Data) (bool, error) {
	// Legacy connectors answer throttling with 200 and an error text in the body.
	check := func(body []byte) error {
		if bytes.Contains(body, []byte("HTTP error 429")) {
			return errors.New("teams throttled the request: " + truncate(string(body), 200))
		}
		return nil
	}
	retry, err := postJSON(ctx, t.client, string(t.cfg.WebhookURL), nil, NewTeamsMessage(d), false, check)
	if err != nil && strings.Contains(err.Error(), "HTTP error 429") {
		retry = true
	}
	return retry, err
}

func (t *teams) SendResolved() bool { return boolOr(t.cfg.SendResolved, true) }
