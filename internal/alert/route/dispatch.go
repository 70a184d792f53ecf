package route

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/labels"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/notify"
)

// Notification reasons, Alertmanager's words.
const (
	ReasonFirst      = "first notification"
	ReasonNewAlerts  = "new alerts added"
	ReasonSomeResolv = "some alerts resolved"
	ReasonAllResolv  = "all alerts resolved"
	ReasonRepeat     = "repeat interval elapsed"
	ReasonEscalation = "escalation: not acknowledged"
)

// resolvedKeep is how long a resolved alert stays in its group.
const resolvedKeep = 15 * time.Minute

// DispatchConfig is the notification side of the exporter config.
type DispatchConfig struct {
	Route   Config          `mapstructure:"route"`
	Inhibit []InhibitConfig `mapstructure:"inhibit_rules"`
}

// Result is the outcome of one delivery attempt chain, for telemetry and logs.
type Result struct {
	Receiver, Integration, GroupKey, Reason string
	Alerts                                  int
	Attempts                                int
	Err                                     error
	// Latency is from the flush that decided to notify to the end of delivery.
	Latency time.Duration
}

// Options are the dispatcher's collaborators.
type Options struct {
	ExternalURL string
	Now         func() time.Time
	Backoff     notify.Backoff
	// OnResult is called after each delivery (success or final failure).
	OnResult func(Result)
	// OnChange is called when persistent state changed (notification log, silences,
	// acknowledgements, escalations).
	OnChange func()
}

// Ack is an acknowledgement of one alert.
type Ack struct {
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	Comment string    `json:"comment,omitempty"`
}

type nflogEntry struct {
	Firing    []string  `json:"firing"`
	Resolved  []string  `json:"resolved"`
	Timestamp time.Time `json:"timestamp"`
}

type escalation struct {
	Since time.Time `json:"since"` // first firing notification of the incident
	Steps int       `json:"steps"` // escalation steps already notified
}

// state is what survives restarts.
type state struct {
	NFLog       map[string]*nflogEntry `json:"nflog"`
	Silences    silences               `json:"silences"`
	Acks        map[string]Ack         `json:"acks"`
	Escalations map[string]*escalation `json:"escalations"`
}

type group struct {
	key      string
	route    *Route
	labels   labels.Labels
	alerts   map[string]notify.Alert
	next     time.Time
	inflight int
}

// Dispatcher routes, groups, mutes, deduplicates and delivers alerts.
type Dispatcher struct {
	mu        sync.Mutex
	root      *Route
	receivers map[string]*notify.Receiver
	inhibit   []*inhibitRule
	groups    map[string]*group
	st        state
	opts      Options
	wake      chan struct{}
	wg        sync.WaitGroup
	ctx       context.Context
	cancel    context.CancelFunc
}

// New builds a dispatcher. Every receiver the tree names must exist.
func New(c DispatchConfig, receivers map[string]*notify.Receiver, opts Options) (*Dispatcher, error) {
	names := map[string]bool{}
	for n := range receivers {
		names[n] = true
	}
	root, err := NewTree(c.Route, names)
	if err != nil {
		return nil, err
	}
	d := &Dispatcher{root: root, receivers: receivers, groups: map[string]*group{}, opts: opts, wake: make(chan struct{}, 1),
		st: state{NFLog: map[string]*nflogEntry{}, Silences: silences{}, Acks: map[string]Ack{}, Escalations: map[string]*escalation{}}}
	for i, ic := range c.Inhibit {
		r, err := newInhibitRule(i, ic)
		if err != nil {
			return nil, err
		}
		d.inhibit = append(d.inhibit, r)
	}
	if d.opts.Now == nil {
		d.opts.Now = time.Now
	}
	if d.opts.Backoff == (notify.Backoff{}) {
		d.opts.Backoff = notify.DefaultBackoff()
	}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	return d, nil
}

