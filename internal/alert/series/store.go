package series

import (
	"math"
	"sort"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/labels"
)

// Metric is every series of one metric name. A metric has one kind; points of another
// kind under the same name are rejected (counted), not mixed.
type Metric struct {
	Name   string
	Kind   Kind
	Series map[uint64]*Series
	// all and postings list the series, all of them and by label name and value, so that
	// a selector with an equality matcher visits only its series; slices, because
	// evaluation iterates them for every selector of every rule. Deleting a series marks it
	// gone and the lists are rebuilt at the next Compact.
	all      []*Series
	postings map[string]map[string][]*Series
	stale    bool
}

func newMetric(name string, kind Kind) *Metric {
	return &Metric{Name: name, Kind: kind, Series: map[uint64]*Series{}, postings: map[string]map[string][]*Series{}}
}

func (m *Metric) addSeries(fp uint64, s *Series) {
	m.Series[fp] = s
	m.index(s)
}

func (m *Metric) index(s *Series) {
	m.all = append(m.all, s)
	for _, l := range s.Labels {
		byValue := m.postings[l.Name]
		if byValue == nil {
			byValue = map[string][]*Series{}
			m.postings[l.Name] = byValue
		}
		byValue[l.Value] = append(byValue[l.Value], s)
	}
}

func (m *Metric) deleteSeries(fp uint64) {
	if s := m.Series[fp]; s != nil {
		s.gone = true
		delete(m.Series, fp)
		m.stale = true
	}
}

// reindex rebuilds the lists without the deleted series.
func (m *Metric) reindex() {
	m.all = m.all[:0]
	clear(m.postings)
	for _, s := range m.Series {
		m.index(s)
	}
	m.stale = false
}

// candidates is the smallest equality posting list of ms (every series without one), and
// the index of the matcher it answers (-1 for none), which then needs no check per series.
func (m *Metric) candidates(ms labels.Matchers) ([]*Series, int) {
	c, used := m.all, -1
	for i, mt := range ms {
		if mt.Type != labels.MatchEqual || mt.Value == "" {
			continue
		}
		if list := m.postings[mt.Name][mt.Value]; len(list) < len(c) || used < 0 {
			c, used = list, i
		}
	}
	return c, used
}

// SizeHint is an upper bound of the number of series Select visits, to size results.
func (m *Metric) SizeHint(ms labels.Matchers) int {
	c, _ := m.candidates(ms)
	return len(c)
}

// Select calls fn for every series matching ms, using the smallest equality posting list.
func (m *Metric) Select(ms labels.Matchers, fn func(*Series)) {
	c, used := m.candidates(ms)
	for _, s := range c {
		if s.gone {
			continue
		}
		ok := true
		for i, mt := range ms {
			if i != used && !mt.Matches(s.Labels.Get(mt.Name)) {
				ok = false
				break
			}
		}
		if ok {
			fn(s)
		}
	}
}

// Store holds the windows of every series. Ingest takes the write lock; an evaluation
// cycle reads under View, so rules in one cycle see one consistent snapshot.
type Store struct {
	mu        sync.RWMutex
	metrics   map[string]*Metric
	retention time.Duration
	maxSkew   time.Duration
	now       func() time.Time
	stats     Stats
}

// Stats counts what ingestion did not store, by reason.
type Stats struct {
	Points        int64 // stored
	KindMismatch  int64 // a point whose kind differs from the metric's known kind
	NonFinite     int64 // NaN or ±Inf values
	NoRecorded    int64 // points flagged "no recorded value" (the series is marked stale)
	OutOfOrder    int64 // not newer than the series' last point
	FutureSkew    int64 // timestamp more than max skew ahead of the collector clock
	TooOld        int64 // older than the retention window
	Unsupported   int64 // exponential histograms and summaries
	ActiveSeries  int64
	StaleRemovals int64
}

// NewStore keeps points for retention (the longest range any rule reads plus the lookback).
// Points stamped more than maxSkew in the future are rejected as clock skew.
func NewStore(retention, maxSkew time.Duration, now func() time.Time) *Store {
	return &Store{metrics: map[string]*Metric{}, retention: retention, maxSkew: maxSkew, now: now}
}

// SetRetention changes how long points are kept (rules were reloaded).
func (s *Store) SetRetention(d time.Duration) {
	s.mu.Lock()
	s.retention = d
	s.mu.Unlock()
}

// View runs fn with the store read-locked.
func (s *Store) View(fn func(v View)) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn(View{s})
}

// View is read access during one evaluation.
type View struct{ s *Store }

// Metric returns the named metric, nil when no point of it was ever seen.
func (v View) Metric(name string) *Metric { return v.s.metrics[name] }

// Stats returns a copy of the ingestion counters.
func (s *Store) Stats() Stats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.stats
	for _, m := range s.metrics {
		st.ActiveSeries += int64(len(m.Series))
	}
	return st
}

// Ingest stores every point of md. Resource and point attributes become labels (the point
// wins on conflict); the scope is not a label.
func (s *Store) Ingest(md pmetric.Metrics) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	limit := now.Add(s.maxSkew).UnixNano()
	oldest := now.Add(-s.retention).UnixNano()
	ing := ingester{s: s, limit: limit, oldest: oldest}
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		ing.resource = rm.Resource().Attributes()
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				ing.metric(ms.At(k))
			}
		}
	}
}

type ingester struct {
	s             *Store
	resource      pcommon.Map
	limit, oldest int64
	scratch       map[string]string
}

