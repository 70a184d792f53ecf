package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// ErrNotFound is returned when a trace or session is not stored.
var ErrNotFound = errors.New("not found")

// TraceFilter selects traces. Zero fields do not filter.
type TraceFilter struct {
	Window
	Model       string // any span of the trace used this model
	Service     string // root service
	User        string
	Session     string // gen_ai.conversation.id
	ErrorsOnly  bool   // at least one failed span
	OKOnly      bool   // no failed span
	MinDuration time.Duration
	// Text matches stored (redacted) message content, case-insensitively for ASCII.
	Text string
	// ScoreBelow keeps traces with an evaluation score under it (0 does not filter).
	ScoreBelow float64
	Limit      int
}

// TraceSummary is one row of the trace list.
type TraceSummary struct {
	TraceID      string    `json:"trace_id"`
	Start        time.Time `json:"start"`
	DurationMs   float64   `json:"duration_ms"`
	RootName     string    `json:"root_name"`
	Service      string    `json:"service"`
	SpanCount    int64     `json:"span_count"`
	Errors       int64     `json:"errors"`
	LLMCalls     int64     `json:"llm_calls"`
	InputTokens  int64     `json:"input_tokens"`
	OutputTokens int64     `json:"output_tokens"`
	Cost         float64   `json:"cost_usd"`
	Model        string    `json:"model"`
	User         string    `json:"user"`
	Session      string    `json:"session"`
	// MinScore is the lowest evaluation score of the trace's spans, if any was scored.
	MinScore *float64 `json:"min_score,omitempty"`
}

const traceColumns = `t.trace_id, t.start_ns, t.end_ns - t.start_ns, t.root_name, t.service, t.span_count,
	t.error_count, t.llm_calls, t.input_tokens, t.output_tokens, t.cost, t.model, t.user_id, t.conversation_id,
	t.min_score`

// scanTrace reads traceColumns, after the columns that precede them into before.
func scanTrace(sc interface{ Scan(...any) error }, before ...any) (TraceSummary, error) {
	var t TraceSummary
	var start, dur int64
	var minScore sql.NullFloat64
	err := sc.Scan(append(before, &t.TraceID, &start, &dur, &t.RootName, &t.Service, &t.SpanCount, &t.Errors,
		&t.LLMCalls, &t.InputTokens, &t.OutputTokens, &t.Cost, &t.Model, &t.User, &t.Session, &minScore)...)
	t.Start, t.DurationMs = time.Unix(0, start).UTC(), float64(dur)/1e6
	if minScore.Valid {
		t.MinScore = &minScore.Float64
	}
	return t, err
}

// likePattern escapes s for LIKE ... ESCAPE '\'.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// Traces lists traces started in the window, newest first.
func (s *Store) Traces(ctx context.Context, f TraceFilter) ([]TraceSummary, error) {
	q := strings.Builder{}
	q.WriteString("SELECT " + traceColumns + " FROM traces t WHERE t.start_ns >= ? AND t.start_ns < ?")
	args := []any{f.From.UnixNano(), f.To.UnixNano()}
	eq := func(col, v string) {
		if v != "" {
			q.WriteString(" AND " + col + " = ?")
			args = append(args, v)
		}
	}
	eq("t.service", f.Service)
	eq("t.user_id", f.User)
	eq("t.conversation_id", f.Session)
	if f.User != "" || f.Session != "" {
		q.WriteString(" AND " + hoursIn("t", f.From.UnixNano(), f.To.UnixNano()))
	}
	if f.ErrorsOnly {
		q.WriteString(" AND t.error_count > 0")
	}
	if f.OKOnly {
		q.WriteString(" AND t.error_count = 0")
	}
	if f.ScoreBelow > 0 {
		q.WriteString(" AND t.min_score < ?")
		args = append(args, f.ScoreBelow)
	}
	if f.MinDuration > 0 {
		q.WriteString(" AND t.end_ns - t.start_ns >= ?")
		args = append(args, int64(f.MinDuration))
	}
	if f.Model != "" {
		q.WriteString(" AND (t.model = ? OR EXISTS (SELECT 1 FROM spans s WHERE s.trace_row = t.id AND (s.model = ? OR s.request_model = ?)))")
		args = append(args, f.Model, f.Model, f.Model)
	}
	if f.Text != "" {
		q.WriteString(` AND EXISTS (SELECT 1 FROM spans s JOIN span_content c ON c.span_id = s.id
			WHERE s.trace_row = t.id AND c.body LIKE ? ESCAPE '\')`)
		args = append(args, likePattern(f.Text))
	}
	q.WriteString(" ORDER BY t.start_ns DESC LIMIT ?")
	args = append(args, limitOr(f.Limit, 50))
	rows, err := s.r.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, s.describe("listing traces", err)
	}
	defer rows.Close()
	out := []TraceSummary{}
	for rows.Next() {
		t, err := scanTrace(rows)
		if err != nil {
			return nil, s.describe("reading traces", err)
		}
		out = append(out, t)
	}
	return out, s.rowsErr("reading traces", rows)
}

