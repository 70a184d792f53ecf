package aggregator

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-llm/otelcol-llm/connector/llmmetricsconnector/internal/aggregate"
	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Flush ends the interval at now: it forgets idle series, then returns the metrics of the
// interval (delta: the series updated since the last flush; cumulative: every series) and
// the number of series that expired. The returned ScopeMetrics has no scope set.
func (a *Aggregator) Flush(now pcommon.Timestamp) (pmetric.Metrics, int) {
	expired := 0
	if ttl := pcommon.Timestamp(a.cfg.SeriesExpiration); ttl > 0 && now > ttl {
		before := now - ttl
		expired = a.calls.Expire(before) + a.tools.Expire(before) + a.agents.Expire(before) +
			a.edges.Expire(before) + a.evaluations.Expire(before) + a.redactions.Expire(before)
	}

	md := pmetric.NewMetrics()
	e := &emitter{
		scope:   md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty(),
		delta:   a.cfg.Delta,
		now:     now,
		start:   a.lastFlush,
		metrics: make(map[*metricDef]pmetric.Metric),
		attrs:   pcommon.NewMap(),
	}
	flushTable(e, a.calls, a.callSchema, (*callSeries).instruments)
	flushTable(e, a.tools, a.toolSchema, toolInstruments)
	flushTable(e, a.agents, a.agentSchema, agentInstruments)
	flushTable(e, a.edges, a.edgeSchema, (*edgeSeries).instruments)
	flushTable(e, a.evaluations, a.evaluationSchema, (*evaluationSeries).instruments)
	flushTable(e, a.redactions, a.redactionSchema, (*redactionSeries).instruments)
	e.scope.Metrics().Sort(func(x, y pmetric.Metric) bool { return x.Name() < y.Name() })

	a.lastFlush = now
	return md, expired
}

// SeriesCount is the number of series held, overflow series included.
func (a *Aggregator) SeriesCount() int {
	return a.calls.Len() + a.tools.Len() + a.agents.Len() + a.edges.Len() + a.evaluations.Len() + a.redactions.Len()
}

type emitter struct {
	scope      pmetric.ScopeMetrics
	delta      bool
	now, start pcommon.Timestamp
	metrics    map[*metricDef]pmetric.Metric
	attrs      pcommon.Map
	scratch    []instrument
}

func flushTable[S any](e *emitter, t *aggregate.Table[S], schema aggregate.Schema, instruments func(*S, []instrument) []instrument) {
	t.Range(func(s *aggregate.Series[S]) {
		if e.delta && !s.Updated {
			return
		}
		s.Updated = false
		e.attrs.Clear()
		if s.Overflow() {
			e.attrs.PutBool(genai.MetricOverflow, true)
		} else {
			schema.Decode(s.Key, e.attrs)
		}
		start := s.Start
		if e.delta {
			start = e.start
		}
		e.scratch = instruments(&s.Value, e.scratch[:0])
		for _, in := range e.scratch {
			e.emit(in, start)
		}
	})
}

// emit appends the point of one instrument, if it has observations, and starts its next
// interval: delta resets the value, cumulative keeps it; both drop the exemplars.
func (e *emitter) emit(in instrument, start pcommon.Timestamp) {
	var attrs pcommon.Map
	switch {
	case in.hist != nil:
		if in.hist.Count == 0 {
			return
		}
		attrs = in.hist.AppendTo(e.metric(in.def).Histogram().DataPoints(), in.def.bounds, start, e.now).Attributes()
		if e.delta {
			in.hist.Reset()
		} else {
			in.hist.ClearExemplars()
		}
	default:
		if in.sum.N == 0 {
			return
		}
		attrs = in.sum.AppendTo(e.metric(in.def).Sum().DataPoints(), in.def.asInt, start, e.now).Attributes()
		if e.delta {
			in.sum.Reset()
		} else {
			in.sum.ClearExemplars()
		}
	}
	e.attrs.CopyTo(attrs)
	if in.tokenType != "" {
		attrs.PutStr(genai.TokenType, in.tokenType)
	}
}

func (e *emitter) metric(def *metricDef) pmetric.Metric {
	if m, ok := e.metrics[def]; ok {
		return m
	}
	m := e.scope.Metrics().AppendEmpty()
	m.SetName(def.name)
	m.SetUnit(def.unit)
	m.SetDescription(def.description)
	temporality := pmetric.AggregationTemporalityCumulative
	if e.delta {
		temporality = pmetric.AggregationTemporalityDelta
	}
	if def.histogram {
		m.SetEmptyHistogram().SetAggregationTemporality(temporality)
	} else {
		sum := m.SetEmptySum()
		sum.SetIsMonotonic(true)
		sum.SetAggregationTemporality(temporality)
	}
	e.metrics[def] = m
	return m
}
