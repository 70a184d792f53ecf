package genai

// GenAI semantic conventions v1.41 attribute names.
const (
	OperationName = "gen_ai.operation.name"
	ProviderName  = "gen_ai.provider.name"

	RequestModel            = "gen_ai.request.model"
	RequestMaxTokens        = "gen_ai.request.max_tokens"
	RequestChoiceCount      = "gen_ai.request.choice.count"
	RequestSeed             = "gen_ai.request.seed"
	RequestTemperature      = "gen_ai.request.temperature"
	RequestTopP             = "gen_ai.request.top_p"
	RequestTopK             = "gen_ai.request.top_k"
	RequestFrequencyPenalty = "gen_ai.request.frequency_penalty"
	RequestPresencePenalty  = "gen_ai.request.presence_penalty"
	RequestStopSequences    = "gen_ai.request.stop_sequences"
	RequestEncodingFormats  = "gen_ai.request.encoding_formats"
	RequestStream           = "gen_ai.request.stream"
	OutputType              = "gen_ai.output.type"

	ResponseID               = "gen_ai.response.id"
	ResponseModel            = "gen_ai.response.model"
	ResponseFinishReasons    = "gen_ai.response.finish_reasons"
	ResponseTimeToFirstChunk = "gen_ai.response.time_to_first_chunk"

	UsageInputTokens          = "gen_ai.usage.input_tokens"
	UsageOutputTokens         = "gen_ai.usage.output_tokens"
	UsageCacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens"
	// UsageCacheCreationInputTokens is renamed cache_write in the development conventions;
	// v1.41 is our output baseline.
	UsageCacheCreationInputTokens = "gen_ai.usage.cache_creation.input_tokens"
	UsageReasoningOutputTokens    = "gen_ai.usage.reasoning.output_tokens"

	TokenType = "gen_ai.token.type"

	ConversationID = "gen_ai.conversation.id"

	AgentID          = "gen_ai.agent.id"
	AgentName        = "gen_ai.agent.name"
	AgentDescription = "gen_ai.agent.description"
	AgentVersion     = "gen_ai.agent.version"
	WorkflowName     = "gen_ai.workflow.name"
	DataSourceID     = "gen_ai.data_source.id"

	ToolName          = "gen_ai.tool.name"
	ToolCallID        = "gen_ai.tool.call.id"
	ToolDescription   = "gen_ai.tool.description"
	ToolType          = "gen_ai.tool.type"
	ToolCallArguments = "gen_ai.tool.call.arguments"
	ToolCallResult    = "gen_ai.tool.call.result"
	ToolDefinitions   = "gen_ai.tool.definitions"

	SystemInstructions = "gen_ai.system_instructions"
	InputMessages      = "gen_ai.input.messages"
	OutputMessages     = "gen_ai.output.messages"

	EmbeddingsDimensionCount = "gen_ai.embeddings.dimension.count"
	RetrievalDocuments       = "gen_ai.retrieval.documents"
	RetrievalQueryText       = "gen_ai.retrieval.query.text"
	PromptName               = "gen_ai.prompt.name"

	EvaluationName        = "gen_ai.evaluation.name"
	EvaluationScoreValue  = "gen_ai.evaluation.score.value"
	EvaluationScoreLabel  = "gen_ai.evaluation.score.label"
	EvaluationExplanation = "gen_ai.evaluation.explanation"

	OpenAIRequestServiceTier        = "openai.request.service_tier"
	OpenAIResponseServiceTier       = "openai.response.service_tier"
	OpenAIResponseSystemFingerprint = "openai.response.system_fingerprint"
)

// Core semantic-convention attributes that GenAI spans carry.
const (
	ServerAddress = "server.address"
	ServerPort    = "server.port"
	ErrorType     = "error.type"
	UserID        = "user.id"
	SessionID     = "session.id"
	ServiceName   = "service.name"
	EventName     = "event.name"
)

// Event names (log records with an event name, or span events).
const (
	EventInferenceOperationDetails = "gen_ai.client.inference.operation.details"
	EventEvaluationResult          = "gen_ai.evaluation.result"
	EventOperationException        = "gen_ai.client.operation.exception"
)

// Names in otelcol-llm's own namespace. Semconv has no cost, pricing or redaction
// attributes; keeping ours under one prefix means they never collide with a future
// semconv name and are easy to drop with one rule.
const (
	Namespace = "otelcol_llm."

	// Cost of the call in USD. Total is the sum of the per-kind figures.
	CostTotal      = "otelcol_llm.cost.total"
	CostInput      = "otelcol_llm.cost.input"
	CostOutput     = "otelcol_llm.cost.output"
	CostCacheRead  = "otelcol_llm.cost.cache_read"
	CostCacheWrite = "otelcol_llm.cost.cache_write"
	CostReasoning  = "otelcol_llm.cost.reasoning"

	// PricingModel is the catalog entry a call was priced with; PricingCatalog names the
	// catalog version, so a cost can be traced back to the prices used.
	PricingModel   = "otelcol_llm.pricing.model"
	PricingCatalog = "otelcol_llm.pricing.catalog"
	// Unpriced is true on a GenAI call that has usage but no price: never a silent zero.
	Unpriced = "otelcol_llm.unpriced"

	OutputTokensPerSecond = "otelcol_llm.output_tokens_per_second"

	// NormalizedFrom lists the source conventions the normalizer recognised on a span.
	NormalizedFrom = "otelcol_llm.normalized_from"
	// NormalizationErrors counts values that could not be converted on this span.
	NormalizationErrors = "otelcol_llm.normalization.errors"

	// RedactionSummary is a JSON object of finding counts per entity type (never values).
	RedactionSummary = "otelcol_llm.redaction.summary"
)
