package store

import (
	"context"
	"database/sql"
)

// migration is one schema step: SQL, then optionally Go code that fills what the SQL
// created, in the same transaction.
type migration struct {
	sql  string
	fill func(context.Context, *sql.Tx) error
}

// migrations[i] brings a database from schema version i to i+1. The schema version is
// SQLite's user_version, so a file is self-describing. Never edit a released migration:
// append a new one.
var migrations = []migration{
	// 1: spans, trace summaries, logs, metric points; content in tables of its own so
	// that content retention can drop it while the metadata stays.
	{sql: `
CREATE TABLE resources (
	id    INTEGER PRIMARY KEY,
	attrs TEXT NOT NULL UNIQUE
);
CREATE TABLE spans (
	id              INTEGER PRIMARY KEY,
	trace_id        TEXT    NOT NULL,
	span_id         TEXT    NOT NULL,
	parent_span_id  TEXT    NOT NULL,
	name            TEXT    NOT NULL,
	kind            INTEGER NOT NULL,
	service         TEXT    NOT NULL,
	resource_id     INTEGER NOT NULL,
	scope           TEXT    NOT NULL,
	start_ns        INTEGER NOT NULL,
	end_ns          INTEGER NOT NULL,
	duration_ns     INTEGER NOT NULL,
	status_code     INTEGER NOT NULL,
	status_message  TEXT    NOT NULL,
	is_error        INTEGER NOT NULL,
	operation       TEXT    NOT NULL,
	provider        TEXT    NOT NULL,
	request_model   TEXT    NOT NULL,
	response_model  TEXT    NOT NULL,
	model           TEXT    NOT NULL,
	input_tokens    INTEGER,
	output_tokens   INTEGER,
	cost            REAL,
	user_id         TEXT    NOT NULL,
	conversation_id TEXT    NOT NULL,
	error_type      TEXT    NOT NULL,
	agent_name      TEXT    NOT NULL,
	tool_name       TEXT    NOT NULL,
	attributes      TEXT    NOT NULL,
	events          TEXT    NOT NULL
);
CREATE UNIQUE INDEX spans_trace_span ON spans (trace_id, span_id);
-- Covers the overview: its scan reads the index alone, never the wide span rows.
CREATE INDEX spans_start ON spans (start_ns, operation, duration_ns, is_error, input_tokens, output_tokens, cost,
	model, provider, service, user_id);
-- span_id is spans.id; content is found through its span (no trace index to maintain).
CREATE TABLE span_content (
	span_id  INTEGER PRIMARY KEY,
	start_ns INTEGER NOT NULL,
	body     TEXT    NOT NULL
);
CREATE INDEX span_content_start ON span_content (start_ns);
CREATE TABLE traces (
	trace_id        TEXT PRIMARY KEY,
	start_ns        INTEGER NOT NULL,
	end_ns          INTEGER NOT NULL,
	root_name       TEXT    NOT NULL,
	has_root        INTEGER NOT NULL,
	service         TEXT    NOT NULL,
	span_count      INTEGER NOT NULL,
	error_count     INTEGER NOT NULL,
	llm_calls       INTEGER NOT NULL,
	input_tokens    INTEGER NOT NULL,
	output_tokens   INTEGER NOT NULL,
	cost            REAL    NOT NULL,
	model           TEXT    NOT NULL,
	user_id         TEXT    NOT NULL,
	conversation_id TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX traces_start ON traces (start_ns);
CREATE TABLE logs (
	id              INTEGER PRIMARY KEY,
	time_ns         INTEGER NOT NULL,
	trace_id        TEXT    NOT NULL,
	span_id         TEXT    NOT NULL,
	severity_number INTEGER NOT NULL,
	severity_text   TEXT    NOT NULL,
	service         TEXT    NOT NULL,
	resource_id     INTEGER NOT NULL,
	event_name      TEXT    NOT NULL,
	body            TEXT    NOT NULL,
	attributes      TEXT    NOT NULL,
	is_error        INTEGER NOT NULL
);
CREATE INDEX logs_time ON logs (time_ns);
CREATE TABLE log_content (
	log_id  INTEGER PRIMARY KEY,
	time_ns INTEGER NOT NULL,
	body    TEXT    NOT NULL
);
CREATE INDEX log_content_time ON log_content (time_ns);
CREATE TABLE metric_points (
	id          INTEGER PRIMARY KEY,
	time_ns     INTEGER NOT NULL,
	name        TEXT    NOT NULL,
	unit        TEXT    NOT NULL,
	type        TEXT    NOT NULL,
	service     TEXT    NOT NULL,
	resource_id INTEGER NOT NULL,
	attributes  TEXT    NOT NULL,
	value       REAL,
	count       INTEGER,
	sum         REAL
);
CREATE INDEX metric_points_name_time ON metric_points (name, time_ns);
CREATE INDEX metric_points_time ON metric_points (time_ns);
`},
	// 2: sessions and per-user trace lists come from trace summaries; alert history for the
	// llmalert exporter.
	{sql: `
CREATE INDEX traces_conversation ON traces (conversation_id, start_ns);
CREATE INDEX traces_user ON traces (user_id, start_ns);
CREATE TABLE alert_history (
	id          INTEGER PRIMARY KEY,
	time_ns     INTEGER NOT NULL,
	rule        TEXT    NOT NULL,
	state       TEXT    NOT NULL,
	labels      TEXT    NOT NULL,
	annotations TEXT    NOT NULL
);
CREATE INDEX alert_history_time ON alert_history (time_ns);
`},
	// 3: call rollups (rollup.go), built from the calls already stored. The overview of
	// long windows reads them, so the span time index no longer needs to cover the
	// overview: a narrow one makes every span insert cheaper.
	{sql: `
CREATE TABLE call_rollups (
	resolution    INTEGER NOT NULL, -- seconds: a minute, hour, 6 hours, day or week
	dim           INTEGER NOT NULL, -- 0 all calls, 1 model, 2 provider, 3 service, 4 user
	bucket_ns     INTEGER NOT NULL, -- bucket start, aligned to the resolution
	key           TEXT    NOT NULL, -- the model, provider, service or user; '' for all calls
	calls         INTEGER NOT NULL,
	errors        INTEGER NOT NULL,
	input_tokens  INTEGER NOT NULL,
	output_tokens INTEGER NOT NULL,
	cost          REAL    NOT NULL,
	latency       BLOB    NOT NULL, -- histogram.go
	evaluations   INTEGER NOT NULL, -- evaluation results of these calls (evaluation.go)
	quality_count INTEGER NOT NULL, -- results named quality with a score
	quality_sum   REAL    NOT NULL,
	PRIMARY KEY (resolution, dim, bucket_ns, key)
) WITHOUT ROWID;
DROP INDEX spans_start;
CREATE INDEX spans_start ON spans (start_ns);
`, fill: backfillRollups},
	// 4: evaluation results (evaluation.go). Results on the evaluated span stay in its
	// events, summarised in columns of the span, its trace and the rollups (which have
	// their columns from 3 on; older spans count no evaluations); results that
	// arrive apart from their span (judge and feedback spans, log records) get rows of
	// their own, keyed by the evaluated span.
	{sql: `
ALTER TABLE spans ADD COLUMN evaluations INTEGER NOT NULL DEFAULT 0;
ALTER TABLE spans ADD COLUMN quality REAL;
ALTER TABLE traces ADD COLUMN min_score REAL;
-- Histogram buckets, exponential histogram buckets and summary quantiles (metrics.go).
ALTER TABLE metric_points ADD COLUMN buckets TEXT;
CREATE TABLE evaluations (
	id          INTEGER PRIMARY KEY,
	trace_id    TEXT    NOT NULL, -- the evaluated span
	span_id     TEXT    NOT NULL,
	time_ns     INTEGER NOT NULL,
	name        TEXT    NOT NULL,
	score       REAL,             -- NULL: no score, or one outside 0–1
	label       TEXT    NOT NULL,
	explanation TEXT    NOT NULL,
	source      TEXT    NOT NULL,
	-- the evaluated call's, when it was stored before its evaluation
	model       TEXT    NOT NULL,
	provider    TEXT    NOT NULL,
	service     TEXT    NOT NULL,
	user_id     TEXT    NOT NULL
);
-- Also what makes a redelivered result a duplicate.
CREATE UNIQUE INDEX evaluations_key ON evaluations (trace_id, span_id, name, source, time_ns);
CREATE INDEX evaluations_time ON evaluations (time_ns);
`},
	// 5: random trace ids as SDKs send them. Keyed by trace id, the trace summaries (a
	// whole row per key) and the spans' (trace_id, span_id) index took every new trace at
	// a random place; once larger than the cache, each span dirtied pages all over both.
	// Trace summaries now get row ids in arrival order, found by trace id through one
	// narrow index, and spans name their trace by that row id (trace_row), so the span
	// index grows at its end. Spans whose summary retention already removed keep a NULL
	// trace_row: no trace shows them, as before.
	{sql: `
CREATE TABLE traces_by_row (
	id              INTEGER PRIMARY KEY,
	trace_id        TEXT    NOT NULL,
	start_ns        INTEGER NOT NULL,
	end_ns          INTEGER NOT NULL,
	root_name       TEXT    NOT NULL,
	has_root        INTEGER NOT NULL,
	service         TEXT    NOT NULL,
	span_count      INTEGER NOT NULL,
	error_count     INTEGER NOT NULL,
	llm_calls       INTEGER NOT NULL,
	input_tokens    INTEGER NOT NULL,
	output_tokens   INTEGER NOT NULL,
	cost            REAL    NOT NULL,
	model           TEXT    NOT NULL,
	user_id         TEXT    NOT NULL,
	conversation_id TEXT    NOT NULL,
	min_score       REAL
);
INSERT INTO traces_by_row (trace_id, start_ns, end_ns, root_name, has_root, service, span_count, error_count,
	llm_calls, input_tokens, output_tokens, cost, model, user_id, conversation_id, min_score)
	SELECT trace_id, start_ns, end_ns, root_name, has_root, service, span_count, error_count, llm_calls,
	input_tokens, output_tokens, cost, model, user_id, conversation_id, min_score FROM traces ORDER BY start_ns, trace_id;
DROP TABLE traces;
ALTER TABLE traces_by_row RENAME TO traces;
CREATE UNIQUE INDEX traces_trace_id ON traces (trace_id);
CREATE INDEX traces_start ON traces (start_ns);
CREATE INDEX traces_conversation ON traces (conversation_id, start_ns);
CREATE INDEX traces_user ON traces (user_id, start_ns);
ALTER TABLE spans ADD COLUMN trace_row INTEGER;
UPDATE spans SET trace_row = (SELECT t.id FROM traces t WHERE t.trace_id = spans.trace_id);
DROP INDEX spans_trace_span;
-- Also what makes a redelivered span a duplicate.
CREATE UNIQUE INDEX spans_trace_span ON spans (trace_row, span_id);
`},
	// 6: a user's and a conversation's traces, found hour by hour. Keyed by (user_id,
	// start_ns), a new trace went to the end of its user's run, somewhere in an index as
	// large as the store, and each batch dirtied pages all over it and over the
	// conversation index alike. With the hour first (hourKey), new traces all go into the
	// current hour's part, which stays in the writer's cache; queries name the hours of
	// their window (hoursIn).
	{sql: `
DROP INDEX traces_conversation;
DROP INDEX traces_user;
CREATE INDEX traces_conversation ON traces (start_ns / 3600000000000, conversation_id, start_ns);
CREATE INDEX traces_user ON traces (start_ns / 3600000000000, user_id, start_ns);
`},
}

// SchemaVersion is the schema this build writes.
var SchemaVersion = len(migrations)
