package rules

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/expr"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/labels"
)

// Anomaly methods.
const (
	// MethodMAD is the robust seasonal band: median ± k·MAD of the same hour last week,
	// else of the same hour yesterday, else of the last day, never narrower than a margin.
	MethodMAD = "mad"
	// MethodZScore is an EWMA mean/variance with a z-score bound, for near-normal metrics.
	MethodZScore = "zscore"
	// MethodRatio compares with Factor × the baseline median, the same reference as mad
	// (e.g. cost > 150% of the same hour yesterday).
	MethodRatio = "ratio"
)

// Directions.
const (
	DirectionAbove = "above"
	DirectionBelow = "below"
	DirectionBoth  = "both"
)

// AnomalyConfig tunes an anomaly rule. Zero values take the defaults documented on each
// field; every false-positive control is on by default.
type AnomalyConfig struct {
	// Method is mad (default), zscore or ratio.
	Method string `mapstructure:"method" json:"method,omitempty"`
	// Direction is above (default), below or both.
	Direction string `mapstructure:"direction" json:"direction,omitempty"`
	// K is the band width in MADs (mad, default 3) or standard deviations (zscore, default 3).
	K float64 `mapstructure:"k" json:"k,omitempty"`
	// Margin is the minimum half-width of the band as a fraction of the median (default 0.5).
	Margin float64 `mapstructure:"margin" json:"margin,omitempty"`
	// Factor is the ratio method's multiple of the baseline (default 1.5).
	Factor float64 `mapstructure:"factor" json:"factor,omitempty"`
	// Alpha is the zscore method's EWMA smoothing factor (default 0.1).
	Alpha float64 `mapstructure:"alpha" json:"alpha,omitempty"`
	// Resolution is the spacing of the stored history (default 5m).
	Resolution time.Duration `mapstructure:"resolution" json:"resolution,omitempty"`
	// MinHistory is how much history a series needs before it can alert (default 24h).
	MinHistory time.Duration `mapstructure:"min_history" json:"min_history,omitempty"`
	// Guardband keeps the most recent history out of the day-wide baseline (default 30m),
	// so a slow anomaly does not become its own baseline.
	Guardband time.Duration `mapstructure:"guardband" json:"guardband,omitempty"`
	// Seasonal centres the band on the same hour last week or yesterday (default true);
	// false compares with the whole last day (for metrics without a daily cycle).
	Seasonal *bool `mapstructure:"seasonal" json:"seasonal,omitempty"`
	// Volume is an optional expression counting requests per label set over the same window
	// (e.g. sum by (model) (increase(otelcol_llm.requests[1h]))); with MinVolume it mutes
	// low-traffic series.
	Volume    string  `mapstructure:"volume" json:"volume,omitempty"`
	MinVolume float64 `mapstructure:"min_volume" json:"min_volume,omitempty"`
}

func (c *AnomalyConfig) defaults() {
	if c.Method == "" {
		c.Method = MethodMAD
	}
	if c.Direction == "" {
		c.Direction = DirectionAbove
	}
	if c.K == 0 {
		c.K = 3
	}
	if c.Margin == 0 {
		c.Margin = 0.5
	}
	if c.Factor == 0 {
		c.Factor = 1.5
	}
	if c.Alpha == 0 {
		c.Alpha = 0.1
	}
	if c.Resolution == 0 {
		c.Resolution = 5 * time.Minute
	}
	if c.MinHistory == 0 {
		c.MinHistory = 24 * time.Hour
	}
	if c.Guardband == 0 {
		c.Guardband = 30 * time.Minute
	}
	if c.Seasonal == nil {
		t := true
		c.Seasonal = &t
	}
}

