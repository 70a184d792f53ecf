package aggregator

import "github.com/otelcol-llm/otelcol-llm/internal/genai"

// Bucket boundaries recommended by the GenAI semantic conventions v1.41.
var (
	tokenBounds = []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}
	// durationBounds also serve tool, agent and dependency-edge latencies: LLM-bound work
	// runs for seconds to minutes, well beyond the service-graph connector's 15 s top bucket.
	durationBounds = []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}
	ttftBounds     = []float64{0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0}
	tpotBounds     = []float64{0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5}
	// scoreBounds resolve both 0–1 scores (tenths) and 1–5 or 1–10 rating scales.
	scoreBounds = []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 2, 3, 4, 5, 10}
)

// metricDef is the identity of one emitted metric.
type metricDef struct {
	name, unit, description string
	histogram               bool
	// bounds of a histogram; asInt for a sum of integers.
	bounds []float64
	asInt  bool
}

var (
	defTokenUsage = metricDef{name: genai.MetricClientTokenUsage, unit: "{token}", histogram: true, bounds: tokenBounds,
		description: "Number of input and output tokens used."}
	defOperationDuration = metricDef{name: genai.MetricClientOperationDuration, unit: "s", histogram: true, bounds: durationBounds,
		description: "GenAI operation duration."}
	defTimeToFirstToken = metricDef{name: genai.MetricServerTimeToFirstToken, unit: "s", histogram: true, bounds: ttftBounds,
		description: "Time to generate first token for successful responses."}
	defTimePerOutputToken = metricDef{name: genai.MetricServerTimePerOutputTok, unit: "s", histogram: true, bounds: tpotBounds,
		description: "Time per output token generated after the first token for successful responses."}
	defCost = metricDef{name: genai.MetricCost, unit: "{USD}",
		description: "Cost of GenAI model calls in US dollars, as priced by the llm processor."}
	defRequests = metricDef{name: genai.MetricRequests, unit: "{request}", asInt: true,
		description: "GenAI operations, failed ones included."}
	defErrors = metricDef{name: genai.MetricErrors, unit: "{request}", asInt: true,
		description: "Failed GenAI operations, by error.type."}
	defTokens = metricDef{name: genai.MetricTokens, unit: "{token}", asInt: true,
		description: "Tokens by type; cache_read and cache_write are part of input, reasoning is part of output."}
	defToolCalls = metricDef{name: genai.MetricToolCalls, unit: "{call}", asInt: true,
		description: "Tool executions, by tool name and status."}
	defToolDuration = metricDef{name: genai.MetricToolDuration, unit: "s", histogram: true, bounds: durationBounds,
		description: "Tool execution duration."}
	defAgentInvocations = metricDef{name: genai.MetricAgentInvocations, unit: "{invocation}", asInt: true,
		description: "Agent and workflow invocations, by name and status."}
	defAgentDuration = metricDef{name: genai.MetricAgentDuration, unit: "s", histogram: true, bounds: durationBounds,
		description: "Agent and workflow invocation duration."}
	defGraphRequests = metricDef{name: genai.MetricGraphRequests, unit: "{request}", asInt: true,
		description: "Requests over a dependency edge (agent to tool, agent to model, service to provider)."}
	defGraphFailed = metricDef{name: genai.MetricGraphRequestsFailed, unit: "{request}", asInt: true,
		description: "Failed requests over a dependency edge."}
	defGraphServer = metricDef{name: genai.MetricGraphRequestServer, unit: "s", histogram: true, bounds: durationBounds,
		description: "Duration of requests over a dependency edge, measured on the callee span."}
	defEvaluationScore = metricDef{name: genai.MetricEvaluationScore, unit: "{score}", histogram: true, bounds: scoreBounds,
		description: "Quality scores from gen_ai.evaluation.result events and evaluation attributes, by evaluation name."}
	defEvaluationResults = metricDef{name: genai.MetricEvaluationResults, unit: "{result}", asInt: true,
		description: "Evaluation results, with or without a score, by evaluation name and label."}
	defRedactionFindings = metricDef{name: genai.MetricRedactionFindings, unit: "{finding}", asInt: true,
		description: "PII and secret findings redacted by the llm processor, by entity type."}
)

// tokenTypes index callSeries.tokens.
var tokenTypes = [...]string{genai.TokenTypeInput, genai.TokenTypeOutput, genai.TokenTypeCacheRead, genai.TokenTypeCacheWrite, genai.TokenTypeReasoning}

const (
	tokenInput = iota
	tokenOutput
	tokenCacheRead
	tokenCacheWrite
	tokenReasoning
)
