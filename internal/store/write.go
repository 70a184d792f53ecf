package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// isContent reports whether an attribute holds message content. Content is stored apart
// from the metadata so that the content retention can drop it on its own.
func isContent(key string) bool {
	switch key {
	case genai.InputMessages, genai.OutputMessages, genai.SystemInstructions,
		genai.ToolCallArguments, genai.ToolCallResult,
		genai.RetrievalDocuments, genai.RetrievalQueryText:
		return true
	}
	return false
}

// stmt names a statement of the write path (writeStmts).
type stmt int

const (
	insResource stmt = iota
	selNextSpanID
	selNextTraceRow
	selSpanIDs
	selEvalTarget
	insEvaluation
	updTraceMinScore
	insLog
	insLogContent
	insMetric
	numStmts
)

// writeStmts are prepared once on the writer's connection (writeconn.go).
var writeStmts = [numStmts]string{
	insResource:   `INSERT INTO resources (attrs) VALUES (?) ON CONFLICT (attrs) DO UPDATE SET attrs = excluded.attrs RETURNING id`,
	selNextSpanID: `SELECT coalesce(max(id), 0) + 1 FROM spans`,
	// Past the spans' too: spans may outlive their trace's summary for a while
	// (retention), and must not join a new trace that reused its row id.
	selNextTraceRow: `SELECT max(coalesce((SELECT max(id) FROM traces), 0), coalesce((SELECT max(trace_row) FROM spans), 0)) + 1`,
	selSpanIDs:      `SELECT id FROM spans WHERE id BETWEEN ? AND ?`,
	selEvalTarget: `SELECT model, provider, service, user_id FROM spans
		WHERE trace_row = (SELECT id FROM traces WHERE trace_id = ?) AND span_id = ?`,
	insEvaluation: `INSERT OR IGNORE INTO evaluations (trace_id, span_id, time_ns, name, score, label, explanation, source,
		model, provider, service, user_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
	updTraceMinScore: `UPDATE traces SET min_score = min(coalesce(min_score, ?1), ?1) WHERE trace_id = ?2`,
	insLog: `INSERT INTO logs (time_ns, trace_id, span_id, severity_number, severity_text, service, resource_id,
		event_name, body, attributes, is_error) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
	insLogContent: `INSERT INTO log_content (log_id, time_ns, body) VALUES (?,?,?)
		ON CONFLICT (log_id) DO UPDATE SET time_ns = excluded.time_ns, body = excluded.body`,
	insMetric: `INSERT INTO metric_points (time_ns, name, unit, type, service, resource_id, attributes, value, count,
		sum, buckets) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
}

// resource returns the id of a resource's attributes, inserting them once.
func (b *batch) resource(attrs pcommon.Map) (int64, error) {
	b.buf = appendMap(b.buf[:0], attrs, nil)
	return b.resourceID(string(b.buf))
}

// resourceID returns the id of resource attributes encoded as JSON, inserting them once.
func (b *batch) resourceID(attrs string) (int64, error) {
	b.s.resMu.Lock()
	id, ok := b.s.resources[attrs]
	b.s.resMu.Unlock()
	if ok {
		return id, nil
	}
	row := []driver.Value{nil}
	if err := b.queryRow(insResource, row, attrs); err != nil {
		return 0, err
	}
	if id, ok = row[0].(int64); !ok {
		return 0, fmt.Errorf("resource id is %T, not an integer", row[0])
	}
	b.s.resMu.Lock()
	b.s.resources[attrs] = id
	b.s.resMu.Unlock()
	return id, nil
}

// traceSummary accumulates one trace's spans of a batch, so that the trace summary is
// updated once per trace and batch rather than once per span.
type traceSummary struct {
	start, end                int64
	rootName, service         string
	hasRoot                   bool
	spans, errs, calls        int64
	inTokens, outTokens       int64
	cost                      float64
	model, user, conversation string
	minScore                  float64
	hasMinScore               bool
}

// WriteTraces stores spans in one transaction: either the whole batch is stored or none of
// it, so a retry never half-duplicates. Spans already stored (same trace and span id) are
// skipped. Rows, trace summaries and rollups are made before the write lock is taken, so
// that concurrent callers (the exporter's queue consumers) prepare in parallel while one
// of them writes; the writer only redoes the summaries when it skipped a span.
func (s *Store) WriteTraces(ctx context.Context, td ptrace.Traces) error {
	e := encodeTraces(td)
	return s.write(ctx, func(b *batch) error { return b.writeTraces(e) })
}

// encodedTraces is a batch of spans ready to insert.
type encodedTraces struct {
	resources []string // attributes JSON
	// traces are the ids of the batch's traces in hex, in the order of their first span.
	traces []string
	spans  []encodedSpan
	// spanArgs are the spans' insert arguments, spanWidth each; the writer sets their
	// row and resource ids.
	spanArgs []any
	// contentArgs are the content inserts of the spans that have content, contentWidth
	// each; the writer sets their span's row id.
	contentArgs []any
	contentOf   []int // the index in spans of each content row
	// traceArgs, calls and rollupArgs are the trace summary upserts and the rollups of
	// the spans, and the rollups' upserts, for when every span is stored (and, for
	// rollupArgs, there are no detached results: nil then). The writer sets the
	// summaries' row ids; traceOf is the index in traces of each summary.
	traceArgs  []any
	traceOf    []int
	calls      rollups
	rollupArgs []any
	// detached are evaluation results carried by spans that are not stored.
	detached []detached
}

// encodedSpan is what a span's trace summary and rollups need.
type encodedSpan struct {
	resource      int // index in resources
	trace         int // index in traces
	start, end    int64
	name, service string
	isRoot        bool
	call          genai.Call
	cost          float64
	isError       bool
	evals         evalSummary
}

// Positions of the row ids and of resource_id in the spans insert, and of the row id in
// the trace summaries'.
const (
	idArg       = 0
	traceRowArg = 1
	resourceArg = 8
)

func encodeTraces(td ptrace.Traces) *encodedTraces {
	var buf []byte
	n := td.SpanCount()
	e := &encodedTraces{spans: make([]encodedSpan, 0, n), spanArgs: make([]any, 0, n*spanWidth)}
	traces := map[pcommon.TraceID]int{}
	for _, rs := range td.ResourceSpans().All() {
		buf = appendMap(buf[:0], rs.Resource().Attributes(), nil)
		e.resources = append(e.resources, string(buf))
		service := genai.Str(rs.Resource().Attributes(), genai.ServiceName)
		for _, ss := range rs.ScopeSpans().All() {
			scope := ss.Scope().Name()
			for _, span := range ss.Spans().All() {
				buf = e.encode(buf, span, traces, len(e.resources)-1, service, scope)
			}
		}
	}
	e.traceArgs, e.traceOf, e.calls = e.summarize(nil)
	if len(e.detached) == 0 {
		e.rollupArgs = e.calls.args()
	}
	return e
}

// encode adds a span to e; a span that only carries evaluations of another span is not
// stored as a span: its results are, with the span they evaluate. Arriving late, it
// would otherwise stretch that trace's duration to the feedback's time.
func (e *encodedTraces) encode(buf []byte, span ptrace.Span, traces map[pcommon.TraceID]int, resource int, service, scope string) []byte {
	evals, detached := readSpanEvaluations(span)
	if len(detached) > 0 {
		e.detached = append(e.detached, detached...)
		return buf
	}
	attrs := span.Attributes()
	call := genai.ReadCall(attrs)
	start, end := int64(span.StartTimestamp()), int64(span.EndTimestamp())
	isError := span.Status().Code() == ptrace.StatusCodeError || call.ErrorType != ""
	cost, hasCost := genai.Float(attrs, genai.CostTotal)
	buf = appendMap(buf[:0], attrs, isContent)
	attrJSON := string(buf)
	events, eventContent, buf := encodeEvents(buf, span.Events())
	content, buf := encodeContent(buf, attrs, eventContent)
	trace, ok := traces[span.TraceID()]
	if !ok {
		trace = len(e.traces)
		traces[span.TraceID()] = trace
		e.traces = append(e.traces, span.TraceID().String())
	}
	if content != "" {
		e.contentArgs = append(e.contentArgs, nil, start, content)
		e.contentOf = append(e.contentOf, len(e.spans))
	}
	e.spans = append(e.spans, encodedSpan{
		resource: resource, trace: trace, start: start, end: end, name: span.Name(), service: service,
		isRoot: span.ParentSpanID().IsEmpty(), call: call, cost: cost, isError: isError, evals: evals,
	})
	e.spanArgs = append(e.spanArgs, nil, nil, e.traces[trace], span.SpanID().String(),
		emptyAsNull(parentID(span.ParentSpanID())), span.Name(), int64(span.Kind()), service, nil, emptyAsNull(scope),
		start, end, end-start, int64(span.Status().Code()), emptyAsNull(span.Status().Message()), isError,
		emptyAsNull(call.Operation), emptyAsNull(call.Provider), emptyAsNull(call.RequestModel),
		emptyAsNull(call.ResponseModel), emptyAsNull(call.Model()), nullInt(call.Usage.Input, call.Usage.HasInput),
		nullInt(call.Usage.Output, call.Usage.HasOutput), nullFloat(cost, hasCost), emptyAsNull(call.User),
		emptyAsNull(call.Conversation), emptyAsNull(call.ErrorType), emptyAsNull(call.AgentName),
		emptyAsNull(call.ToolName), attrJSON, noEventsAsNull(events), evals.count,
		nullFloat(evals.quality, evals.hasQuality))
	return buf
}

// summarize makes the trace summary upserts (traceWidth arguments each, the row id left
// to the writer), the index in e.traces of each, and the rollups of e's spans, leaving
// out those skipped (nil: none).
func (e *encodedTraces) summarize(skipped []bool) ([]any, []int, rollups) {
	summaries := make([]*traceSummary, len(e.traces))
	var order []int
	calls := rollups{}
	for i := range e.spans {
		sp := &e.spans[i]
		if skipped != nil && skipped[i] {
			continue
		}
		if genai.IsInference(sp.call.Operation) {
			calls.add(call{isCall: true, start: sp.start, duration: sp.end - sp.start, in: sp.call.Usage.Input,
				out: sp.call.Usage.Output, cost: sp.cost, isError: sp.isError, evals: sp.evals,
				keys: [dims]string{dimModel: sp.call.Model(), dimProvider: sp.call.Provider, dimService: sp.service, dimUser: sp.call.User}})
		}
		sum := summaries[sp.trace]
		if sum == nil {
			sum = &traceSummary{start: sp.start, end: sp.end}
			summaries[sp.trace] = sum
			order = append(order, sp.trace)
		}
		sum.add(sp)
	}
	args := make([]any, 0, len(order)*traceWidth)
	for _, i := range order {
		t := summaries[i]
		args = append(args, nil, e.traces[i], t.start, t.end, emptyAsNull(t.rootName), t.hasRoot, emptyAsNull(t.service),
			t.spans, t.errs, t.calls, t.inTokens, t.outTokens, t.cost, emptyAsNull(t.model), emptyAsNull(t.user),
			emptyAsNull(t.conversation), nullFloat(t.minScore, t.hasMinScore))
	}
	return args, order, calls
}

func (b *batch) writeTraces(e *encodedTraces) error {
	resIDs := make([]int64, len(e.resources))
	for i, attrs := range e.resources {
		var err error
		if resIDs[i], err = b.resourceID(attrs); err != nil {
			return err
		}
	}
	// This connection is the only writer: the spans get the row ids after the largest.
	row := []driver.Value{nil}
	if err := b.queryRow(selNextSpanID, row); err != nil {
		return err
	}
	firstID, ok := row[0].(int64)
	if !ok {
		return fmt.Errorf("next span row id is %T, not an integer", row[0])
	}
	traceRows, err := b.traceRows(e.traces)
	if err != nil {
		return err
	}
	for i := range e.spans {
		e.spanArgs[i*spanWidth+idArg] = firstID + int64(i)
		e.spanArgs[i*spanWidth+traceRowArg] = traceRows[e.spans[i].trace]
		e.spanArgs[i*spanWidth+resourceArg] = resIDs[e.spans[i].resource]
	}
	var skipped []bool // nil: every span was stored
	err = b.execRows(insSpans, spanWidth, e.spanArgs, func(first, n int, res driver.Result) error {
		if stored, err := res.RowsAffected(); err != nil || stored == int64(n) {
			return err
		}
		// Some were stored already: the ids of those inserted tell which.
		if skipped == nil {
			skipped = make([]bool, len(e.spans))
		}
		for i := first; i < first+n; i++ {
			skipped[i] = true
		}
		return b.query(b.wc.stmts[selSpanIDs], row, func() bool {
			if id, ok := row[0].(int64); ok {
				skipped[id-firstID] = false
			}
			return true
		}, []any{firstID + int64(first), firstID + int64(first+n-1)})
	})
	if err != nil {
		return err
	}
	contentArgs, traceArgs, traceOf, calls, rollupArgs := e.contentArgs, e.traceArgs, e.traceOf, e.calls, e.rollupArgs
	for i, sp := range e.contentOf {
		contentArgs[i*contentWidth] = firstID + int64(sp)
	}
	if skipped != nil {
		contentArgs = nil
		for i, sp := range e.contentOf {
			if !skipped[sp] {
				contentArgs = append(contentArgs, e.contentArgs[i*contentWidth:(i+1)*contentWidth]...)
			}
		}
		traceArgs, traceOf, calls = e.summarize(skipped)
		rollupArgs = nil
	}
	for i, t := range traceOf {
		traceArgs[i*traceWidth] = traceRows[t]
	}
	if err := b.execRows(insSpanContents, contentWidth, contentArgs, nil); err != nil {
		return err
	}
	if err := b.execRows(upsTraces, traceWidth, traceArgs, nil); err != nil {
		return err
	}
	if len(e.detached) > 0 {
		// After the spans: a result may evaluate a span of the same batch.
		if err := b.writeDetached(e.detached, calls); err != nil {
			return err
		}
		rollupArgs = nil
	}
	if rollupArgs == nil {
		rollupArgs = calls.args()
	}
	return b.execRows(upsRollups, rollupWidth, rollupArgs, nil)
}

// traceRows returns the row id of each trace summary, those of traces not stored yet
// assigned after the largest (this connection is the only writer).
func (b *batch) traceRows(traces []string) ([]int64, error) {
	rows := make([]int64, len(traces))
	index := make(map[string]int, len(traces))
	args := make([]any, len(traces))
	for i, id := range traces {
		index[id] = i
		args[i] = id
	}
	row := make([]driver.Value, 2)
	err := b.queryRows(selTraceRows, 1, args, row, func() {
		id, _ := row[0].(string)
		if i, ok := index[id]; ok {
			rows[i], _ = row[1].(int64)
		}
	})
	if err != nil {
		return nil, err
	}
	if err := b.queryRow(selNextTraceRow, row[:1]); err != nil {
		return nil, err
	}
	next, ok := row[0].(int64)
	if !ok {
		return nil, fmt.Errorf("next trace row id is %T, not an integer", row[0])
	}
	for i := range rows {
		if rows[i] == 0 {
			rows[i] = next
			next++
		}
	}
	return rows, nil
}

func (t *traceSummary) add(sp *encodedSpan) {
	t.start = min(t.start, sp.start)
	t.end = max(t.end, sp.end)
	if sp.isRoot && !t.hasRoot {
		t.rootName, t.service, t.hasRoot = sp.name, sp.service, true
	} else if t.rootName == "" {
		t.rootName, t.service = sp.name, sp.service
	}
	t.spans++
	if sp.isError {
		t.errs++
	}
	c := sp.call
	if genai.IsInference(c.Operation) {
		t.calls++
		t.inTokens += c.Usage.Input
		t.outTokens += c.Usage.Output
		t.cost += sp.cost
		if t.model == "" {
			t.model = c.Model()
		}
	}
	if sp.evals.hasMin && (!t.hasMinScore || sp.evals.minScore < t.minScore) {
		t.minScore, t.hasMinScore = sp.evals.minScore, true
	}
	if t.user == "" {
		t.user = c.User
	}
	if t.conversation == "" {
		t.conversation = c.Conversation
	}
}

// encodeEvents encodes span events without their content attributes, and returns the
// content of each event that had some as a JSON object keyed by event index; buf is
// scratch space, returned for reuse.
func encodeEvents(buf []byte, evs ptrace.SpanEventSlice) (events, content string, _ []byte) {
	if evs.Len() == 0 {
		return "[]", "", buf
	}
	out := append(buf[:0], '[')
	var withContent []byte
	for i, ev := range evs.All() {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, `{"name":`...)
		out = genai.AppendJSONIteratorString(out, ev.Name())
		out = append(out, `,"time_ns":`...)
		out = strconv.AppendUint(out, uint64(ev.Timestamp()), 10)
		out = append(out, `,"attributes":`...)
		out = appendMap(out, ev.Attributes(), isContent)
		out = append(out, '}')
		if hasContent(ev.Attributes()) {
			if withContent == nil {
				withContent = []byte{'{'}
			} else {
				withContent = append(withContent, ',')
			}
			withContent = genai.AppendJSONIteratorString(withContent, strconv.Itoa(i))
			withContent = append(withContent, ':')
			withContent = appendMap(withContent, ev.Attributes(), notContent)
		}
	}
	out = append(out, ']')
	if withContent != nil {
		content = string(append(withContent, '}'))
	}
	return string(out), content, out
}

func notContent(k string) bool { return !isContent(k) }

func hasContent(attrs pcommon.Map) bool {
	for k := range attrs.All() {
		if isContent(k) {
			return true
		}
	}
	return false
}

// encodeContent is the span's content record: {"attributes": {...}, "events": {"i": {...}}},
// or "" when the span carries no content; buf is scratch space, returned for reuse.
func encodeContent(buf []byte, attrs pcommon.Map, events string) (string, []byte) {
	if events == "" && !hasContent(attrs) {
		return "", buf
	}
	out := append(buf[:0], `{"attributes":`...)
	out = appendMap(out, attrs, notContent)
	if events != "" {
		out = append(out, `,"events":`...)
		out = append(out, events...)
	}
	out = append(out, '}')
	return string(out), out
}

func parentID(id pcommon.SpanID) string {
	if id.IsEmpty() {
		return ""
	}
	return id.String()
}

// emptyAsNull binds an empty text as NULL, which the write statements store as "" again
// (coalesce): the driver copies every text argument into a C allocation of its own, and
// a span leaves about a third of its text columns empty.
func emptyAsNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// noEventsAsNull is emptyAsNull for a span's events, which the spans insert stores as "[]".
func noEventsAsNull(events string) any {
	if events == "[]" {
		return nil
	}
	return events
}

func nullInt(v int64, ok bool) any {
	if !ok {
		return nil
	}
	return v
}

func nullFloat(v float64, ok bool) any {
	if !ok {
		return nil
	}
	return v
}

// WriteLogs stores log records in one transaction. GenAI event records (event names in
// the gen_ai. namespace) keep their body and content attributes in the content table.
func (s *Store) WriteLogs(ctx context.Context, ld plog.Logs) error {
	return s.write(ctx, func(b *batch) error { return b.writeLogs(ld) })
}

func (b *batch) writeLogs(ld plog.Logs) error {
	var evals []detached
	for _, rl := range ld.ResourceLogs().All() {
		resID, err := b.resource(rl.Resource().Attributes())
		if err != nil {
			return err
		}
		service := genai.Str(rl.Resource().Attributes(), genai.ServiceName)
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if err := b.writeLog(lr, service, resID); err != nil {
					return err
				}
				if e, ok := logEvaluation(lr); ok {
					evals = append(evals, e)
				}
			}
		}
	}
	if len(evals) == 0 {
		return nil
	}
	acc := rollups{}
	if err := b.writeDetached(evals, acc); err != nil {
		return err
	}
	return b.execRows(upsRollups, rollupWidth, acc.args(), nil)
}

func (b *batch) writeLog(lr plog.LogRecord, service string, resID int64) error {
	t := int64(lr.Timestamp())
	if t == 0 {
		t = int64(lr.ObservedTimestamp())
	}
	attrs := lr.Attributes()
	eventName := lr.EventName()
	if eventName == "" {
		eventName = genai.Str(attrs, genai.EventName)
	}
	body := bodyText(lr.Body())
	genAIEvent := strings.HasPrefix(eventName, "gen_ai.")
	var content []byte
	if genAIEvent && body != "" || hasContent(attrs) {
		content = appendMap([]byte(`{"attributes":`), attrs, notContent)
		if genAIEvent && body != "" {
			content = append(content, `,"body":`...)
			content = appendValue(content, lr.Body())
			body = ""
		}
		content = append(content, '}')
	}
	isError := lr.SeverityNumber() >= plog.SeverityNumberError || genai.Str(attrs, genai.ErrorType) != "" ||
		eventName == genai.EventOperationException
	b.buf = appendMap(b.buf[:0], attrs, isContent)
	res, err := b.exec(insLog, t, traceIDString(lr.TraceID()), parentID(lr.SpanID()), int64(lr.SeverityNumber()),
		lr.SeverityText(), service, resID, eventName, body, string(b.buf), isError)
	if err != nil {
		return err
	}
	if content == nil {
		return nil
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	_, err = b.exec(insLogContent, id, t, string(content))
	return err
}

func traceIDString(id pcommon.TraceID) string {
	if id.IsEmpty() {
		return ""
	}
	return id.String()
}

// bodyText is a log body as text: strings as they are, structured bodies as JSON.
func bodyText(v pcommon.Value) string {
	switch v.Type() {
	case pcommon.ValueTypeEmpty:
		return ""
	case pcommon.ValueTypeStr:
		return v.Str()
	}
	return string(appendValue(nil, v))
}

// WriteMetrics stores metric data points in one transaction. Gauges and sums keep their
// value; histograms keep count, sum and their buckets, summaries count, sum and quantiles.
func (s *Store) WriteMetrics(ctx context.Context, md pmetric.Metrics) error {
	return s.write(ctx, func(b *batch) error { return b.writeMetrics(md) })
}

func (b *batch) writeMetrics(md pmetric.Metrics) error {
	for _, rm := range md.ResourceMetrics().All() {
		resID, err := b.resource(rm.Resource().Attributes())
		if err != nil {
			return err
		}
		service := genai.Str(rm.Resource().Attributes(), genai.ServiceName)
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if err := b.writeMetric(m, service, resID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (b *batch) writeMetric(m pmetric.Metric, service string, resID int64) error {
	point := func(t pcommon.Timestamp, attrs pcommon.Map, value, count, sum any, buckets ...any) error {
		b.buf = appendMap(b.buf[:0], attrs, nil)
		var bucketsJSON any
		if len(buckets) > 0 {
			j, err := json.Marshal(buckets[0])
			if err != nil {
				return err
			}
			bucketsJSON = string(j)
		}
		_, err := b.exec(insMetric, int64(t), m.Name(), m.Unit(), metricType(m), service, resID,
			string(b.buf), value, count, sum, bucketsJSON)
		return err
	}
	number := func(dp pmetric.NumberDataPoint) any {
		if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
			return float64(dp.IntValue())
		}
		return dp.DoubleValue()
	}
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		for _, dp := range m.Gauge().DataPoints().All() {
			if err := point(dp.Timestamp(), dp.Attributes(), number(dp), nil, nil); err != nil {
				return err
			}
		}
	case pmetric.MetricTypeSum:
		for _, dp := range m.Sum().DataPoints().All() {
			if err := point(dp.Timestamp(), dp.Attributes(), number(dp), nil, nil); err != nil {
				return err
			}
		}
	case pmetric.MetricTypeHistogram:
		for _, dp := range m.Histogram().DataPoints().All() {
			if err := point(dp.Timestamp(), dp.Attributes(), nil, int64(dp.Count()), dp.Sum(), explicitBucketsOf(dp)); err != nil {
				return err
			}
		}
	case pmetric.MetricTypeExponentialHistogram:
		for _, dp := range m.ExponentialHistogram().DataPoints().All() {
			if err := point(dp.Timestamp(), dp.Attributes(), nil, int64(dp.Count()), dp.Sum(), exponentialBucketsOf(dp)); err != nil {
				return err
			}
		}
	case pmetric.MetricTypeSummary:
		for _, dp := range m.Summary().DataPoints().All() {
			if err := point(dp.Timestamp(), dp.Attributes(), nil, int64(dp.Count()), dp.Sum(), quantilesOf(dp)); err != nil {
				return err
			}
		}
	}
	return nil
}

// metricType names the point kind, with the temporality for sums and histograms, since a
// time series of a cumulative sum is read differently from a delta one.
func metricType(m pmetric.Metric) string {
	switch m.Type() {
	case pmetric.MetricTypeSum:
		return "sum_" + strings.ToLower(m.Sum().AggregationTemporality().String())
	case pmetric.MetricTypeHistogram:
		return "histogram_" + strings.ToLower(m.Histogram().AggregationTemporality().String())
	case pmetric.MetricTypeExponentialHistogram:
		return "exponential_histogram_" + strings.ToLower(m.ExponentialHistogram().AggregationTemporality().String())
	}
	return strings.ToLower(m.Type().String())
}