func (s *Store) rowsErr(what string, rows *sql.Rows) error {
	if err := rows.Err(); err != nil {
		return s.describe(what, err)
	}
	return nil
}

func limitOr(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// Span is one stored span.
type Span struct {
	TraceID       string          `json:"trace_id"`
	SpanID        string          `json:"span_id"`
	ParentSpanID  string          `json:"parent_span_id,omitempty"`
	Name          string          `json:"name"`
	Kind          int             `json:"kind"`
	Service       string          `json:"service"`
	Scope         string          `json:"scope,omitempty"`
	Start         time.Time       `json:"start"`
	DurationMs    float64         `json:"duration_ms"`
	StatusCode    int             `json:"status_code"` // 0 unset, 1 ok, 2 error
	StatusMessage string          `json:"status_message,omitempty"`
	Error         bool            `json:"error"`
	ErrorType     string          `json:"error_type,omitempty"`
	Operation     string          `json:"operation,omitempty"`
	Provider      string          `json:"provider,omitempty"`
	RequestModel  string          `json:"request_model,omitempty"`
	ResponseModel string          `json:"response_model,omitempty"`
	InputTokens   *int64          `json:"input_tokens,omitempty"`
	OutputTokens  *int64          `json:"output_tokens,omitempty"`
	Cost          *float64        `json:"cost_usd,omitempty"`
	User          string          `json:"user,omitempty"`
	Session       string          `json:"session,omitempty"`
	Agent         string          `json:"agent,omitempty"`
	Tool          string          `json:"tool,omitempty"`
	Attributes    json.RawMessage `json:"attributes"`
	Events        json.RawMessage `json:"events"`
	// Content is {"attributes": {...}, "events": {...}}; absent once content retention
	// has dropped it.
	Content json.RawMessage `json:"content,omitempty"`
	// Evaluations are the span's evaluation results: its own and those that arrived
	// apart from it (judge results, user feedback), oldest first.
	Evaluations []Evaluation `json:"evaluations,omitempty"`
	// Depth is the span's depth in the tree (roots and orphans 0).
	Depth int `json:"depth"`
	// Offset is the span's start relative to the trace start, for waterfalls.
	OffsetMs float64 `json:"offset_ms"`

	endNs int64 // when the combined quality score was given (see qualityFromJSON)
}

const spanColumns = `s.trace_id, s.span_id, s.parent_span_id, s.name, s.kind, s.service, s.scope, s.start_ns,
	s.duration_ns, s.status_code, s.status_message, s.is_error, s.error_type, s.operation, s.provider,
	s.request_model, s.response_model, s.input_tokens, s.output_tokens, s.cost, s.user_id, s.conversation_id,
	s.agent_name, s.tool_name, s.attributes, s.events, c.body`

func scanSpan(sc interface{ Scan(...any) error }) (Span, error) {
	var sp Span
	var start, dur int64
	var in, out sql.NullInt64
	var cost sql.NullFloat64
	var attrs, events string
	var content sql.NullString
	err := sc.Scan(&sp.TraceID, &sp.SpanID, &sp.ParentSpanID, &sp.Name, &sp.Kind, &sp.Service, &sp.Scope, &start,
		&dur, &sp.StatusCode, &sp.StatusMessage, &sp.Error, &sp.ErrorType, &sp.Operation, &sp.Provider,
		&sp.RequestModel, &sp.ResponseModel, &in, &out, &cost, &sp.User, &sp.Session, &sp.Agent, &sp.Tool,
		&attrs, &events, &content)
	sp.Start, sp.DurationMs, sp.endNs = time.Unix(0, start).UTC(), float64(dur)/1e6, start+dur
	if in.Valid {
		sp.InputTokens = &in.Int64
	}
	if out.Valid {
		sp.OutputTokens = &out.Int64
	}
	if cost.Valid {
		sp.Cost = &cost.Float64
	}
	sp.Attributes, sp.Events = json.RawMessage(attrs), json.RawMessage(events)
	if content.Valid {
		sp.Content = json.RawMessage(content.String)
	}
	return sp, err
}

// TraceDetail is one trace with its spans in tree order (depth first, children by start).
type TraceDetail struct {
	TraceSummary
	Spans []Span `json:"spans"`
	// Evaluations are results for spans of the trace that are not stored (never arrived,
	// or expired).
	Evaluations []Evaluation `json:"evaluations,omitempty"`
}

// Trace returns one trace, or ErrNotFound.
func (s *Store) Trace(ctx context.Context, traceID string) (TraceDetail, error) {
	d := TraceDetail{}
	var row int64 // the spans' trace_row
	var err error
	d.TraceSummary, err = scanTrace(s.r.QueryRowContext(ctx, "SELECT t.id, "+traceColumns+" FROM traces t WHERE t.trace_id = ?",
		traceID), &row)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return d, ErrNotFound
		}
		return d, s.describe("reading a trace", err)
	}
	rows, err := s.r.QueryContext(ctx, "SELECT "+spanColumns+` FROM spans s LEFT JOIN span_content c ON c.span_id = s.id
		WHERE s.trace_row = ? ORDER BY s.start_ns, s.span_id`, row)
	if err != nil {
		return d, s.describe("reading spans", err)
	}
	defer rows.Close()
	var spans []Span
	for rows.Next() {
		sp, err := scanSpan(rows)
		if err != nil {
			return d, s.describe("reading spans", err)
		}
		spans = append(spans, sp)
	}
	if err := s.rowsErr("reading spans", rows); err != nil {
		return d, err
	}
	if d.Evaluations, err = s.spanEvaluations(ctx, traceID, spans); err != nil {
		return d, err
	}
	d.Spans = tree(spans, d.Start)
	return d, nil
}

// tree orders spans depth first; a span whose parent is missing is shown as a root.
func tree(spans []Span, start time.Time) []Span {
	byID := make(map[string]bool, len(spans))
	for _, sp := range spans {
		byID[sp.SpanID] = true
	}
	children := map[string][]int{}
	var roots []int
	for i, sp := range spans {
		if sp.ParentSpanID == "" || !byID[sp.ParentSpanID] {
			roots = append(roots, i)
		} else {
			children[sp.ParentSpanID] = append(children[sp.ParentSpanID], i)
		}
	}
	out := make([]Span, 0, len(spans))
	visited := make([]bool, len(spans))
	var walk func(i, depth int)
	walk = func(i, depth int) {
		if visited[i] {
			return
		}
		visited[i] = true
		sp := spans[i]
		sp.Depth = depth
		sp.OffsetMs = float64(sp.Start.Sub(start)) / 1e6
		out = append(out, sp)
		for _, c := range children[sp.SpanID] {
			walk(c, depth+1)
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
	for i := range spans { // parent cycles: shown as roots rather than lost
		walk(i, 0)
	}
	return out
}
