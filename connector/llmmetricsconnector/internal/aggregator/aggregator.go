package aggregator

import (
	"math"
	"slices"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/connector/llmmetricsconnector/internal/aggregate"
	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Config is what the aggregator needs from the connector's configuration.
type Config struct {
	// SpanDimensions are span attributes added to the GenAI operation metrics.
	SpanDimensions []string
	// ResourceDimensions are resource attributes added to every family but the edges.
	ResourceDimensions []string
	// Delta selects delta temporality; cumulative otherwise.
	Delta bool
	// CardinalityLimit is the number of series per family, besides the overflow series.
	CardinalityLimit int
	// SeriesExpiration forgets series idle for longer; zero keeps them.
	SeriesExpiration time.Duration
	// MaxExemplars per data point and flush interval; zero disables exemplars.
	MaxExemplars int
}

// Aggregator accumulates span observations between flushes.
type Aggregator struct {
	cfg Config

	calls       *aggregate.Table[callSeries]
	tools       *aggregate.Table[invocationSeries]
	agents      *aggregate.Table[invocationSeries]
	edges       *aggregate.Table[edgeSeries]
	evaluations *aggregate.Table[evaluationSeries]
	redactions  *aggregate.Table[redactionSeries]

	callSchema, toolSchema, agentSchema, edgeSchema, evaluationSchema, redactionSchema aggregate.Schema

	lastFlush pcommon.Timestamp

	// Per-Consume scratch, reused so that the steady state does not allocate.
	key         aggregate.Key
	resource    []string
	serviceName string
	// serviceSlot is the index of service.name among the resource dimensions, or -1.
	serviceSlot int
	sample      aggregate.Sample
	span        spanAttributes
	deps        dependencies
}

// New returns an aggregator whose first interval starts at start.
func New(cfg Config, start pcommon.Timestamp) *Aggregator {
	a := &Aggregator{
		cfg:         cfg,
		calls:       aggregate.NewTable[callSeries](cfg.CardinalityLimit),
		tools:       aggregate.NewTable[invocationSeries](cfg.CardinalityLimit),
		agents:      aggregate.NewTable[invocationSeries](cfg.CardinalityLimit),
		edges:       aggregate.NewTable[edgeSeries](cfg.CardinalityLimit),
		evaluations: aggregate.NewTable[evaluationSeries](cfg.CardinalityLimit),
		redactions:  aggregate.NewTable[redactionSeries](cfg.CardinalityLimit),
		lastFlush:   start,
		resource:    make([]string, len(cfg.ResourceDimensions)),
	}
	res := make(aggregate.Schema, 0, len(cfg.ResourceDimensions))
	for _, d := range cfg.ResourceDimensions {
		res = append(res, aggregate.Slot{Name: d})
	}
	withResource := func(slots ...aggregate.Slot) aggregate.Schema {
		return append(append(aggregate.Schema{}, res...), slots...)
	}
	a.callSchema = withResource(
		aggregate.Slot{Name: genai.OperationName},
		aggregate.Slot{Name: genai.ProviderName},
		aggregate.Slot{Name: genai.RequestModel},
		aggregate.Slot{Name: genai.ResponseModel},
		aggregate.Slot{Name: genai.ServerAddress},
		aggregate.Slot{Name: genai.ServerPort, Int: true},
		aggregate.Slot{Name: genai.ErrorType},
	)
	for _, d := range cfg.SpanDimensions {
		a.callSchema = append(a.callSchema, aggregate.Slot{Name: d})
	}
	a.toolSchema = withResource(
		aggregate.Slot{Name: genai.ToolName},
		aggregate.Slot{Name: genai.Status},
		aggregate.Slot{Name: genai.ErrorType},
	)
	a.agentSchema = withResource(
		aggregate.Slot{Name: genai.OperationName},
		aggregate.Slot{Name: genai.AgentName},
		aggregate.Slot{Name: genai.WorkflowName},
		aggregate.Slot{Name: genai.Status},
		aggregate.Slot{Name: genai.ErrorType},
	)
	a.edgeSchema = aggregate.Schema{
		{Name: genai.GraphClient},
		{Name: genai.GraphServer},
		{Name: genai.GraphConnectionType},
	}
	a.evaluationSchema = withResource(
		aggregate.Slot{Name: genai.EvaluationName},
		aggregate.Slot{Name: genai.EvaluationScoreLabel},
		aggregate.Slot{Name: genai.OperationName},
		aggregate.Slot{Name: genai.ProviderName},
		aggregate.Slot{Name: genai.RequestModel},
	)
	a.serviceSlot = slices.Index(cfg.ResourceDimensions, genai.ServiceName)
	a.redactionSchema = withResource(aggregate.Slot{Name: genai.RedactionEntityType})
	return a
}

// Consume records every span of td, observed at now.
func (a *Aggregator) Consume(td ptrace.Traces, now pcommon.Timestamp) Stats {
	var st Stats
	a.deps.reset()
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		a.readResource(rs.Resource().Attributes())
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				if a.consumeSpan(spans.At(k), now, &st) {
					st.Spans++
				} else {
					st.Ignored++
				}
			}
		}
	}
	a.deps.resolve(td, a, now, &st)
	return st
}

