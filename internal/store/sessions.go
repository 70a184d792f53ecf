package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// SessionSummary is one conversation (gen_ai.conversation.id) across its traces.
type SessionSummary struct {
	ID           string    `json:"id"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	Traces       int64     `json:"traces"`
	LLMCalls     int64     `json:"llm_calls"`
	Errors       int64     `json:"errors"`
	InputTokens  int64     `json:"input_tokens"`
	OutputTokens int64     `json:"output_tokens"`
	Cost         float64   `json:"cost_usd"`
	User         string    `json:"user"`
}

// SessionFilter selects sessions with a trace started in the window.
type SessionFilter struct {
	Window
	User  string
	Limit int
}

// Sessions lists sessions, most recently active first.
func (s *Store) Sessions(ctx context.Context, f SessionFilter) ([]SessionSummary, error) {
	q := `SELECT conversation_id, min(start_ns), max(end_ns), count(*), sum(llm_calls), sum(error_count),
		sum(input_tokens), sum(output_tokens), sum(cost), max(user_id)
		FROM traces WHERE conversation_id != '' AND start_ns >= ? AND start_ns < ?`
	args := []any{f.From.UnixNano(), f.To.UnixNano()}
	if f.User != "" {
		q += " AND user_id = ? AND " + hoursIn("", f.From.UnixNano(), f.To.UnixNano())
		args = append(args, f.User)
	}
	q += " GROUP BY conversation_id ORDER BY max(start_ns) DESC LIMIT ?"
	args = append(args, limitOr(f.Limit, 50))
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.describe("listing sessions", err)
	}
	defer rows.Close()
	out := []SessionSummary{}
	for rows.Next() {
		var ss SessionSummary
		var start, end int64
		if err := rows.Scan(&ss.ID, &start, &end, &ss.Traces, &ss.LLMCalls, &ss.Errors, &ss.InputTokens,
			&ss.OutputTokens, &ss.Cost, &ss.User); err != nil {
			return nil, s.describe("reading sessions", err)
		}
		ss.Start, ss.End = time.Unix(0, start).UTC(), time.Unix(0, end).UTC()
		out = append(out, ss)
	}
	return out, s.rowsErr("reading sessions", rows)
}

// Turn is one entry of a session transcript: a message, or a tool execution.
type Turn struct {
	Time    time.Time `json:"time"`
	TraceID string    `json:"trace_id"`
	SpanID  string    `json:"span_id"`
	// Message is set for system, user, assistant and tool messages.
	Message *genai.Message `json:"message,omitempty"`
	// Tool is set for an execute_tool span.
	Tool *ToolRun `json:"tool,omitempty"`
	// Call is set on the last output message of a model call.
	Call *CallInfo `json:"call,omitempty"`
}

// ToolRun is one tool execution.
type ToolRun struct {
	Name       string          `json:"name"`
	CallID     string          `json:"call_id,omitempty"`
	Arguments  json.RawMessage `json:"arguments,omitempty"`
	Result     json.RawMessage `json:"result,omitempty"`
	DurationMs float64         `json:"duration_ms"`
	Error      string          `json:"error,omitempty"`
}

// CallInfo is the model call that produced a message.
type CallInfo struct {
	Model        string   `json:"model"`
	Provider     string   `json:"provider,omitempty"`
	InputTokens  *int64   `json:"input_tokens,omitempty"`
	OutputTokens *int64   `json:"output_tokens,omitempty"`
	Cost         *float64 `json:"cost_usd,omitempty"`
	DurationMs   float64  `json:"duration_ms"`
	Error        string   `json:"error,omitempty"`
}

// SessionDetail is one session with its conversation in order.
type SessionDetail struct {
	SessionSummary
	Transcript []Turn `json:"transcript"`
	// ContentDropped counts model calls whose content retention has removed.
	ContentDropped int `json:"content_dropped"`
}

// Session reconstructs one conversation across its traces: each model call contributes
// the input messages that follow the last assistant message it was sent (earlier ones
// were shown with previous calls), then its output messages; tool spans show as tool runs.
func (s *Store) Session(ctx context.Context, id string) (SessionDetail, error) {
	d := SessionDetail{}
	hours, err := s.storedHours(ctx)
	if err != nil {
		return d, err
	}
	if d.SessionSummary, err = s.sessionSummary(ctx, id, hours); err != nil {
		return d, err
	}
	rows, err := s.r.QueryContext(ctx, "SELECT "+spanColumns+` FROM spans s LEFT JOIN span_content c ON c.span_id = s.id
		WHERE s.trace_row IN (SELECT id FROM traces WHERE conversation_id = ? AND `+hours+`)
		AND (s.operation IN `+inferenceOps+` OR s.operation = ?) ORDER BY s.start_ns, s.span_id`, id, genai.OpExecuteTool)
	if err != nil {
		return d, s.describe("reading a session", err)
	}
	defer rows.Close()
	d.Transcript = []Turn{}
	system := false
	for rows.Next() {
		sp, err := scanSpan(rows)
		if err != nil {
			return d, s.describe("reading a session", err)
		}
		turn := Turn{Time: sp.Start, TraceID: sp.TraceID, SpanID: sp.SpanID}
		content := parseContent(sp.Content)
		if sp.Operation == genai.OpExecuteTool {
			turn.Tool = &ToolRun{Name: sp.Tool, CallID: attrString(sp.Attributes, genai.ToolCallID),
				Arguments:  genai.JSONArguments(jsonString(content[genai.ToolCallArguments])),
				Result:     genai.JSONArguments(jsonString(content[genai.ToolCallResult])),
				DurationMs: sp.DurationMs, Error: sp.ErrorType}
			d.Transcript = append(d.Transcript, turn)
			continue
		}
		if sp.Content == nil {
			d.ContentDropped++
		}
		if !system {
			if parts, err := genai.ParseParts(jsonString(content[genai.SystemInstructions])); err == nil && len(parts) > 0 {
				t := turn
				t.Message = &genai.Message{Role: "system", Parts: parts}
				d.Transcript = append(d.Transcript, t)
				system = true
			}
		}
		in, _ := genai.ParseMessages(jsonString(content[genai.InputMessages]))
		for _, m := range newInput(in) {
			t := turn
			t.Message = &m
			d.Transcript = append(d.Transcript, t)
		}
		call := &CallInfo{Model: firstNonEmpty(sp.ResponseModel, sp.RequestModel), Provider: sp.Provider,
			InputTokens: sp.InputTokens, OutputTokens: sp.OutputTokens, Cost: sp.Cost, DurationMs: sp.DurationMs,
			Error: firstNonEmpty(sp.ErrorType, sp.StatusMessage)}
		out, _ := genai.ParseMessages(jsonString(content[genai.OutputMessages]))
		if len(out) == 0 { // the call still shows, with its figures
			turn.Call = call
			turn.Message = &genai.Message{Role: "assistant", Parts: []genai.Part{}}
			d.Transcript = append(d.Transcript, turn)
			continue
		}
		for i, m := range out {
			t := turn
			t.Message = &m
			if i == len(out)-1 {
				t.Call = call
			}
			d.Transcript = append(d.Transcript, t)
		}
	}
	return d, s.rowsErr("reading a session", rows)
}

// sessionSummary sums a conversation's traces; hours names the hours to look in.
func (s *Store) sessionSummary(ctx context.Context, id, hours string) (SessionSummary, error) {
	var ss SessionSummary
	var start, end int64
	err := s.r.QueryRowContext(ctx, `SELECT conversation_id, min(start_ns), max(end_ns), count(*), sum(llm_calls),
		sum(error_count), sum(input_tokens), sum(output_tokens), sum(cost), max(user_id)
		FROM traces WHERE conversation_id = ? AND `+hours+` GROUP BY conversation_id`, id).Scan(&ss.ID, &start, &end, &ss.Traces,
		&ss.LLMCalls, &ss.Errors, &ss.InputTokens, &ss.OutputTokens, &ss.Cost, &ss.User)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return ss, ErrNotFound
		}
		return ss, s.describe("reading a session", err)
	}
	ss.Start, ss.End = time.Unix(0, start).UTC(), time.Unix(0, end).UTC()
	return ss, nil
}

// newInput is the part of a call's input that follows its last assistant message.
func newInput(in []genai.Message) []genai.Message {
	for i := len(in) - 1; i >= 0; i-- {
		if in[i].Role == "assistant" {
			return in[i+1:]
		}
	}
	return in
}

// parseContent splits a span's content record into its attribute values (raw JSON).
func parseContent(raw json.RawMessage) map[string]json.RawMessage {
	var c struct {
		Attributes map[string]json.RawMessage `json:"attributes"`
	}
	if raw != nil {
		_ = json.Unmarshal(raw, &c)
	}
	return c.Attributes
}

// jsonString returns the JSON text a content value holds: semconv allows the messages
// either as a JSON string (spans) or as structured JSON (events).
func jsonString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

func attrString(attrs json.RawMessage, key string) string {
	var m map[string]any
	if json.Unmarshal(attrs, &m) != nil {
		return ""
	}
	s, _ := m[key].(string)
	return s
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