func (c *AnomalyConfig) validate() error {
	c.defaults()
	switch c.Method {
	case MethodMAD, MethodZScore, MethodRatio:
	default:
		return fmt.Errorf("anomaly.method: %q is not one of mad, zscore, ratio", c.Method)
	}
	switch c.Direction {
	case DirectionAbove, DirectionBelow, DirectionBoth:
	default:
		return fmt.Errorf("anomaly.direction: %q is not one of above, below, both", c.Direction)
	}
	switch {
	case c.K < 0:
		return errors.New("anomaly.k: must be positive (3 is a common choice)")
	case c.Margin < 0:
		return errors.New("anomaly.margin: must not be negative")
	case c.Factor <= 1 && c.Method == MethodRatio && c.Direction != DirectionBelow:
		return fmt.Errorf("anomaly.factor: %g must exceed 1 to alert above the baseline", c.Factor)
	case c.Alpha <= 0 || c.Alpha >= 1:
		return fmt.Errorf("anomaly.alpha: %g must be between 0 and 1 exclusive", c.Alpha)
	case c.Resolution < time.Second:
		return errors.New("anomaly.resolution: must be at least 1s")
	case c.MinVolume < 0:
		return errors.New("anomaly.min_volume: must not be negative")
	case c.MinVolume > 0 && c.Volume == "":
		return errors.New("anomaly.min_volume: needs anomaly.volume, the expression counting requests")
	}
	if c.Volume != "" {
		return checkExpr("anomaly.volume", c.Volume, false, nil)
	}
	return nil
}

// history is one series' past values at a fixed resolution, oldest first.
type history struct {
	Labels labels.Labels `json:"labels"`
	First  int64         `json:"first"` // slot of the first value ever seen (warm-up)
	Slots  []int64       `json:"slots"`
	Values []float64     `json:"values"`
	// EWMA state for the zscore method.
	Mean float64 `json:"mean,omitempty"`
	Var  float64 `json:"var,omitempty"`
	N    int64   `json:"n,omitempty"`
}

func (h *history) record(slot int64, v float64, keep int64) {
	if n := len(h.Slots); n > 0 && h.Slots[n-1] == slot {
		h.Values[n-1] = v // latest value of the slot wins
	} else {
		h.Slots = append(h.Slots, slot)
		h.Values = append(h.Values, v)
	}
	i := 0
	for i < len(h.Slots) && h.Slots[i] < slot-keep {
		i++
	}
	if i > 0 {
		h.Slots = append(h.Slots[:0], h.Slots[i:]...)
		h.Values = append(h.Values[:0], h.Values[i:]...)
	}
}

// values returns the values whose slot is in [from, to].
func (h *history) values(from, to int64, buf []float64) []float64 {
	lo, _ := slices.BinarySearch(h.Slots, from)
	for i := lo; i < len(h.Slots) && h.Slots[i] <= to; i++ {
		buf = append(buf, h.Values[i])
	}
	return buf
}

type anomalySource struct {
	cfg     AnomalyConfig
	n       expr.Node
	volume  expr.Node
	series  map[uint64]*history
	scratch []float64
}

