package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
)

// databaseAt makes a database file of schema version v, as a build of that schema left it.
func databaseAt(t *testing.T, v int) (*sql.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("v%d.db", v))
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateTo(context.Background(), db, 0, v, func(_ string, err error) error { return err }); err != nil {
		t.Fatal(err)
	}
	return db, path
}

// openMigrated closes db, made by databaseAt, and opens it as a store, which migrates it.
func openMigrated(t *testing.T, db *sql.DB, path string) *Store {
	t.Helper()
	db.Close()
	s := openStore(t, Options{Path: path})
	var version int
	s.r.QueryRow("PRAGMA user_version").Scan(&version)
	if version != SchemaVersion {
		t.Fatalf("version %d after migration, want %d", version, SchemaVersion)
	}
	return s
}

// TestMigrationFromSchemaV4: trace summaries keyed by trace id become rows in arrival
// order that their spans point to; after the upgrade a stored trace reads as before, its
// redelivered spans are still duplicates, and its new spans extend it.
func TestMigrationFromSchemaV4(t *testing.T) {
	db, path := databaseAt(t, 4)
	ctx := context.Background()
	t1, orphan := storegen.TraceID(1).String(), storegen.TraceID(9).String()
	_, err := db.Exec(`INSERT INTO traces (trace_id, start_ns, end_ns, root_name, has_root, service, span_count, error_count,
		llm_calls, input_tokens, output_tokens, cost, model, user_id, conversation_id) VALUES
		(?, ?, ?, 'invoke_agent support', 1, 'support-bot', 2, 0, 1, 120, 30, 0.0006, 'gpt-4o', 'alice', 'sess-alice')`,
		t1, base.UnixNano(), base.Add(2500*time.Millisecond).UnixNano())
	if err != nil {
		t.Fatal(err)
	}
	insert := func(trace string, span, parent, name, op, model string, start time.Time, dur time.Duration) {
		t.Helper()
		_, err := db.Exec(`INSERT INTO spans (trace_id, span_id, parent_span_id, name, kind, service, resource_id, scope,
			start_ns, end_ns, duration_ns, status_code, status_message, is_error, operation, provider, request_model,
			response_model, model, input_tokens, output_tokens, cost, user_id, conversation_id, error_type, agent_name,
			tool_name, attributes, events) VALUES (?, ?, ?, ?, 3, 'support-bot', 1, '', ?, ?, ?, 0, '', 0, ?, 'openai', ?, ?, ?,
			NULL, NULL, NULL, 'alice', 'sess-alice', '', 'support', '', '{}', '[]')`,
			trace, span, parent, name, start.UnixNano(), start.Add(dur).UnixNano(), int64(dur), op, model, model, model)
		if err != nil {
			t.Fatal(err)
		}
	}
	insert(t1, storegen.SpanID(1).String(), "", "invoke_agent support", genai.OpInvokeAgent, "", base, 2500*time.Millisecond)
	insert(t1, storegen.SpanID(2).String(), storegen.SpanID(1).String(), "chat gpt-4o", genai.OpChat, "gpt-4o",
		base.Add(10*time.Millisecond), 800*time.Millisecond)
	// The tail of a trace whose summary retention removed.
	insert(orphan, storegen.SpanID(5).String(), storegen.SpanID(4).String(), "chat gpt-4o", genai.OpChat, "gpt-4o",
		base.Add(time.Second), time.Second)
	s := openMigrated(t, db, path)
	if ps := pageSizeOf(t, s); ps != 4096 {
		t.Errorf("page size %d after migration: a file keeps the pages it was made with", ps)
	}
	d, err := s.Trace(ctx, t1)
	if err != nil || len(d.Spans) != 2 || d.Spans[1].Depth != 1 || d.SpanCount != 2 {
		t.Fatalf("trace stored at v4: %+v %v", d, err)
	}
	if _, err := s.Trace(ctx, orphan); !errors.Is(err, ErrNotFound) {
		t.Errorf("a trace without summary: %v, want not found as before", err)
	}
	deps, err := s.Dependencies(ctx, hour)
	if err != nil || !hasEdge(deps, "agent:support", "model:gpt-4o") {
		t.Errorf("dependencies after migration (parents found through trace rows): %+v %v", deps, err)
	}

	// The chat span again (redelivered) and a tool span new to the trace.
	td := ptrace.NewTraces()
	res := storegen.NewResource(td, "support-bot")
	storegen.AddSpan(res, storegen.TraceID(1), storegen.Call{Name: "chat gpt-4o", Operation: genai.OpChat,
		Provider: genai.ProviderOpenAI, Model: "gpt-4o", Parent: storegen.SpanID(1), ID: storegen.SpanID(2),
		Start: base.Add(10 * time.Millisecond), Duration: 800 * time.Millisecond})
	storegen.AddSpan(res, storegen.TraceID(1), storegen.Call{Name: "execute_tool get_policy", Operation: genai.OpExecuteTool,
		Tool: "get_policy", Parent: storegen.SpanID(1), ID: storegen.SpanID(3), Start: base.Add(820 * time.Millisecond),
		Duration: 80 * time.Millisecond})
	if err := s.WriteTraces(ctx, td); err != nil {
		t.Fatal(err)
	}
	d, err = s.Trace(ctx, t1)
	if err != nil || len(d.Spans) != 3 || d.SpanCount != 3 || d.LLMCalls != 1 {
		t.Errorf("after a redelivered and a new span: %d spans, summary %+v %v", len(d.Spans), d.TraceSummary, err)
	}
	ts, err := s.Traces(ctx, TraceFilter{Window: hour})
	if err != nil || len(ts) != 1 {
		t.Errorf("trace list: %+v %v", ts, err)
	}
}

