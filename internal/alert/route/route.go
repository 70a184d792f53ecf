// Package route is the in-process Alertmanager: a routing tree, aggregation groups with
// group_wait/group_interval/repeat_interval, inhibition, silences, a notification log for
// deduplication, acknowledgements and escalation.
package route

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/labels"
)

// Alertmanager's defaults.
const (
	DefaultGroupWait      = 30 * time.Second
	DefaultGroupInterval  = 5 * time.Minute
	DefaultRepeatInterval = 4 * time.Hour
)

// Config is one node of the routing tree.
type Config struct {
	Receiver string `mapstructure:"receiver"`
	// GroupBy labels; ["..."] groups by every label (no aggregation).
	GroupBy  []string `mapstructure:"group_by"`
	Continue bool     `mapstructure:"continue"`
	// Matchers like `severity="critical"` or `gen_ai.request.model=~"gpt-.*"`.
	Matchers       []string       `mapstructure:"matchers"`
	GroupWait      *time.Duration `mapstructure:"group_wait"`
	GroupInterval  *time.Duration `mapstructure:"group_interval"`
	RepeatInterval *time.Duration `mapstructure:"repeat_interval"`
	// Escalation notifies further receivers while the group's firing alerts stay
	// unacknowledged.
	Escalation []EscalationConfig `mapstructure:"escalation"`
	Routes     []Config           `mapstructure:"routes"`
}

// EscalationConfig: After this long without acknowledgement, notify Receiver.
type EscalationConfig struct {
	After    time.Duration `mapstructure:"after"`
	Receiver string        `mapstructure:"receiver"`
}

// Route is a compiled routing node.
type Route struct {
	parent         *Route
	Receiver       string
	GroupBy        []string
	GroupByAll     bool
	Continue       bool
	Matchers       labels.Matchers
	GroupWait      time.Duration
	GroupInterval  time.Duration
	RepeatInterval time.Duration
	Escalation     []EscalationConfig
	Routes         []*Route
}

// NewTree compiles the root route; receivers lists the known receiver names.
func NewTree(c Config, receivers map[string]bool) (*Route, error) {
	if len(c.Matchers) > 0 {
		return nil, errors.New("route.matchers: the root route matches every alert and takes no matchers")
	}
	if c.Receiver == "" {
		return nil, errors.New("route.receiver: the root route needs a receiver")
	}
	root := &Route{GroupWait: DefaultGroupWait, GroupInterval: DefaultGroupInterval, RepeatInterval: DefaultRepeatInterval}
	return compile(c, root, nil, "route", receivers)
}

func compile(c Config, inherit *Route, parent *Route, path string, receivers map[string]bool) (*Route, error) {
	r := &Route{
		parent: parent, Receiver: inherit.Receiver, GroupBy: inherit.GroupBy, GroupByAll: inherit.GroupByAll,
		Continue: c.Continue, GroupWait: inherit.GroupWait, GroupInterval: inherit.GroupInterval,
		RepeatInterval: inherit.RepeatInterval, Escalation: inherit.Escalation,
	}
	if c.Receiver != "" {
		if !receivers[c.Receiver] {
			return nil, fmt.Errorf("%s.receiver: no receiver named %q", path, c.Receiver)
		}
		r.Receiver = c.Receiver
	}
	if c.GroupBy != nil {
		r.GroupBy, r.GroupByAll = nil, false
		for _, l := range c.GroupBy {
			if l == "..." {
				r.GroupByAll = true
				continue
			}
			if !labels.ValidName(l) {
				return nil, fmt.Errorf("%s.group_by: %q is not a label name", path, l)
			}
			r.GroupBy = append(r.GroupBy, l)
		}
		if r.GroupByAll && len(r.GroupBy) > 0 {
			return nil, fmt.Errorf("%s.group_by: '...' groups by every label and cannot be combined with names", path)
		}
		slices.Sort(r.GroupBy)
	}
	ms, err := labels.ParseMatchers(c.Matchers)
	if err != nil {
		return nil, fmt.Errorf("%s.matchers: %w", path, err)
	}
	r.Matchers = ms
	for _, d := range []struct {
		name string
		v    *time.Duration
		dst  *time.Duration
		min  time.Duration
	}{{"group_wait", c.GroupWait, &r.GroupWait, 0}, {"group_interval", c.GroupInterval, &r.GroupInterval, 1}, {"repeat_interval", c.RepeatInterval, &r.RepeatInterval, 1}} {
		if d.v == nil {
			continue
		}
		if *d.v < d.min {
			if d.min > 0 {
				return nil, fmt.Errorf("%s.%s: must be positive, got %s", path, d.name, *d.v)
			}
			return nil, fmt.Errorf("%s.%s: must not be negative, got %s", path, d.name, *d.v)
		}
		*d.dst = *d.v
	}
	if c.Escalation != nil {
		r.Escalation = c.Escalation
		for i, e := range c.Escalation {
			if !receivers[e.Receiver] {
				return nil, fmt.Errorf("%s.escalation[%d].receiver: no receiver named %q", path, i, e.Receiver)
			}
			if e.After <= 0 {
				return nil, fmt.Errorf("%s.escalation[%d].after: must be positive, e.g. 15m", path, i)
			}
			if i > 0 && e.After <= c.Escalation[i-1].After {
				return nil, fmt.Errorf("%s.escalation[%d].after: steps must come in increasing order of after", path, i)
			}
		}
	}
	for i, child := range c.Routes {
		cr, err := compile(child, r, r, fmt.Sprintf("%s.routes[%d]", path, i), receivers)
		if err != nil {
			return nil, err
		}
		r.Routes = append(r.Routes, cr)
	}
	return r, nil
}

// Match returns the routes that handle an alert: the deepest matching children, siblings
// after a match only when it has continue: true, the node itself when no child matches.
func (r *Route) Match(ls labels.Labels) []*Route {
	if !r.Matchers.Matches(ls) {
		return nil
	}
	var all []*Route
	for _, c := range r.Routes {
		m := c.Match(ls)
		all = append(all, m...)
		if m != nil && !c.Continue {
			break
		}
	}
	if len(all) == 0 {
		all = append(all, r)
	}
	return all
}

// Key identifies the route: the chain of matchers from the root, as Alertmanager's.
func (r *Route) Key() string {
	var b strings.Builder
	if r.parent != nil {
		b.WriteString(r.parent.Key())
		b.WriteByte('/')
	}
	b.WriteString(r.Matchers.String())
	return b.String()
}

// groupLabels picks the labels an alert is grouped by on this route.
func (r *Route) groupLabels(ls labels.Labels) labels.Labels {
	if r.GroupByAll {
		return ls
	}
	return ls.Keep(r.GroupBy)
}

// Receivers returns every receiver name the tree references, escalations included.
func (r *Route) Receivers() []string {
	set := map[string]bool{r.Receiver: true}
	for _, e := range r.Escalation {
		set[e.Receiver] = true
	}
	for _, c := range r.Routes {
		for _, n := range c.Receivers() {
			set[n] = true
		}
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
