package genai

// GenAI semantic-convention metric names (v1.41), as the llmmetrics connector emits them
// and alert rules and dashboards query them.
const (
	MetricClientTokenUsage        = "gen_ai.client.token.usage"
	MetricClientOperationDuration = "gen_ai.client.operation.duration"
	MetricServerTimeToFirstToken  = "gen_ai.server.time_to_first_token"
	MetricServerTimePerOutputTok  = "gen_ai.server.time_per_output_token"
)

// gen_ai.token.type values. Semconv defines input and output; the other three are ours,
// used only on MetricTokens, and are subsets of input (cache) or output (reasoning).
const (
	TokenTypeInput      = "input"
	TokenTypeOutput     = "output"
	TokenTypeCacheRead  = "cache_read"
	TokenTypeCacheWrite = "cache_write"
	TokenTypeReasoning  = "reasoning"
)

// ErrorTypeOther is the semconv fallback error.type for a failed span without one.
const ErrorTypeOther = "_OTHER"

// Metric names in otelcol-llm's own namespace.
const (
	MetricCost              = "otelcol_llm.cost.usd"
	MetricRequests          = "otelcol_llm.requests"
	MetricErrors            = "otelcol_llm.errors"
	MetricTokens            = "otelcol_llm.tokens"
	MetricToolCalls         = "otelcol_llm.tool.calls"
	MetricToolDuration      = "otelcol_llm.tool.duration"
	MetricAgentInvocations  = "otelcol_llm.agent.invocations"
	MetricAgentDuration     = "otelcol_llm.agent.duration"
	MetricEvaluationScore   = "otelcol_llm.evaluation.score"
	MetricEvaluationResults = "otelcol_llm.evaluation.results"
	MetricRedactionFindings = "otelcol_llm.redaction.findings"

	// Dependency edges, shaped like the contrib service-graph connector's
	// traces_service_graph_* metrics (client and server labels).
	MetricGraphRequests       = "otelcol_llm.service_graph.request.total"
	MetricGraphRequestsFailed = "otelcol_llm.service_graph.request.failed.total"
	MetricGraphRequestServer  = "otelcol_llm.service_graph.request.server"
)

// Metric attribute names in our namespace, and the service-graph label names.
const (
	// Status is ok or error on tool and agent metrics, so that a success rate needs no
	// negative match on error.type.
	Status      = "otelcol_llm.status"
	StatusOK    = "ok"
	StatusError = "error"

	// RedactionEntityType is the entity type (email, credit_card, ...) of a redaction finding.
	RedactionEntityType = "otelcol_llm.redaction.entity_type"

	// MetricOverflow marks the series that carries points over a cardinality limit, as the
	// OpenTelemetry SDKs do.
	MetricOverflow = "otel.metric.overflow"

	GraphClient         = "client"
	GraphServer         = "server"
	GraphConnectionType = "connection_type"
)

// connection_type values of the dependency edges.
const (
	ConnectionAgentTool       = "agent_tool"
	ConnectionAgentModel      = "agent_model"
	ConnectionServiceProvider = "service_provider"
)