// Put hands the current alerts (firing and recently resolved) to their groups. New groups
// wait group_wait before their first flush.
func (d *Dispatcher) Put(alerts []notify.Alert) {
	now := d.opts.Now()
	d.mu.Lock()
	due := false
	for _, a := range alerts {
		ls := labels.FromMap(a.Labels)
		for _, r := range d.root.Match(ls) {
			gl := r.groupLabels(ls)
			key := r.Key() + ":" + gl.String()
			g := d.groups[key]
			if g == nil {
				if a.Status == notify.StatusResolved && !d.hasLog(key) {
					continue // a resolution nobody was told about the firing of
				}
				g = &group{key: key, route: r, labels: gl, alerts: map[string]notify.Alert{}, next: now.Add(r.GroupWait)}
				d.groups[key] = g
			}
			g.alerts[a.Fingerprint] = a
			due = due || !g.next.After(now)
		}
	}
	d.mu.Unlock()
	if due {
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
}

func (d *Dispatcher) hasLog(groupKey string) bool {
	for k := range d.st.NFLog {
		if len(k) > len(groupKey) && k[len(k)-len(groupKey):] == groupKey {
			return true
		}
	}
	return false
}

// Run flushes groups when due until ctx ends; then it waits for deliveries in flight.
func (d *Dispatcher) Run(ctx context.Context) {
	defer d.wg.Wait()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		d.mu.Lock()
		next := d.opts.Now().Add(time.Minute)
		for _, g := range d.groups {
			if g.next.Before(next) {
				next = g.next
			}
		}
		d.mu.Unlock()
		timer.Reset(max(time.Until(next), 0))
		select {
		case <-ctx.Done():
			d.cancel()
			return
		case <-d.wake:
		case <-timer.C:
		}
		d.Flush()
	}
}

// Flush notifies every group that is due. Tests call it with a fake clock.
func (d *Dispatcher) Flush() {
	now := d.opts.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	keys := make([]string, 0, len(d.groups))
	for k := range d.groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sources []labels.Labels // computed once per flush, when a group is due
	for _, k := range keys {
		g := d.groups[k]
		if g.next.After(now) || g.inflight > 0 {
			continue
		}
		if sources == nil {
			sources = d.inhibitSources()
		}
		g.next = now.Add(g.route.GroupInterval)
		d.flush(g, now, sources)
	}
}

// Wait blocks until deliveries in flight have finished.
func (d *Dispatcher) Wait() { d.wg.Wait() }

// Stop cancels deliveries in flight and waits for them.
func (d *Dispatcher) Stop() {
	d.cancel()
	d.wg.Wait()
}

// inhibitSources are the firing alerts that match the source side of an inhibition rule.
func (d *Dispatcher) inhibitSources() []labels.Labels {
	out := []labels.Labels{}
	if len(d.inhibit) == 0 {
		return out
	}
	seen := map[string]bool{}
	for _, g := range d.groups {
		for id, a := range g.alerts {
			if a.Status != notify.StatusFiring || seen[id] {
				continue
			}
			seen[id] = true
			ls := labels.FromMap(a.Labels)
			for _, r := range d.inhibit {
				if r.source.Matches(ls) {
					out = append(out, ls)
					break
				}
			}
		}
	}
	return out
}

func (d *Dispatcher) inhibited(ls labels.Labels, sources []labels.Labels) bool {
	for _, src := range sources {
		for _, r := range d.inhibit {
			if r.inhibits(src, ls) {
				return true
			}
		}
	}
	return false
}