func hasEdge(d Dependencies, from, to string) bool {
	for _, e := range d.Edges {
		if e.From == from && e.To == to {
			return true
		}
	}
	return false
}

// TestNewTraceNeverJoinsOrphanedSpans: spans whose summary retention removed keep their
// trace's row id; a trace written afterwards must get another one, or it would show them.
func TestNewTraceNeverJoinsOrphanedSpans(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	if err := s.WriteTraces(ctx, storegen.Fixture(base)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, "DELETE FROM traces"); err != nil { // as retention does, spans first or not
		t.Fatal(err)
	}
	td := ptrace.NewTraces()
	storegen.AddSpan(storegen.NewResource(td, "other"), storegen.TraceID(7), storegen.Call{Name: "chat gpt-4o",
		Operation: genai.OpChat, Model: "gpt-4o", ID: storegen.SpanID(70), Start: base, Duration: time.Second})
	if err := s.WriteTraces(ctx, td); err != nil {
		t.Fatal(err)
	}
	d, err := s.Trace(ctx, storegen.TraceID(7).String())
	if err != nil || len(d.Spans) != 1 || d.Spans[0].SpanID != storegen.SpanID(70).String() {
		t.Fatalf("new trace: %d spans %+v %v", len(d.Spans), d.Spans, err)
	}
}

func pageSizeOf(t *testing.T, s *Store) int {
	t.Helper()
	var ps int
	if err := s.r.QueryRow("PRAGMA page_size").Scan(&ps); err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestNewStoreHasLargePages: content of a few KiB packs into 16 KiB pages, where pages
// of 4 KiB hold one and leave a third empty.
func TestNewStoreHasLargePages(t *testing.T) {
	s := openStore(t, Options{})
	if err := s.WriteTraces(context.Background(), storegen.Fixture(base)); err != nil {
		t.Fatal(err)
	}
	if ps := pageSizeOf(t, s); ps != pageSize {
		t.Errorf("page size %d, want %d", ps, pageSize)
	}
}

// TestMigrationFromSchemaV5: the user and conversation indexes are rebuilt hour first;
// a user's and a conversation's traces stored before are found as before.
func TestMigrationFromSchemaV5(t *testing.T) {
	db, path := databaseAt(t, 5)
	ctx := context.Background()
	_, err := db.Exec(`INSERT INTO traces (id, trace_id, start_ns, end_ns, root_name, has_root, service, span_count, error_count,
		llm_calls, input_tokens, output_tokens, cost, model, user_id, conversation_id) VALUES
		(1, ?, ?, ?, 'invoke_agent support', 1, 'support-bot', 1, 0, 1, 120, 30, 0.0006, 'gpt-4o', 'alice', 'sess-alice')`,
		storegen.TraceID(1).String(), base.UnixNano(), base.Add(2500*time.Millisecond).UnixNano())
	if err != nil {
		t.Fatal(err)
	}
	s := openMigrated(t, db, path)
	var sql string
	if err := s.r.QueryRow("SELECT sql FROM sqlite_master WHERE name = 'traces_user'").Scan(&sql); err != nil ||
		!strings.Contains(sql, "start_ns / 3600000000000, user_id") {
		t.Errorf("traces_user after migration: %q %v", sql, err)
	}
	if ts, err := s.Traces(ctx, TraceFilter{Window: hour, User: "alice", Session: "sess-alice"}); err != nil || len(ts) != 1 {
		t.Errorf("alice's traces: %+v %v", ts, err)
	}
	if ss, err := s.Sessions(ctx, SessionFilter{Window: hour, User: "alice"}); err != nil || len(ss) != 1 || ss[0].Traces != 1 {
		t.Errorf("alice's sessions: %+v %v", ss, err)
	}
	if d, err := s.Session(ctx, "sess-alice"); err != nil || d.Traces != 1 || d.User != "alice" {
		t.Errorf("session: %+v %v", d.SessionSummary, err)
	}
}
