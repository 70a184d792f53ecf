package store

import "strings"

// A batch inserts its spans, their content and rollups with INSERTs of up to maxRows
// rows each, and finds the trace summaries it extends with lookups of as many trace
// ids. Every statement costs the driver and SQLite a fixed amount (binding setup,
// opening the table's and indexes' cursors, resetting) that one-row statements paid
// once per row. Trace summaries are the exception (rowsSQL.most).

// maxRows is the most rows one statement inserts; past 32, the fixed cost per statement
// is small beside the rows' own. Fewer rows are inserted by statements of a power of two
// rows each, so that a connection prepares a handful of statements, not one per count.
const maxRows = 32

// rowsSQL is a statement over rows given as parameters: what precedes them, one row's
// part (a VALUES tuple, or one value of an IN list), and what follows them. most, when
// not 0, lowers maxRows for this statement. A statement of several rows that may fail
// half way (it names row ids, or calls a function such as min) first copies each page
// it changes that existed before it into a statement journal, to undo itself alone; a
// statement of one row needs none. Trace summaries, whose random trace ids change a page
// of the trace-id index each, cost less one a statement than with those 16 KiB copies
// (docs/benchmarks.md); content, spans and rollups change a few pages at the end of
// their b-trees, and cost less many rows a statement.
type rowsSQL struct {
	head, row, tail string
	most            int
}

// maxRowsOf is the most rows a statement of st takes.
func maxRowsOf(st rowsStmt) int {
	if m := rowsStmts[st].most; m > 0 {
		return m
	}
	return maxRows
}

// sql is the statement for n rows.
func (q rowsSQL) sql(n int) string {
	return q.head + strings.Repeat(q.row+",", n-1) + q.row + q.tail
}

// rowsStmt names a multi-row statement of the write path (rowsStmts).
type rowsStmt int

const (
	insSpans rowsStmt = iota
	insSpanContents
	upsTraces
	upsRollups
	selTraceRows
	numRowsStmts
)

// rowsStmts are prepared on the writer's connection, one statement per number of rows
// (writeconn.go).
var rowsStmts = [numRowsStmts]rowsSQL{
	// The writer gives each span its row id (the next after the largest, as SQLite
	// would), so that it knows the content's key without asking. Text that is often
	// empty is bound as NULL (emptyAsNull) and stored through coalesce; a NULL bound
	// anywhere else would make OR IGNORE skip the span on its NOT NULL column.
	insSpans: {head: `INSERT OR IGNORE INTO spans (id, trace_row, trace_id, span_id, parent_span_id, name, kind, service, resource_id,
		scope, start_ns, end_ns, duration_ns, status_code, status_message, is_error, operation, provider, request_model,
		response_model, model, input_tokens, output_tokens, cost, user_id, conversation_id, error_type, agent_name,
		tool_name, attributes, events, evaluations, quality) VALUES `,
		row: `(?,?,?,?,coalesce(?,''),?,?,?,?,coalesce(?,''),?,?,?,?,coalesce(?,''),?,coalesce(?,''),coalesce(?,''),
		coalesce(?,''),coalesce(?,''),coalesce(?,''),?,?,?,coalesce(?,''),coalesce(?,''),coalesce(?,''),coalesce(?,''),
		coalesce(?,''),?,coalesce(?,'[]'),?,?)`},
	// Content is keyed by its span's rowid. Retention deletes content and spans in
	// separate statements, so a batch written between the two (late or replayed data)
	// can leave content whose span is gone; a new span may then reuse that rowid. The
	// new span's content replaces such an orphan instead of failing the batch forever.
	insSpanContents: {head: `INSERT INTO span_content (span_id, start_ns, body) VALUES `, row: `(?,?,?)`,
		tail: ` ON CONFLICT (span_id) DO UPDATE SET start_ns = excluded.start_ns, body = excluded.body`},
	// The writer gives a new trace its row id as it does a span (traceRows), so a trace
	// conflicts on its row id when the batch extends one already stored.
	upsTraces: {most: 1, head: `INSERT INTO traces (id, trace_id, start_ns, end_ns, root_name, has_root, service, span_count,
		error_count, llm_calls, input_tokens, output_tokens, cost, model, user_id, conversation_id, min_score) VALUES `,
		row: `(?,?,?,?,coalesce(?,''),?,coalesce(?,''),?,?,?,?,?,?,coalesce(?,''),coalesce(?,''),coalesce(?,''),?)`,
		tail: ` ON CONFLICT (id) DO UPDATE SET
			min_score = min(coalesce(min_score, excluded.min_score), coalesce(excluded.min_score, min_score)),
			start_ns = min(start_ns, excluded.start_ns),
			end_ns = max(end_ns, excluded.end_ns),
			root_name = CASE WHEN has_root THEN root_name WHEN excluded.has_root THEN excluded.root_name ELSE root_name END,
			service = CASE WHEN has_root THEN service WHEN excluded.has_root THEN excluded.service ELSE service END,
			has_root = max(has_root, excluded.has_root),
			span_count = span_count + excluded.span_count,
			error_count = error_count + excluded.error_count,
			llm_calls = llm_calls + excluded.llm_calls,
			input_tokens = input_tokens + excluded.input_tokens,
			output_tokens = output_tokens + excluded.output_tokens,
			cost = cost + excluded.cost,
			model = CASE WHEN model = '' THEN excluded.model ELSE model END,
			user_id = CASE WHEN user_id = '' THEN excluded.user_id ELSE user_id END,
			conversation_id = CASE WHEN conversation_id = '' THEN excluded.conversation_id ELSE conversation_id END`},
	upsRollups:   upsertRollups,
	selTraceRows: {head: `SELECT trace_id, id FROM traces WHERE trace_id IN (`, row: `?`, tail: `)`},
}

// Arguments per row.
const (
	spanWidth    = 33
	contentWidth = 3
	traceWidth   = 17
	rollupWidth  = 13
)