func newAnomalySource(cfg Config) (*anomalySource, error) {
	n, err := expr.Parse(cfg.Expr)
	if err != nil {
		return nil, err
	}
	s := &anomalySource{cfg: *cfg.Anomaly, n: n, series: map[uint64]*history{}}
	if cfg.Anomaly.Volume != "" {
		if s.volume, err = expr.Parse(cfg.Anomaly.Volume); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *anomalySource) maxRange() time.Duration {
	r := expr.MaxRange(s.n)
	if s.volume != nil {
		r = max(r, expr.MaxRange(s.volume))
	}
	return r
}

// Band is the normal range of a series at one instant.
type Band struct{ Lower, Upper, Median float64 }

// keepSlots is how much history is kept: a week and an hour with seasonal bands, else a day.
func (s *anomalySource) keepSlots() int64 {
	d := 25 * time.Hour
	if *s.cfg.Seasonal {
		d = 7*24*time.Hour + time.Hour
	}
	return int64(d / s.cfg.Resolution)
}

func (s *anomalySource) eval(env *expr.Env, w *expr.Warnings) (expr.Vector, error) {
	v, err := expr.Eval(env, s.n, w)
	if err != nil {
		return nil, err
	}
	var volume map[uint64]float64
	if s.volume != nil {
		vv, err := expr.Eval(env, s.volume, w)
		if err != nil {
			return nil, fmt.Errorf("anomaly.volume: %w", err)
		}
		volume = make(map[uint64]float64, len(vv.Vector))
		for _, x := range vv.Vector {
			volume[x.Labels.Fingerprint()] = x.V
		}
	}
	res := int64(s.cfg.Resolution)
	slot := env.At.UnixNano() / res
	var out expr.Vector
	for _, smp := range v.Vector {
		if smp.H != nil {
			return nil, errors.New("anomaly rules need a number per series; apply histogram_quantile or histogram_avg to histograms")
		}
		fp := smp.Labels.Fingerprint()
		h := s.series[fp]
		if h == nil {
			h = &history{Labels: smp.Labels, First: slot}
			s.series[fp] = h
		}
		enough := (slot-h.First)*res >= int64(s.cfg.MinHistory)
		if volume != nil && volume[fp] < s.cfg.MinVolume {
			enough = false
		}
		anomalous := false
		if enough {
			if band, ok := s.band(h, slot); ok {
				anomalous = s.outside(smp.V, band)
			}
		}
		if s.cfg.Method == MethodZScore && (!anomalous || h.N < 2) {
			h.updateEWMA(smp.V, s.cfg.Alpha)
		}
		h.record(slot, smp.V, s.keepSlots())
		if anomalous {
			out = append(out, smp)
		}
	}
	return out, nil
}

func (s *anomalySource) outside(v float64, b Band) bool {
	switch s.cfg.Direction {
	case DirectionAbove:
		return v > b.Upper
	case DirectionBelow:
		return v < b.Lower
	}
	return v > b.Upper || v < b.Lower
}

func (h *history) updateEWMA(v, alpha float64) {
	if h.N == 0 {
		h.Mean, h.Var = v, 0
	} else {
		d := v - h.Mean
		h.Mean += alpha * d
		h.Var = (1 - alpha) * (h.Var + alpha*d*d)
	}
	h.N++
}

// band computes the normal range at slot from the history before the guardband.
func (s *anomalySource) band(h *history, slot int64) (Band, bool) {
	if s.cfg.Method == MethodZScore {
		if h.N < 2 {
			return Band{}, false
		}
		sd := math.Sqrt(h.Var)
		// A flat history has no spread; the margin keeps the band from collapsing.
		half := math.Max(s.cfg.K*sd, s.cfg.Margin*math.Abs(h.Mean))
		return Band{Lower: math.Max(0, h.Mean-half), Upper: h.Mean + half, Median: h.Mean}, true
	}
	center, spread, ok := s.reference(h, slot)
	if !ok {
		return Band{}, false
	}
	if s.cfg.Method == MethodRatio {
		return Band{Lower: center / s.cfg.Factor, Upper: center * s.cfg.Factor, Median: center}, true
	}
	// 1.4826·MAD estimates σ for normal data.
	half := math.Max(s.cfg.K*1.4826*spread, s.cfg.Margin*math.Abs(center))
	return Band{Lower: math.Max(0, center-half), Upper: center + half, Median: center}, true
}

// reference is the robust baseline at slot: median and MAD of the same hour last week
// (daily and weekly cycles), else of the same hour yesterday, else of the last day up to
// the guardband. A day-wide MAD would absorb the daily cycle and hide night-time spikes,
// so seasonal references take their spread from inside the reference hour.
func (s *anomalySource) reference(h *history, slot int64) (center, spread float64, ok bool) {
	perHour := int64(time.Hour / s.cfg.Resolution)
	buf := s.scratch[:0]
	defer func() { s.scratch = buf }()
	if *s.cfg.Seasonal {
		for _, offset := range []int64{7 * 24 * perHour, 24 * perHour} {
			buf = h.values(slot-offset-perHour/2, slot-offset+perHour/2, buf[:0])
			if len(buf) >= 3 {
				center, spread = medianMAD(buf)
				return center, spread, true
			}
		}
	}
	buf = h.values(slot-24*perHour, slot-int64(s.cfg.Guardband/s.cfg.Resolution), buf[:0])
	if len(buf) < 3 {
		return 0, 0, false
	}
	center, spread = medianMAD(buf)
	return center, spread, true
}

// medianMAD returns the median and the median absolute deviation of vs (reordered).
func medianMAD(vs []float64) (float64, float64) {
	slices.Sort(vs)
	med := median(vs)
	for i, v := range vs {
		vs[i] = math.Abs(v - med)
	}
	slices.Sort(vs)
	return med, median(vs)
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}
