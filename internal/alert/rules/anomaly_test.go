package rules

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/series"
)

// seasonal is a token rate with a daily cycle (low at night), a quieter weekend and 10%
// multiplicative noise.
func seasonal(t time.Time, rng *rand.Rand) float64 {
	hour := float64(t.Hour()) + float64(t.Minute())/60
	daily := 1000 + 800*math.Sin((hour-9)/24*2*math.Pi)
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		daily *= 0.6
	}
	return daily * (1 + 0.1*rng.NormFloat64())
}

type spike struct {
	start time.Time
	dur   time.Duration
	mult  float64
}

// runAnomaly simulates `days` days at 5-minute resolution and returns when alerts fired.
func runAnomaly(t *testing.T, cfg Config, days int, spikes []spike) (fired []time.Time, firstAlertAt time.Time) {
	t.Helper()
	start := time.Date(2026, 8, 3, 0, 0, 0, 0, time.UTC) // a Monday
	c := &clock{start}
	st := series.NewStore(time.Hour, time.Minute, c.Now)
	r, err := Compile(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewManager([]*Rule{r}, st, 10*time.Minute, External{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	wasFiring := false
	for c.now.Before(start.Add(time.Duration(days) * 24 * time.Hour)) {
		c.now = c.now.Add(5 * time.Minute)
		v := seasonal(c.now, rng)
		for _, s := range spikes {
			if !c.now.Before(s.start) && c.now.Before(s.start.Add(s.dur)) {
				v *= s.mult
			}
		}
		md := pmetric.NewMetrics()
		mt := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		mt.SetName("tokens_per_second")
		dp := mt.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(c.now))
		dp.SetDoubleValue(v)
		st.Ingest(md)
		if errs := m.Evaluate(c.now); len(errs) > 0 {
			t.Fatal(errs)
		}
		firing := false
		for _, a := range m.Alerts() {
			firing = firing || a.State == StateFiring
		}
		if firing && !wasFiring {
			fired = append(fired, c.now)
		}
		wasFiring = firing
	}
	return fired, start
}

// score splits firings into detections (delay from spike start) and false alarms.
func score(fired []time.Time, spikes []spike) (delays []time.Duration, falseAlarms int) {
	detected := make([]bool, len(spikes))
	for _, f := range fired {
		hit := false
		for i, s := range spikes {
			if !f.Before(s.start) && f.Before(s.start.Add(s.dur+30*time.Minute)) {
				if !detected[i] {
					delays = append(delays, f.Sub(s.start))
					detected[i] = true
				}
				hit = true
			}
		}
		if !hit {
			falseAlarms++
		}
	}
	return delays, falseAlarms
}

func TestAnomalyDetectsSpikesOnSeasonalTraffic(t *testing.T) {
	day := func(d, h int) time.Time { return time.Date(2026, 8, 3+d, h, 0, 0, 0, time.UTC) }
	spikes := []spike{
		{day(8, 3), 45 * time.Minute, 3},    // night: small in absolute terms
		{day(9, 14), 30 * time.Minute, 2.5}, // afternoon peak
		{day(12, 10), time.Hour, 2.5},       // Saturday morning
	}
	for _, method := range []string{MethodMAD, MethodZScore} {
		t.Run(method, func(t *testing.T) {
			cfg := Config{Alert: "TokenAnomaly", Kind: KindAnomaly, Expr: "tokens_per_second", For: 10 * time.Minute,
				Severity: SeverityWarning, Anomaly: &AnomalyConfig{Method: method}}
			fired, start := runAnomaly(t, cfg, 14, spikes)
			delays, falseAlarms := score(fired, spikes)
			t.Logf("%s: %d/%d spikes detected, delays %v, %d false alarms in 14 days", method, len(delays), len(spikes), delays, falseAlarms)
			if len(fired) > 0 && fired[0].Before(start.Add(24*time.Hour)) {
				t.Fatalf("alerted during the 24h warm-up at %s", fired[0])
			}
			if method == MethodMAD {
				if len(delays) != len(spikes) || falseAlarms > 0 {
					t.Fatalf("robust band: want every spike and no false alarm; fired at %v", fired)
				}
				for _, d := range delays {
					if d > 15*time.Minute {
						t.Fatalf("detection delay %s > for (10m) + one step", d)
					}
				}
			}
		})
	}
}

func TestAnomalyRatioAndVolume(t *testing.T) {
	c := &clock{t0}
	st := series.NewStore(2*time.Hour, time.Minute, c.Now)
	r, err := Compile(Config{Alert: "CostSpike", Kind: KindAnomaly, Expr: "cost", Severity: SeverityWarning,
		Anomaly: &AnomalyConfig{Method: MethodRatio, Factor: 1.5, MinHistory: time.Hour, Seasonal: new(bool),
			Volume: "requests", MinVolume: 10}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := NewManager([]*Rule{r}, st, 10*time.Minute, External{})
	step := func(cost, requests float64) State {
		c.now = c.now.Add(5 * time.Minute)
		push(st, c, "cost", map[string]float64{"a": cost})
		push(st, c, "requests", map[string]float64{"a": requests})
		m.Evaluate(c.now)
		for _, a := range m.Alerts() {
			return a.State
		}
		return StateInactive
	}
	for range 14 { // 70 minutes of normal spend
		if s := step(10, 100); s != StateInactive {
			t.Fatalf("normal spend alerted: %s", s)
		}
	}
	if s := step(14, 100); s != StateInactive {
		t.Fatal("140% of baseline alerted; the rule says 150%")
	}
	if s := step(16, 5); s != StateInactive {
		t.Fatal("alerted below min_volume")
	}
	if s := step(16, 100); s != StateFiring {
		t.Fatalf("160%% of baseline: %s, want firing", s)
	}
}

func TestSLOBurnRate(t *testing.T) {
	cfg := Config{Alert: "Availability", Kind: KindSLO, SLO: &SLOConfig{Objective: 0.999,
		Errors: "sum(increase(errors[$window]))", Total: "sum(increase(requests[$window]))"}}
	run := func(errRatio float64, minutes int) map[string]State {
		c := &clock{t0}
		st := series.NewStore(73*time.Hour, time.Minute, c.Now)
		r, err := Compile(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := NewManager([]*Rule{r}, st, 5*time.Minute, External{})
		var reqs, errs float64
		for i := 0; i < minutes; i++ {
			c.now = c.now.Add(time.Minute)
			reqs += 1000
			errs += 1000 * errRatio
			md := pmetric.NewMetrics()
			ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
			for name, v := range map[string]float64{"requests": reqs, "errors": errs} {
				mt := ms.AppendEmpty()
				mt.SetName(name)
				s := mt.SetEmptySum()
				s.SetIsMonotonic(true)
				s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
				dp := s.DataPoints().AppendEmpty()
				dp.SetTimestamp(pcommon.NewTimestampFromTime(c.now))
				dp.SetDoubleValue(v)
			}
			st.Ingest(md)
			m.Evaluate(c.now)
		}
		out := map[string]State{}
		for _, a := range m.Alerts() {
			out[a.Labels.Get("severity")] = a.State
		}
		return out
	}
	// burn 20 (2% errors on a 0.1% budget) exceeds 14.4: page
	if got := run(0.02, 10); got[SeverityCritical] != StateFiring {
		t.Fatalf("burn 20: %v", got)
	}
	// burn 5 pages on neither pair (14.4, 6) but opens a ticket (burn 1 over 3d/6h)
	if got := run(0.005, 10); got[SeverityCritical] != StateInactive || got[SeverityWarning] != StateFiring {
		t.Fatalf("burn 5: %v", got)
	}
	// burn 0.5: nothing
	if got := run(0.0005, 10); len(got) != 0 {
		t.Fatalf("burn 0.5: %v", got)
	}
}
