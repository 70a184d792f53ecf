package rules

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/expr"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/series"
)

// Manager evaluates a set of rules against one store, all at the same instant per cycle.
type Manager struct {
	mu       sync.Mutex
	rules    []*Rule
	store    *series.Store
	lookback time.Duration
	ext      External
}

// NewManager builds a manager; rule names must be unique.
func NewManager(rules []*Rule, store *series.Store, lookback time.Duration, ext External) (*Manager, error) {
	seen := map[string]bool{}
	for _, r := range rules {
		if seen[r.Name()] {
			return nil, fmt.Errorf("rule %q is defined twice", r.Name())
		}
		seen[r.Name()] = true
	}
	return &Manager{rules: rules, store: store, lookback: lookback, ext: ext}, nil
}

// Evaluate runs every rule at at. A failing rule keeps its alerts and does not stop the
// others; the failures are returned by rule name.
func (m *Manager) Evaluate(at time.Time) map[string]error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs map[string]error
	m.store.View(func(v series.View) {
		env := expr.NewEnv(v, at, m.lookback)
		for _, r := range m.rules {
			if err := r.Eval(env, m.ext); err != nil {
				if errs == nil {
					errs = map[string]error{}
				}
				errs[r.Name()] = err
			}
		}
	})
	return errs
}

// Alerts returns every alert instance of every rule, ordered by rule then labels.
func (m *Manager) Alerts() []Alert {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Alert
	for _, r := range m.rules {
		as := r.Alerts()
		sort.Slice(as, func(i, j int) bool { return as[i].Labels.String() < as[j].Labels.String() })
		out = append(out, as...)
	}
	return out
}

// MarkSent records that alerts were handed to notification at ts, for resend pacing.
func (m *Manager) MarkSent(ids map[string]bool, ts, validUntil time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.rules {
		for _, a := range r.active {
			if ids[a.ID()] {
				a.LastSentAt = ts
				a.ValidUntil = validUntil
			}
		}
	}
}

// RuleStatus is the API view of one rule.
type RuleStatus struct {
	Config Config `json:"rule"`
	Health Health `json:"health"`
	Active int    `json:"active"`
}

// Rules returns the status of every rule.
func (m *Manager) Rules() []RuleStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]RuleStatus, len(m.rules))
	for i, r := range m.rules {
		out[i] = RuleStatus{Config: r.cfg, Health: r.health, Active: len(r.active)}
	}
	return out
}

// Resolve resolves the alert with the given ID by hand.
func (m *Manager) Resolve(id string, ts time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.rules {
		if r.Resolve(id, ts) {
			return true
		}
	}
	return false
}

// MaxRange is the longest window any rule reads: what the store must keep.
func (m *Manager) MaxRange() time.Duration {
	var d time.Duration
	for _, r := range m.rules {
		d = max(d, r.MaxRange())
	}
	return d
}

// ruleState is what survives a restart for one rule.
type ruleState struct {
	Alerts  []Alert    `json:"alerts"`
	History []*history `json:"history,omitempty"`
}

// Snapshot serialises alert state and anomaly baselines.
func (m *Manager) Snapshot() ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := map[string]ruleState{}
	for _, r := range m.rules {
		rs := ruleState{Alerts: r.Alerts()}
		if a, ok := r.src.(*anomalySource); ok {
			for _, h := range a.series {
				rs.History = append(rs.History, h)
			}
		}
		st[r.Name()] = rs
	}
	return json.Marshal(st)
}

// Restore loads a snapshot taken by a previous process (now: the restart time) or by the
// running one before a rules reload (now: zero). Alerts of rules that no longer exist are
// dropped. After a restart, until a rule's window has refilled with fresh data (its
// longest range, at least the lookback), restored firing alerts do not resolve for lack of
// data: a restart is not a recovery.
func (m *Manager) Restore(b []byte, now time.Time) error {
	var st map[string]ruleState
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("alert state is corrupt: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.rules {
		rs, ok := st[r.Name()]
		if !ok {
			continue
		}
		for i := range rs.Alerts {
			a := rs.Alerts[i]
			r.active[a.Labels.Fingerprint()] = &a
		}
		r.holdResolveUntil = now.Add(max(r.MaxRange(), m.lookback))
		if a, ok := r.src.(*anomalySource); ok {
			for _, h := range rs.History {
				a.series[h.Labels.Fingerprint()] = h
			}
		}
	}
	return nil
}
