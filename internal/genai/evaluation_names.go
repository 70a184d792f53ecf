package genai

// Names of the built-in evaluators of the llm processor. Each result is a
// gen_ai.evaluation.result event whose gen_ai.evaluation.name is one of these, with a score
// from 0 (bad) to 1 (good), so that every quality signal aggregates the same way.
const (
	EvaluatorTruncation        = "truncation"
	EvaluatorContentFilter     = "content_filter"
	EvaluatorRefusal           = "refusal"
	EvaluatorEmptyOutput       = "empty_output"
	EvaluatorJSONOutput        = "json_output"
	EvaluatorToolCallArguments = "tool_call_arguments"
	EvaluatorError             = "error"
	EvaluatorOutputLength      = "output_length"

	// EvaluationQuality is the combined per-call score: the one number the default
	// quality alert rule watches.
	EvaluationQuality = "quality"

	// EvaluationUserFeedback names scores that end users gave a call (thumbs, ratings).
	EvaluationUserFeedback = "user_feedback"
)

// Attributes of spans that exist only to carry evaluations of another span: results of the
// model-graded evaluator and user feedback, which arrive after the evaluated call.
const (
	// EvaluationSpanID is the hex span ID of the evaluated span; its trace is the carrier's.
	EvaluationSpanID = "otelcol_llm.evaluation.span_id"
	// EvaluationSource says who produced the evaluations: judge, feedback, or an evaluation
	// framework named by the normalizer (openinference, langfuse).
	EvaluationSource = "otelcol_llm.evaluation.source"
)

// Attributes of user feedback, on a span or log record that carries the trace and span ID
// of the call it rates (a log record's own IDs; a span's parent, or EvaluationSpanID).
const (
	FeedbackThumbs    = "otelcol_llm.feedback.thumbs"     // "up" or "down"
	FeedbackRating    = "otelcol_llm.feedback.rating"     // number, with FeedbackRatingMax
	FeedbackRatingMin = "otelcol_llm.feedback.rating_min" // default 1
	FeedbackRatingMax = "otelcol_llm.feedback.rating_max" // default 5
	FeedbackScore     = "otelcol_llm.feedback.score"      // already 0–1
	FeedbackComment   = "otelcol_llm.feedback.comment"
)

// The combined score of the built-in evaluators is written as span attributes, as cost
// is, not as an event: every call they evaluated carries it, so calls can be filtered
// and sorted by quality in any tracing backend, and a call that passes every check costs
// one attribute instead of an event. Consumers read it as the result EvaluationQuality
// (label "pass" at 1, "fail" below; explanation "failing: " and QualityFailing).
const (
	QualityScore   = "otelcol_llm.quality.score"   // double, 0–1
	QualityFailing = "otelcol_llm.quality.failing" // the failing evaluators, ", "-separated; absent when none failed
)
