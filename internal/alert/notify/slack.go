package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"
)

// SlackConfig posts to a Slack incoming webhook.
type SlackConfig struct {
	// WebhookURL is https://hooks.slack.com/services/T…/B…/…; it is a secret.
	WebhookURL configopaque.String `mapstructure:"webhook_url"`
	// SendResolved notifies resolutions (default true).
	SendResolved *bool `mapstructure:"send_resolved"`
}

// SlackMessage is an incoming-webhook body: text is the notification fallback, blocks
// the rendering.
type SlackMessage struct {
	Text   string       `json:"text"`
	Blocks []SlackBlock `json:"blocks"`
}

// SlackBlock is a header or section block.
type SlackBlock struct {
	Type   string       `json:"type"`
	Text   *SlackText   `json:"text,omitempty"`
	Fields []*SlackText `json:"fields,omitempty"`
}

// SlackText is a text object.
type SlackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slack struct {
	cfg    SlackConfig
	client *http.Client
}

func newSlack(cfg SlackConfig, timeout time.Duration) *slack {
	return &slack{cfg: cfg, client: &http.Client{Timeout: timeout}}
}

// Slack block limits.
const (
	slackHeaderMax = 150
	slackTextMax   = 3000
	slackFieldsMax = 10
	slackFieldMax  = 2000
)

// NewSlackMessage renders d within Slack's block limits.
func NewSlackMessage(d *Data) *SlackMessage {
	title := Title(d)
	var body strings.Builder
	for _, a := range d.Alerts {
		mark := ":red_circle:"
		if a.Status == StatusResolved {
			mark = ":large_green_circle:"
		}
		fmt.Fprintf(&body, "%s %s\n", mark, alertLine(a))
	}
	if desc := d.CommonAnnotations["description"]; desc != "" {
		body.WriteString("\n" + desc)
	}
	var fields []*SlackText
	for _, k := range sortedKeys(d.CommonLabels) {
		if k == "alertname" || len(fields) == slackFieldsMax {
			continue
		}
		fields = append(fields, &SlackText{Type: "mrkdwn", Text: truncate("*"+k+"*\n"+d.CommonLabels[k], slackFieldMax)})
	}
	text := title
	if len(d.Alerts) > 0 {
		text += ": " + alertLine(d.Alerts[0])
	}
	return &SlackMessage{
		Text: truncate(text, slackTextMax),
		Blocks: []SlackBlock{
			{Type: "header", Text: &SlackText{Type: "plain_text", Text: truncate(title, slackHeaderMax)}},
			{Type: "section", Text: &SlackText{Type: "mrkdwn", Text: truncate(strings.TrimSpace(body.String()), slackTextMax)}, Fields: fields},
		},
	}
}

func (s *slack) Notify(ctx context.Context, d *Data) (bool, error) {
	// An incoming webhook answers a plain "ok"; anything else is an error message.
	check := func(body []byte) error {
		if !bytes.Equal(bytes.TrimSpace(body), []byte("ok")) {
			return errors.New("slack answered " + truncate(string(body), 200) + " instead of ok")
		}
		return nil
	}
	return postJSON(ctx, s.client, string(s.cfg.WebhookURL), nil, NewSlackMessage(d), true, check)
}

func (s *slack) SendResolved() bool { return boolOr(s.cfg.SendResolved, true) }