func (a *Aggregator) readResource(attrs pcommon.Map) {
	for i, d := range a.cfg.ResourceDimensions {
		a.resource[i] = ""
		if v, ok := attrs.Get(d); ok {
			a.resource[i] = valueString(v)
		}
	}
	a.serviceName = genai.Str(attrs, genai.ServiceName)
}

// startKey resets the scratch key and appends the resource dimensions.
func (a *Aggregator) startKey() *aggregate.Key {
	a.key.Reset()
	for _, v := range a.resource {
		a.key.Str(v)
	}
	return &a.key
}

// spanSample returns the exemplar sample of a span, or nil when exemplars are off.
func (a *Aggregator) spanSample(span ptrace.Span) *aggregate.Sample {
	if a.cfg.MaxExemplars == 0 {
		return nil
	}
	a.sample = aggregate.Sample{TraceID: span.TraceID(), SpanID: span.SpanID(), Time: span.EndTimestamp()}
	return &a.sample
}

// consumeSpan records one span and reports whether it carried any GenAI data.
func (a *Aggregator) consumeSpan(span ptrace.Span, now pcommon.Timestamp, st *Stats) bool {
	sa := &a.span
	sa.read(span.Attributes(), a.cfg.SpanDimensions)
	used := a.consumeEvaluations(span, now, st)
	used = a.consumeRedactions(now, st) || used
	if !sa.has(fOperation) {
		return used
	}

	c := sa.call()
	if c.Operation == "" {
		return used
	}
	errorType := c.ErrorType
	if errorType == "" && span.Status().Code() == ptrace.StatusCodeError {
		errorType = genai.ErrorTypeOther
	}
	seconds, durationOK := spanSeconds(span)
	if !durationOK {
		st.Invalid[InvalidDuration]++
	}
	smp := a.spanSample(span)
	mx := a.cfg.MaxExemplars

	key := a.startKey()
	key.Str(c.Operation)
	key.Str(c.Provider)
	key.Str(c.RequestModel)
	key.Str(c.ResponseModel)
	key.Str(c.ServerAddress)
	key.Int(c.ServerPort, c.ServerPort != 0)
	key.Str(errorType)
	for _, d := range sa.dims {
		key.Str(d)
	}
	s, overflowed := a.calls.Get(key.Bytes(), now)
	if overflowed {
		st.Overflow[FamilyCalls]++
	}
	v := &s.Value
	v.requests.Add(1, smp, mx)
	if errorType != "" {
		v.errors.Add(1, smp, mx)
	}
	if durationOK {
		v.duration.Observe(durationBounds, seconds, smp, mx)
	}

	switch {
	case genai.IsInference(c.Operation):
		a.consumeUsage(v, c, errorType, seconds, durationOK, smp, st)
		a.recordProviderEdge(v, c.Provider, seconds, durationOK, errorType != "", smp, now, st)
		a.deps.add(span, c.Model(), genai.ConnectionAgentModel, c.AgentName, seconds, durationOK, errorType != "")
	case c.Operation == genai.OpExecuteTool:
		a.consumeTool(c, errorType, seconds, durationOK, smp, now, st)
		a.deps.add(span, c.ToolName, genai.ConnectionAgentTool, c.AgentName, seconds, durationOK, errorType != "")
	case c.Operation == genai.OpInvokeAgent || c.Operation == genai.OpInvokeWorkflow:
		a.consumeAgent(c, errorType, seconds, durationOK, smp, now, st)
		if c.Operation == genai.OpInvokeAgent && c.AgentName != "" {
			a.deps.addAgent(span.SpanID(), c.AgentName)
		}
	}
	return true
}

// consumeUsage records tokens, cost and streaming latencies of a model call. Agent and
// workflow spans never get here: their usage repeats their children's.
func (a *Aggregator) consumeUsage(v *callSeries, c genai.Call, errorType string, seconds float64, durationOK bool, smp *aggregate.Sample, st *Stats) {
	sa := &a.span
	mx := a.cfg.MaxExemplars
	u := c.Usage
	counts := [len(tokenTypes)]struct {
		n   int64
		has bool
		f   field
	}{
		{u.Input, u.HasInput, fInputTokens},
		{u.Output, u.HasOutput, fOutputTokens},
		{u.CacheRead, u.HasCacheRead, fCacheReadTokens},
		{u.CacheWrite, u.HasCacheWrite, fCacheWriteTokens},
		{u.Reasoning, u.HasReasoning, fReasoningTokens},
	}
	for i, t := range counts {
		if !t.has {
			if sa.has(t.f) {
				st.Invalid[InvalidUsage]++
			}
			continue
		}
		v.tokens[i].Add(float64(t.n), smp, mx)
	}
	if u.HasInput {
		v.inputTokens.Observe(tokenBounds, float64(u.Input), smp, mx)
	}
	if u.HasOutput {
		v.outputTokens.Observe(tokenBounds, float64(u.Output), smp, mx)
	}

	if sa.has(fCost) {
		if cost, ok := sa.float(fCost); ok && nonNegative(cost) {
			v.cost.Add(cost, smp, mx)
		} else {
			st.Invalid[InvalidCost]++
		}
	}

	if !sa.has(fTimeToFirstChunk) {
		return
	}
	ttft := c.TimeToFirstChunk
	if !nonNegative(ttft) || ttft == 0 {
		st.Invalid[InvalidTimeToFirstChunk]++
		return
	}
	if errorType != "" {
		return // semconv: streaming latencies are for successful responses
	}
	v.timeToFirstToken.Observe(ttftBounds, ttft, smp, mx)
	if durationOK && u.HasOutput && u.Output > 1 && seconds >= ttft {
		v.timePerOutputToken.Observe(tpotBounds, (seconds-ttft)/float64(u.Output-1), smp, mx)
	}
}

