package rules

import (
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/series"
)

var t0 = time.Date(2026, 8, 27, 10, 0, 0, 0, time.UTC)

// clock is a fake clock shared by the store and the test.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// push ingests one gauge point per model at the clock's time.
func push(st *series.Store, c *clock, name string, values map[string]float64) {
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName(name)
	g := m.SetEmptyGauge()
	for model, v := range values {
		dp := g.DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(c.now))
		dp.SetDoubleValue(v)
		dp.Attributes().PutStr("model", model)
	}
	st.Ingest(md)
}

func newManager(t *testing.T, c *clock, cfgs ...Config) (*Manager, *series.Store) {
	t.Helper()
	st := series.NewStore(time.Hour, time.Minute, c.Now)
	var rs []*Rule
	for _, cfg := range cfgs {
		r, err := Compile(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	m, err := NewManager(rs, st, 90*time.Second, External{URL: "http://otelcol:8080"})
	if err != nil {
		t.Fatal(err)
	}
	return m, st
}

// step advances one minute, pushes values (nil = no data), evaluates and returns the
// state of every alert keyed by model.
func step(t *testing.T, m *Manager, st *series.Store, c *clock, values map[string]float64) map[string]Alert {
	t.Helper()
	c.now = c.now.Add(time.Minute)
	if values != nil {
		push(st, c, "latency", values)
	}
	if errs := m.Evaluate(c.now); len(errs) > 0 {
		t.Fatalf("evaluation errors: %v", errs)
	}
	out := map[string]Alert{}
	for _, a := range m.Alerts() {
		out[a.Labels.Get("model")] = a
	}
	return out
}

func TestStateMachineFor(t *testing.T) {
	c := &clock{t0}
	m, st := newManager(t, c, Config{Alert: "Slow", Expr: "latency > 5", For: 3 * time.Minute, Severity: "warning"})
	// minute: 1 pending, 2 pending, 3 pending (2m), 4 firing (3m ≥ for)
	wantStates := []State{StatePending, StatePending, StatePending, StateFiring}
	var activeAt time.Time
	for i, want := range wantStates {
		a := step(t, m, st, c, map[string]float64{"gpt": 7})["gpt"]
		if a.State != want {
			t.Fatalf("minute %d: state %s, want %s", i+1, a.State, want)
		}
		if i == 0 {
			activeAt = a.ActiveAt
		}
		if a.ActiveAt != activeAt {
			t.Fatalf("ActiveAt moved: %s → %s", activeAt, a.ActiveAt)
		}
	}
	if a := step(t, m, st, c, map[string]float64{"gpt": 7})["gpt"]; a.FiredAt != t0.Add(4*time.Minute) {
		t.Fatalf("FiredAt = %s", a.FiredAt)
	}
	// condition clears: resolved once, kept for 15 minutes, then forgotten
	a := step(t, m, st, c, map[string]float64{"gpt": 1})["gpt"]
	if a.State != StateInactive || a.ResolvedAt != c.now || !a.Resolved() {
		t.Fatalf("after clearing: %+v", a)
	}
	for i := 0; i < 15; i++ {
		if _, ok := step(t, m, st, c, map[string]float64{"gpt": 1})["gpt"]; !ok {
			t.Fatalf("resolved alert dropped after %d minutes, want 15", i+1)
		}
	}
	if _, ok := step(t, m, st, c, map[string]float64{"gpt": 1})["gpt"]; ok {
		t.Fatal("resolved alert kept beyond 15 minutes")
	}
}

func TestPendingResetByOneMiss(t *testing.T) {
	c := &clock{t0}
	m, st := newManager(t, c, Config{Alert: "Slow", Expr: "latency > 5", For: 3 * time.Minute, Severity: "warning"})
	step(t, m, st, c, map[string]float64{"gpt": 7})
	step(t, m, st, c, map[string]float64{"gpt": 7})
	if _, ok := step(t, m, st, c, map[string]float64{"gpt": 1})["gpt"]; ok {
		t.Fatal("a pending alert whose condition cleared must be deleted, never notified")
	}
	a := step(t, m, st, c, map[string]float64{"gpt": 7})["gpt"]
	if a.State != StatePending || a.ActiveAt != c.now {
		t.Fatalf("the for clock must restart: %+v", a)
	}
}

func TestKeepFiringFor(t *testing.T) {
	c := &clock{t0}
	m, st := newManager(t, c, Config{Alert: "Slow", Expr: "latency > 5", KeepFiringFor: 2 * time.Minute, Severity: "critical"})
	if a := step(t, m, st, c, map[string]float64{"gpt": 7})["gpt"]; a.State != StateFiring {
		t.Fatalf("for: 0 fires on the first evaluation, got %s", a.State)
	}
	for i := 0; i < 2; i++ {
		if a := step(t, m, st, c, map[string]float64{"gpt": 1})["gpt"]; a.State != StateFiring {
			t.Fatalf("miss %d: keep_firing_for must keep it firing, got %s", i+1, a.State)
		}
	}
	if a := step(t, m, st, c, map[string]float64{"gpt": 1})["gpt"]; a.State != StateInactive {
		t.Fatalf("after keep_firing_for: %s", a.State)
	}
	// A return of the condition during keep_firing_for resets it.
	m2, st2 := newManager(t, c, Config{Alert: "Slow", Expr: "latency > 5", KeepFiringFor: 2 * time.Minute, Severity: "critical"})
	for _, v := range []float64{7, 1, 7, 1, 1} {
		if a := step(t, m2, st2, c, map[string]float64{"gpt": v})["gpt"]; a.State != StateFiring {
			t.Fatalf("value %v: %s, want firing", v, a.State)
		}
	}
}

func TestNoDataResolves(t *testing.T) {
	c := &clock{t0}
	m, st := newManager(t, c, Config{Alert: "Slow", Expr: "latency > 5", Severity: "warning"})
	step(t, m, st, c, map[string]float64{"gpt": 7})
	step(t, m, st, c, nil) // within the 90 s lookback the last point still counts
	if a := step(t, m, st, c, nil)["gpt"]; a.State != StateInactive {
		t.Fatalf("a series that stopped reporting must resolve after the lookback: %s", a.State)
	}
}

func TestTemplatesAndIdentity(t *testing.T) {
	c := &clock{t0}
	m, st := newManager(t, c, Config{
		Alert: "Slow", Expr: "latency > 5", Severity: "high",
		Labels:      map[string]string{"team": "llm-{{ $labels.model }}"},
		Annotations: map[string]string{"summary": "{{ $labels.model }} p99 {{ $value }}s ({{ $labels.team }}) see {{ $externalURL }}", "bad": "{{ .Nope.Field }}"},
	})
	a := step(t, m, st, c, map[string]float64{"gpt": 7.5})["gpt"]
	if got := a.Labels.String(); got != `{alertname="Slow", model="gpt", severity="high", team="llm-gpt"}` {
		t.Fatalf("labels = %s", got)
	}
	if got := a.Annotations["summary"]; got != "gpt p99 7.5s (llm-gpt) see http://otelcol:8080" {
		t.Fatalf("summary = %q", got)
	}
	if !strings.HasPrefix(a.Annotations["bad"], "<error expanding template: ") {
		t.Fatalf("bad template = %q", a.Annotations["bad"])
	}
	// annotations are re-rendered every evaluation; identity stays
	b := step(t, m, st, c, map[string]float64{"gpt": 9})["gpt"]
	if b.ID() != a.ID() || b.Annotations["summary"] != "gpt p99 9s (llm-gpt) see http://otelcol:8080" || b.Value != 9 {
		t.Fatalf("second evaluation: %+v", b)
	}
}

func TestDuplicateLabelSetIsAnError(t *testing.T) {
	c := &clock{t0}
	m, st := newManager(t, c,
		Config{Alert: "Dup", Expr: "latency > 5", Severity: "info", Labels: map[string]string{"model": "x"}},
		Config{Alert: "Fine", Expr: "latency > 5", Severity: "info"})
	c.now = c.now.Add(time.Minute)
	push(st, c, "latency", map[string]float64{"a": 7, "b": 8})
	errs := m.Evaluate(c.now)
	if errs["Dup"] == nil || !strings.Contains(errs["Dup"].Error(), "same labels") || errs["Fine"] != nil {
		t.Fatalf("errors = %v", errs)
	}
	if n := len(m.Alerts()); n != 2 {
		t.Fatalf("the healthy rule must go on: %d alerts", n)
	}
	for _, rs := range m.Rules() {
		if rs.Config.Alert == "Dup" && (rs.Health.LastError == "" || rs.Health.Failures != 1) {
			t.Fatalf("health = %+v", rs.Health)
		}
	}
}

func TestNeedsSending(t *testing.T) {
	a := &Alert{State: StateFiring, LastSentAt: t0}
	if a.NeedsSending(t0.Add(30*time.Second), time.Minute) {
		t.Fatal("resent before resend delay")
	}
	if !a.NeedsSending(t0.Add(61*time.Second), time.Minute) {
		t.Fatal("not resent after resend delay")
	}
	a.State, a.ResolvedAt = StateInactive, t0.Add(time.Second)
	if !a.NeedsSending(t0.Add(2*time.Second), time.Minute) {
		t.Fatal("unsent resolution not sent")
	}
	if (&Alert{State: StatePending}).NeedsSending(t0, 0) {
		t.Fatal("pending alerts are never sent")
	}
}

func TestRestoreDoesNotResolveForLackOfData(t *testing.T) {
	c := &clock{t0}
	cfg := Config{Alert: "Slow", Expr: "latency > 5", Severity: "warning"}
	m, st := newManager(t, c, cfg)
	step(t, m, st, c, map[string]float64{"gpt": 7})
	snap, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	m2, st2 := newManager(t, c, cfg) // a restarted process: empty store
	if err := m2.Restore(snap, c.now); err != nil {
		t.Fatal(err)
	}
	if a := step(t, m2, st2, c, nil)["gpt"]; a.State != StateFiring {
		t.Fatalf("restored alert resolved without data: %s", a.State)
	}
	step(t, m2, st2, c, map[string]float64{"gpt": 1})
	if a := step(t, m2, st2, c, map[string]float64{"gpt": 1})["gpt"]; a.State != StateInactive {
		t.Fatalf("restored alert did not resolve on fresh data: %s", a.State)
	}
}

func TestValidate(t *testing.T) {
	catalog := func(m string) (series.Kind, bool) {
		if m == "otelcol_llm.requests" {
			return series.Counter, true
		}
		return 0, false
	}
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Expr: "x > 1", Severity: "info"}, "alert: every rule needs a name"},
		{Config{Alert: "a-b", Expr: "x > 1", Severity: "info"}, `alert: "a-b" is not a valid name`},
		{Config{Alert: "A", Expr: "x > 1"}, "severity: missing"},
		{Config{Alert: "A", Expr: "x > 1", Severity: "page"}, `severity: "page" is not one of`},
		{Config{Alert: "A", Expr: "x", Severity: "info"}, "threshold rule compares"},
		{Config{Alert: "A", Expr: "rate(x) > 1", Severity: "info"}, "expr: at character 1"},
		{Config{Alert: "A", Expr: "histogram_quantile(0.9, rate(otelcol_llm.requests[5m])) > 1", Severity: "info"}, "is a counter, not a histogram"},
		{Config{Alert: "A", Expr: "x > 1", Severity: "info", For: -time.Second}, "for: -1s is negative"},
		{Config{Alert: "A", Expr: "x > 1", Severity: "info", Labels: map[string]string{"severity": "x"}}, `labels: "severity" is set by the rule`},
		{Config{Alert: "A", Expr: "x > 1", Severity: "info", Annotations: map[string]string{"s": "{{ $value"}}, `annotations "s": invalid template`},
		{Config{Alert: "A", Kind: "magic", Expr: "x > 1", Severity: "info"}, `kind: "magic" is not one of`},
		{Config{Alert: "A", Kind: KindAnomaly, Expr: "x > 1", Severity: "info"}, "this rule kind supplies the comparison"},
		{Config{Alert: "A", Kind: KindAnomaly, Expr: "x", Severity: "info", Anomaly: &AnomalyConfig{Method: "prophet"}}, `anomaly.method: "prophet"`},
		{Config{Alert: "A", Kind: KindSLO, SLO: &SLOConfig{Objective: 99.5}}, "slo.objective: 99.5 must be a ratio"},
		{Config{Alert: "A", Kind: KindSLO, SLO: &SLOConfig{Objective: 0.99, Errors: "sum(increase(e[1h]))", Total: "t"}}, "slo.errors: must read its range from $window"},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate(catalog)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want %q", tt.cfg, err, tt.want)
		}
	}
	// With the connector's catalog, a typo in its namespace is caught; other names pass.
	for e, want := range map[string]string{
		"sum(rate(otelcol_llm.error[5m])) > 1":            `unknown metric "otelcol_llm.error": the llmmetrics connector emits no such metric; did you mean "otelcol_llm.errors"?`,
		"gen_ai.client.operation.durations > 1":           `did you mean "gen_ai.client.operation.duration"?`,
		"sum(rate(http.server.request.duration[5m])) > 1": "",
	} {
		err := (&Config{Alert: "A", Expr: e, Severity: "info"}).Validate(Catalog)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v, want %q", e, err, want)
		}
	}
}

