package store

// migrations[i] brings a database from schema version i to i+1. The schema version is
// SQLite's user_version, so a file is self-describing. Never edit a released migration:
// append a new one.
var migrations = []string{
	// 1: spans, trace summaries, logs, metric points; content in tables of its own so
	// that content retention can drop it while the metadata stays.
	`
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
`,
	// 2: sessions and per-user trace lists come from trace summaries; alert history for the
	// llmalert exporter.
	`
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
`,
}

// SchemaVersion is the schema this build writes.
var SchemaVersion = len(migrations)