func (a *Aggregator) consumeTool(c genai.Call, errorType string, seconds float64, durationOK bool, smp *aggregate.Sample, now pcommon.Timestamp, st *Stats) {
	key := a.startKey()
	key.Str(c.ToolName)
	key.Str(status(errorType))
	key.Str(errorType)
	a.recordInvocation(a.tools, FamilyTools, seconds, durationOK, smp, now, st)
}

func (a *Aggregator) consumeAgent(c genai.Call, errorType string, seconds float64, durationOK bool, smp *aggregate.Sample, now pcommon.Timestamp, st *Stats) {
	key := a.startKey()
	key.Str(c.Operation)
	key.Str(c.AgentName)
	key.Str(a.span.str(fWorkflowName))
	key.Str(status(errorType))
	key.Str(errorType)
	a.recordInvocation(a.agents, FamilyAgents, seconds, durationOK, smp, now, st)
}

// recordInvocation counts one tool or agent execution under the key built in a.key.
func (a *Aggregator) recordInvocation(t *aggregate.Table[invocationSeries], family Family, seconds float64, durationOK bool, smp *aggregate.Sample, now pcommon.Timestamp, st *Stats) {
	s, overflowed := t.Get(a.key.Bytes(), now)
	if overflowed {
		st.Overflow[family]++
	}
	s.Value.count.Add(1, smp, a.cfg.MaxExemplars)
	if durationOK {
		s.Value.duration.Observe(durationBounds, seconds, smp, a.cfg.MaxExemplars)
	}
}

// recordProviderEdge records the service-to-provider edge of a model call. Every model
// call has one, so the edge series is cached on the call series.
func (a *Aggregator) recordProviderEdge(call *callSeries, provider string, seconds float64, durationOK, failed bool, smp *aggregate.Sample, now pcommon.Timestamp, st *Stats) {
	client := orUnknown(a.serviceName)
	s := call.provider
	if s == nil || call.providerFrom != client || call.providerTo != provider || call.providerEpoch != a.edges.Epoch() {
		s = a.edgeSeries(client, provider, genai.ConnectionServiceProvider, now)
		call.provider, call.providerFrom, call.providerTo, call.providerEpoch = s, client, provider, a.edges.Epoch()
	}
	a.edges.Touch(s, now)
	a.observeEdge(s, seconds, durationOK, failed, smp, st)
}

// recordEdge records one request from client to server.
func (a *Aggregator) recordEdge(client, server, connection string, seconds float64, durationOK, failed bool, smp *aggregate.Sample, now pcommon.Timestamp, st *Stats) {
	a.observeEdge(a.edgeSeries(client, server, connection, now), seconds, durationOK, failed, smp, st)
}

func (a *Aggregator) edgeSeries(client, server, connection string, now pcommon.Timestamp) *aggregate.Series[edgeSeries] {
	a.key.Reset()
	a.key.Str(client)
	a.key.Str(orUnknown(server))
	a.key.Str(connection)
	s, _ := a.edges.Get(a.key.Bytes(), now)
	return s
}

func (a *Aggregator) observeEdge(s *aggregate.Series[edgeSeries], seconds float64, durationOK, failed bool, smp *aggregate.Sample, st *Stats) {
	if s.Overflow() {
		st.Overflow[FamilyEdges]++
	}
	s.Value.requests.Add(1, smp, a.cfg.MaxExemplars)
	if failed {
		s.Value.failed.Add(1, smp, a.cfg.MaxExemplars)
	}
	if durationOK {
		s.Value.server.Observe(durationBounds, seconds, smp, a.cfg.MaxExemplars)
	}
}

// orUnknown names an edge end the span does not identify, as the service-graph connector does.
func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// nonNegative reports whether v is a finite number >= 0: a cost or latency.
func nonNegative(v float64) bool { return v >= 0 && !math.IsInf(v, 1) }

func status(errorType string) string {
	if errorType != "" {
		return genai.StatusError
	}
	return genai.StatusOK
}

// spanSeconds is the span duration; false when the span ends before it starts.
func spanSeconds(span ptrace.Span) (float64, bool) {
	start, end := span.StartTimestamp(), span.EndTimestamp()
	if end < start {
		return 0, false
	}
	return float64(end-start) / 1e9, true
}