func (d *Dispatcher) flush(g *group, now time.Time, sources []labels.Labels) {
	var alerts []notify.Alert
	var firing, resolved []string
	unacked := 0
	ids := make([]string, 0, len(g.alerts))
	for id := range g.alerts {
		ids = append(ids, id)
	}
	// Alerts appear in label order, as in Alertmanager.
	sort.Slice(ids, func(i, j int) bool {
		return labels.FromMap(g.alerts[ids[i]].Labels).String() < labels.FromMap(g.alerts[ids[j]].Labels).String()
	})
	changed := false
	for _, id := range ids {
		a := g.alerts[id]
		if a.Status == notify.StatusResolved {
			if now.Sub(a.EndsAt) > resolvedKeep {
				delete(g.alerts, id)
				continue
			}
			if _, ok := d.st.Acks[id]; ok {
				delete(d.st.Acks, id) // the next occurrence pages again
				changed = true
			}
		}
		if ls := labels.FromMap(a.Labels); d.st.Silences.mutes(ls, now) || d.inhibited(ls, sources) {
			continue
		}
		if a.Status == notify.StatusFiring {
			a.EndsAt = time.Time{} // firing alerts do not end, as Alertmanager renders them
			firing = append(firing, id)
			if _, acked := d.st.Acks[id]; !acked {
				unacked++
			}
		} else {
			resolved = append(resolved, id)
		}
		alerts = append(alerts, a)
	}
	if len(g.alerts) == 0 {
		delete(d.groups, g.key)
	}
	esc := d.st.Escalations[g.key]
	targets := []string{g.route.Receiver}
	reasons := map[string]string{}
	if esc != nil {
		for i, step := range g.route.Escalation {
			if i < esc.Steps {
				targets = append(targets, step.Receiver)
				continue
			}
			if unacked > 0 && now.Sub(esc.Since) >= step.After {
				esc.Steps = i + 1
				changed = true
				targets = append(targets, step.Receiver)
				reasons[step.Receiver] = fmt.Sprintf("%s within %s", ReasonEscalation, step.After)
			}
		}
	}
	for ti, name := range targets {
		rcv := d.receivers[name]
		primary := ti == 0
		for _, integ := range rcv.Integrations {
			logKey := name + "/" + integ.Name + "/" + g.key
			entry := d.st.NFLog[logKey]
			reason := reasons[name]
			if reason == "" {
				reason = needsUpdate(entry, firing, resolved, integ.SendResolved(), g.route.RepeatInterval, now, unacked == 0)
			}
			if reason == "" {
				continue
			}
			send := alerts
			if !integ.SendResolved() {
				send = slices.DeleteFunc(slices.Clone(alerts), func(a notify.Alert) bool { return a.Status == notify.StatusResolved })
			}
			newEntry := &nflogEntry{Firing: firing, Resolved: resolved, Timestamp: now}
			if len(send) == 0 {
				// Resolution to a receiver that does not want it: log it as done.
				d.st.NFLog[logKey] = newEntry
				changed = true
				continue
			}
			data := notify.NewData(name, g.key, g.labels.Map(), send, d.opts.ExternalURL, reason)
			g.inflight++
			d.wg.Add(1)
			go d.deliver(g, rcv, integ, data, logKey, newEntry, primary && len(firing) > 0, g.route.GroupInterval)
		}
	}
	if len(firing) == 0 && esc != nil {
		delete(d.st.Escalations, g.key)
		changed = true
	}
	if changed && d.opts.OnChange != nil {
		d.opts.OnChange()
	}
}

func (d *Dispatcher) deliver(g *group, rcv *notify.Receiver, integ notify.Integration, data *notify.Data, logKey string, entry *nflogEntry, startsIncident bool, timeout time.Duration) {
	defer d.wg.Done()
	start := time.Now()
	ctx, cancel := context.WithTimeout(d.ctx, timeout)
	attempts, err := notify.Deliver(ctx, integ.Notifier, data, d.opts.Backoff, rcv.Limiter)
	cancel()
	d.mu.Lock()
	g.inflight--
	if err == nil {
		d.st.NFLog[logKey] = entry
		if startsIncident && len(g.route.Escalation) > 0 && d.st.Escalations[g.key] == nil {
			d.st.Escalations[g.key] = &escalation{Since: entry.Timestamp}
		}
	}
	d.mu.Unlock()
	if err == nil && d.opts.OnChange != nil {
		d.opts.OnChange()
	}
	if d.opts.OnResult != nil {
		d.opts.OnResult(Result{Receiver: rcv.Name, Integration: integ.Name, GroupKey: g.key, Reason: data.Reason,
			Alerts: len(data.Alerts), Attempts: attempts, Err: err, Latency: time.Since(start)})
	}
}

