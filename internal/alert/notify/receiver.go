package notify

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// ReceiverConfig is a named set of integrations, as in Alertmanager.
type ReceiverConfig struct {
	Name      string            `mapstructure:"name"`
	Webhooks  []WebhookConfig   `mapstructure:"webhook_configs"`
	Slack     []SlackConfig     `mapstructure:"slack_configs"`
	PagerDuty []PagerDutyConfig `mapstructure:"pagerduty_configs"`
	Teams     []TeamsConfig     `mapstructure:"msteams_configs"`
	Email     []EmailConfig     `mapstructure:"email_configs"`
	// Timeout bounds one attempt (default 10s).
	Timeout time.Duration `mapstructure:"timeout"`
	// RateLimit caps notifications per second to this receiver (0 = unlimited).
	RateLimit RateLimitConfig `mapstructure:"rate_limit"`
}

// RateLimitConfig is a token bucket.
type RateLimitConfig struct {
	PerSecond float64 `mapstructure:"per_second"`
	Burst     int     `mapstructure:"burst"`
}

// Integration is one delivery channel of a receiver; the notification log tracks each
// separately, so a Slack outage does not re-page PagerDuty.
type Integration struct {
	Name string // e.g. slack[0]
	Notifier
}

// Receiver is a built receiver.
type Receiver struct {
	Name         string
	Integrations []Integration
	Limiter      *Limiter
}

func checkURL(field, raw string) error {
	if raw == "" {
		return fmt.Errorf("%s: missing", field)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The value is a secret: do not echo it.
		return fmt.Errorf("%s: not an http(s) URL", field)
	}
	return nil
}

// Validate checks the receiver without building it.
func (c *ReceiverConfig) Validate() error {
	_, err := NewReceiver(*c)
	return err
}

// NewReceiver builds the integrations.
func NewReceiver(c ReceiverConfig) (*Receiver, error) {
	if c.Name == "" {
		return nil, errors.New("name: every receiver needs a name")
	}
	wrap := func(field string, i int, err error) error {
		return fmt.Errorf("receiver %q: %s[%d].%w", c.Name, field, i, err)
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	r := &Receiver{Name: c.Name, Limiter: NewLimiter(c.RateLimit.PerSecond, c.RateLimit.Burst)}
	add := func(kind string, i int, n Notifier) {
		r.Integrations = append(r.Integrations, Integration{Name: fmt.Sprintf("%s[%d]", kind, i), Notifier: n})
	}
	for i, w := range c.Webhooks {
		if err := checkURL("url", string(w.URL)); err != nil {
			return nil, wrap("webhook_configs", i, err)
		}
		add("webhook", i, newWebhook(w, timeout))
	}
	for i, s := range c.Slack {
		if err := checkURL("webhook_url", string(s.WebhookURL)); err != nil {
			return nil, wrap("slack_configs", i, err)
		}
		add("slack", i, newSlack(s, timeout))
	}
	for i, p := range c.PagerDuty {
		if p.RoutingKey == "" {
			return nil, wrap("pagerduty_configs", i, errors.New("routing_key: missing; use the 32-character integration key of an Events API v2 integration"))
		}
		if p.URL != "" {
			if err := checkURL("url", p.URL); err != nil {
				return nil, wrap("pagerduty_configs", i, err)
			}
		}
		add("pagerduty", i, newPagerDuty(p, timeout))
	}
	for i, t := range c.Teams {
		if err := checkURL("webhook_url", string(t.WebhookURL)); err != nil {
			return nil, wrap("msteams_configs", i, err)
		}
		add("msteams", i, newTeams(t, timeout))
	}
	for i, e := range c.Email {
		n, err := newEmail(e, timeout)
		if err != nil {
			return nil, wrap("email_configs", i, err)
		}
		add("email", i, n)
	}
	if len(r.Integrations) == 0 {
		return nil, fmt.Errorf("receiver %q: no integration; add webhook_configs, slack_configs, pagerduty_configs, msteams_configs or email_configs", c.Name)
	}
	if c.RateLimit.PerSecond < 0 {
		return nil, fmt.Errorf("receiver %q: rate_limit.per_second: must not be negative", c.Name)
	}
	return r, nil
}