func TestDefaultsAreValidAndOverridable(t *testing.T) {
	cfgs, err := Set{DefaultRules: true}.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfgs) != 4 {
		t.Fatalf("%d default rules, want 4", len(cfgs))
	}
	for _, c := range cfgs {
		if _, err := Compile(c, Catalog); err != nil {
			t.Fatal(err)
		}
	}
	over := Config{Alert: DefaultLatency, Expr: "histogram_quantile(0.95, sum(rate(gen_ai.client.operation.duration[10m]))) > 3", Severity: SeverityHigh}
	cfgs, err = Set{DefaultRules: true, Disable: []string{DefaultCost}, Inline: []Config{over}}.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]Config{}
	for _, c := range cfgs {
		names[c.Alert] = c
	}
	if len(cfgs) != 3 || names[DefaultLatency].Severity != SeverityHigh {
		t.Fatalf("override/disable: %+v", names)
	}
	if _, err := (Set{Disable: []string{"Nope"}}).Resolve(); err == nil || !strings.Contains(err.Error(), `no rule named "Nope"`) {
		t.Fatalf("disable unknown: %v", err)
	}
}

func TestParseFile(t *testing.T) {
	cfgs, err := ParseFile([]byte("rules:\n  - alert: A\n    expr: x > 1\n    for: 5m\n    severity: info\n"))
	if err != nil || len(cfgs) != 1 || cfgs[0].For != 5*time.Minute {
		t.Fatalf("%+v %v", cfgs, err)
	}
	_, err = ParseFile([]byte("rules:\n  - alert: A\n    expr: x > 1\n    keep_firing: 5m\n"))
	if err == nil || !strings.Contains(err.Error(), "keep_firing") {
		t.Fatalf("unknown field: %v", err)
	}
}