// needsUpdate is Alertmanager's deduplication against the notification log; on top of it,
// a group whose firing alerts are all acknowledged is not re-notified on repeat.
func needsUpdate(e *nflogEntry, firing, resolved []string, sendResolved bool, repeat time.Duration, now time.Time, allAcked bool) string {
	if e == nil {
		if len(firing) > 0 {
			return ReasonFirst
		}
		return ""
	}
	if !subset(firing, e.Firing) {
		if len(e.Firing) == 0 {
			return ReasonFirst
		}
		return ReasonNewAlerts
	}
	if len(firing) == 0 {
		if len(e.Firing) > 0 {
			return ReasonAllResolv
		}
		return ""
	}
	if sendResolved && !subset(resolved, e.Resolved) {
		return ReasonSomeResolv
	}
	if !allAcked && !e.Timestamp.After(now.Add(-repeat)) {
		return ReasonRepeat
	}
	return ""
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// Acknowledge records that someone handles the alert: it stops escalation and repeat
// notifications for it until it resolves.
func (d *Dispatcher) Acknowledge(id, by, comment string) error {
	if by == "" {
		return errors.New("by: say who acknowledges")
	}
	d.mu.Lock()
	found := false
	for _, g := range d.groups {
		if a, ok := g.alerts[id]; ok && a.Status == notify.StatusFiring {
			found = true
		}
	}
	if found {
		d.st.Acks[id] = Ack{At: d.opts.Now(), By: by, Comment: comment}
	}
	d.mu.Unlock()
	if !found {
		return fmt.Errorf("no firing alert with id %q", id)
	}
	if d.opts.OnChange != nil {
		d.opts.OnChange()
	}
	return nil
}

// AlertStatus tells the API whether an alert is acknowledged, silenced or inhibited.
type AlertStatus struct {
	Ack       *Ack `json:"ack,omitempty"`
	Silenced  bool `json:"silenced"`
	Inhibited bool `json:"inhibited"`
}

// Status of the alert with the given ID and labels.
func (d *Dispatcher) Status(id string, ls labels.Labels) AlertStatus {
	d.mu.Lock()
	defer d.mu.Unlock()
	var st AlertStatus
	if a, ok := d.st.Acks[id]; ok {
		st.Ack = &a
	}
	now := d.opts.Now()
	st.Silenced = d.st.Silences.mutes(ls, now)
	st.Inhibited = d.inhibited(ls, d.inhibitSources())
	return st
}

// CreateSilence adds a silence and returns its ID.
func (d *Dispatcher) CreateSilence(s Silence) (string, error) {
	d.mu.Lock()
	err := d.st.Silences.add(&s, d.opts.Now())
	d.mu.Unlock()
	if err != nil {
		return "", err
	}
	if d.opts.OnChange != nil {
		d.opts.OnChange()
	}
	return s.ID, nil
}

// ExpireSilence ends a silence now.
func (d *Dispatcher) ExpireSilence(id string) error {
	d.mu.Lock()
	err := d.st.Silences.expire(id, d.opts.Now())
	d.mu.Unlock()
	if err == nil && d.opts.OnChange != nil {
		d.opts.OnChange()
	}
	return err
}

// Silences lists silences with their state.
func (d *Dispatcher) Silences() []Silence {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.st.Silences.list(d.opts.Now())
}

// nflogRetention is how long notification-log entries are kept (Alertmanager's 120h).
const nflogRetention = 120 * time.Hour

// Snapshot serialises the persistent state.
func (d *Dispatcher) Snapshot() ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.opts.Now()
	for k, e := range d.st.NFLog {
		if now.Sub(e.Timestamp) > nflogRetention {
			delete(d.st.NFLog, k)
		}
	}
	return json.Marshal(d.st)
}

// Restore loads a snapshot.
func (d *Dispatcher) Restore(b []byte) error {
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("notification state is corrupt: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if st.NFLog != nil {
		d.st.NFLog = st.NFLog
	}
	if st.Acks != nil {
		d.st.Acks = st.Acks
	}
	if st.Escalations != nil {
		d.st.Escalations = st.Escalations
	}
	for id, s := range st.Silences {
		if err := s.compile(); err != nil {
			continue
		}
		d.st.Silences[id] = s
	}
	return nil
}
