package aggregator

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/connector/llmmetricsconnector/internal/aggregate"
)

// maxAncestors bounds the walk from a tool or model span up to its agent, so that a
// parent cycle in malformed input cannot loop.
const maxAncestors = 64

// dependencies finds, within one batch, the agent that a tool or model call ran under: the
// nearest invoke_agent ancestor, else the call's own gen_ai.agent.name. Spans of one trace
// that arrive in different batches are not joined: put a groupbytrace processor in front
// when the edges must be complete.
type dependencies struct {
	agents     map[pcommon.SpanID]string
	parents    map[pcommon.SpanID]pcommon.SpanID
	candidates []candidate
}

// candidate is a call whose caller is resolved at the end of the batch.
type candidate struct {
	parent                       pcommon.SpanID
	server, connection, ownAgent string
	seconds                      float64
	durationOK, failed           bool
	sample                       aggregate.Sample
}

func (d *dependencies) reset() {
	clear(d.agents)
	clear(d.parents)
	d.candidates = d.candidates[:0]
}

func (d *dependencies) addAgent(id pcommon.SpanID, name string) {
	if d.agents == nil {
		d.agents = make(map[pcommon.SpanID]string)
	}
	d.agents[id] = name
}

func (d *dependencies) add(span ptrace.Span, server, connection, ownAgent string, seconds float64, durationOK, failed bool) {
	d.candidates = append(d.candidates, candidate{
		parent: span.ParentSpanID(), server: server, connection: connection, ownAgent: ownAgent,
		seconds: seconds, durationOK: durationOK, failed: failed,
		sample: aggregate.Sample{TraceID: span.TraceID(), SpanID: span.SpanID(), Time: span.EndTimestamp()},
	})
}

// resolve records the agent edges of the batch.
func (d *dependencies) resolve(td ptrace.Traces, a *Aggregator, now pcommon.Timestamp, st *Stats) {
	for i := range d.candidates {
		c := &d.candidates[i]
		agent := d.agentAbove(td, c.parent)
		if agent == "" {
			agent = c.ownAgent
		}
		if agent == "" {
			continue
		}
		var smp *aggregate.Sample
		if a.cfg.MaxExemplars > 0 {
			smp = &c.sample
		}
		a.recordEdge(agent, c.server, c.connection, c.seconds, c.durationOK, c.failed, smp, now, st)
	}
}

func (d *dependencies) agentAbove(td ptrace.Traces, parent pcommon.SpanID) string {
	if len(d.agents) == 0 {
		return ""
	}
	for range maxAncestors {
		if parent.IsEmpty() {
			return ""
		}
		if name, ok := d.agents[parent]; ok {
			return name
		}
		if len(d.parents) == 0 {
			d.indexParents(td)
		}
		parent = d.parents[parent]
	}
	return ""
}

// indexParents maps every span of the batch to its parent; built only for batches with
// agents whose calls are not their direct children.
func (d *dependencies) indexParents(td ptrace.Traces) {
	if d.parents == nil {
		d.parents = make(map[pcommon.SpanID]pcommon.SpanID)
	}
	forEachSpan(td, func(s ptrace.Span) { d.parents[s.SpanID()] = s.ParentSpanID() })
}

func forEachSpan(td ptrace.Traces, f func(ptrace.Span)) {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				f(spans.At(k))
			}
		}
	}
}