func (in *ingester) metric(m pmetric.Metric) {
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		in.numbers(m.Name(), Gauge, Cumulative, m.Gauge().DataPoints())
	case pmetric.MetricTypeSum:
		sum := m.Sum()
		kind := Counter
		if !sum.IsMonotonic() {
			kind = Gauge
		}
		in.numbers(m.Name(), kind, temporality(sum.AggregationTemporality()), sum.DataPoints())
	case pmetric.MetricTypeHistogram:
		h := m.Histogram()
		in.histograms(m.Name(), temporality(h.AggregationTemporality()), h.DataPoints())
	default:
		in.s.stats.Unsupported++
	}
}

func temporality(t pmetric.AggregationTemporality) Temporality {
	if t == pmetric.AggregationTemporalityDelta {
		return Delta
	}
	return Cumulative
}

func (in *ingester) numbers(name string, kind Kind, temp Temporality, dps pmetric.NumberDataPointSlice) {
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		v := dp.DoubleValue()
		if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
			v = float64(dp.IntValue())
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			in.s.stats.NonFinite++
			continue
		}
		in.add(name, kind, temp, dp.Attributes(), dp.Flags(), Sample{T: int64(dp.Timestamp()), Start: int64(dp.StartTimestamp()), V: v})
	}
}

func (in *ingester) histograms(name string, temp Temporality, dps pmetric.HistogramDataPointSlice) {
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		h := &Hist{Bounds: dp.ExplicitBounds().AsRaw(), Count: float64(dp.Count()), Sum: dp.Sum()}
		bc := dp.BucketCounts()
		if bc.Len() != len(h.Bounds)+1 || (dp.HasSum() && (math.IsNaN(h.Sum) || math.IsInf(h.Sum, 0))) {
			in.s.stats.NonFinite++
			continue
		}
		h.Counts = make([]float64, bc.Len())
		for b := 0; b < bc.Len(); b++ {
			h.Counts[b] = float64(bc.At(b))
		}
		in.add(name, Histogram, temp, dp.Attributes(), dp.Flags(), Sample{T: int64(dp.Timestamp()), Start: int64(dp.StartTimestamp()), V: h.Count, H: h})
	}
}

func (in *ingester) add(name string, kind Kind, temp Temporality, attrs pcommon.Map, flags pmetric.DataPointFlags, smp Sample) {
	st := &in.s.stats
	m := in.s.metrics[name]
	if m == nil {
		m = newMetric(name, kind)
		in.s.metrics[name] = m
	} else if m.Kind != kind {
		st.KindMismatch++
		return
	}
	ls := in.labels(attrs)
	fp := ls.Fingerprint()
	ser := m.Series[fp]
	if flags.NoRecordedValue() {
		st.NoRecorded++
		if ser != nil {
			m.deleteSeries(fp)
			st.StaleRemovals++
		}
		return
	}
	switch {
	case smp.T > in.limit:
		st.FutureSkew++
		return
	case smp.T < in.oldest:
		st.TooOld++
		return
	}
	if ser == nil {
		ser = &Series{Labels: ls, Kind: kind, Temporality: temp}
		m.addSeries(fp, ser)
	}
	if n := len(ser.samples); n > 0 && smp.T <= ser.samples[n-1].T {
		if ser.Temporality == Delta && smp.T == ser.samples[n-1].T {
			// Two deltas for the same instant (two sidecars, one label set): accumulate.
			mergeDelta(&ser.samples[n-1], smp)
			st.Points++
			return
		}
		st.OutOfOrder++
		return
	}
	ser.Temporality = temp
	ser.append(smp)
	st.Points++
}

func mergeDelta(dst *Sample, src Sample) {
	if dst.H == nil || src.H == nil {
		dst.V += src.V
		return
	}
	if !SameBounds(dst.H.Bounds, src.H.Bounds) {
		return
	}
	for i := range dst.H.Counts {
		dst.H.Counts[i] += src.H.Counts[i]
	}
	dst.H.Count += src.H.Count
	dst.H.Sum += src.H.Sum
}

func (in *ingester) labels(attrs pcommon.Map) labels.Labels {
	if in.scratch == nil {
		in.scratch = map[string]string{}
	}
	clear(in.scratch)
	in.resource.Range(func(k string, v pcommon.Value) bool {
		in.scratch[k] = v.AsString()
		return true
	})
	attrs.Range(func(k string, v pcommon.Value) bool {
		in.scratch[k] = v.AsString()
		return true
	})
	return labels.FromMap(in.scratch)
}

// Compact drops points older than the retention and series without points; call it once
// per evaluation cycle.
func (s *Store) Compact() {
	s.mu.Lock()
	defer s.mu.Unlock()
	oldest := s.now().Add(-s.retention).UnixNano()
	for name, m := range s.metrics {
		for fp, ser := range m.Series {
			i := sort.Search(len(ser.samples), func(i int) bool { return ser.samples[i].T >= oldest })
			if i == len(ser.samples) {
				m.deleteSeries(fp)
				continue
			}
			if i > 0 {
				// Reuse the backing array once half of it is dead, so a steady stream
				// does not grow memory.
				if i > cap(ser.samples)/2 {
					ser.samples = append(ser.samples[:0:0], ser.samples[i:]...)
				} else {
					ser.samples = ser.samples[i:]
				}
			}
		}
		if len(m.Series) == 0 {
			delete(s.metrics, name)
		} else if m.stale {
			m.reindex()
		}
	}
}
