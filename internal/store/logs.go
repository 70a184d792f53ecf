package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"
)

// LogFilter selects log records. Zero fields do not filter.
type LogFilter struct {
	Window
	Service     string
	TraceID     string
	MinSeverity int // OpenTelemetry severity number, e.g. 17 for ERROR
	ErrorsOnly  bool
	// Text matches the body and attributes (not content), case-insensitively for ASCII.
	Text  string
	Limit int
}

// LogRecord is one stored log record.
type LogRecord struct {
	Time           time.Time       `json:"time"`
	TraceID        string          `json:"trace_id,omitempty"`
	SpanID         string          `json:"span_id,omitempty"`
	SeverityNumber int             `json:"severity_number"`
	SeverityText   string          `json:"severity_text,omitempty"`
	Service        string          `json:"service"`
	EventName      string          `json:"event_name,omitempty"`
	Body           string          `json:"body"`
	Attributes     json.RawMessage `json:"attributes"`
	Error          bool            `json:"error"`
	Content        json.RawMessage `json:"content,omitempty"`
}

// Logs lists log records in the window, newest first.
func (s *Store) Logs(ctx context.Context, f LogFilter) ([]LogRecord, error) {
	var q strings.Builder
	q.WriteString(`SELECT l.time_ns, l.trace_id, l.span_id, l.severity_number, l.severity_text, l.service, l.event_name,
		l.body, l.attributes, l.is_error, c.body FROM logs l LEFT JOIN log_content c ON c.log_id = l.id
		WHERE l.time_ns >= ? AND l.time_ns < ?`)
	args := []any{f.From.UnixNano(), f.To.UnixNano()}
	if f.Service != "" {
		q.WriteString(" AND l.service = ?")
		args = append(args, f.Service)
	}
	if f.TraceID != "" {
		q.WriteString(" AND l.trace_id = ?")
		args = append(args, f.TraceID)
	}
	if f.MinSeverity > 0 {
		q.WriteString(" AND l.severity_number >= ?")
		args = append(args, f.MinSeverity)
	}
	if f.ErrorsOnly {
		q.WriteString(" AND l.is_error")
	}
	if f.Text != "" {
		q.WriteString(` AND (l.body LIKE ? ESCAPE '\' OR l.attributes LIKE ? ESCAPE '\')`)
		args = append(args, likePattern(f.Text), likePattern(f.Text))
	}
	q.WriteString(" ORDER BY l.time_ns DESC, l.id DESC LIMIT ?")
	args = append(args, limitOr(f.Limit, 100))
	rows, err := s.r.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, s.describe("listing logs", err)
	}
	defer rows.Close()
	out := []LogRecord{}
	for rows.Next() {
		var r LogRecord
		var t int64
		var attrs string
		var content sql.NullString
		if err := rows.Scan(&t, &r.TraceID, &r.SpanID, &r.SeverityNumber, &r.SeverityText, &r.Service, &r.EventName,
			&r.Body, &attrs, &r.Error, &content); err != nil {
			return nil, s.describe("reading logs", err)
		}
		r.Time, r.Attributes = time.Unix(0, t).UTC(), json.RawMessage(attrs)
		if content.Valid {
			r.Content = json.RawMessage(content.String)
		}
		out = append(out, r)
	}
	return out, s.rowsErr("reading logs", rows)
}
