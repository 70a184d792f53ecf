// Package evaluate holds the built-in evaluators of the llm processor: deterministic,
// cheap checks of every model call (error or timeout, truncation, content filter, refusal,
// empty output, invalid JSON output, bad tool-call arguments, output over budget, and
// checks defined in configuration), each written as a gen_ai.evaluation.result span event
// with a 0–1 score, plus a combined score "quality" that alert rules watch, written as
// span attributes (genai.QualityScore, genai.QualityFailing) as cost is.
//
// It runs on normalized spans, after enrichment and before redaction, so it reads the
// output as the model wrote it. Results never quote that output: an explanation says what
// failed, never what was written.
//
//	e, err := evaluate.New(cfg) // cfg starts from evaluate.DefaultConfig()
//	st := e.Span(span)          // writes the results; never panics on bad input
//
// See docs/quality.md for the evaluators, scores, labels and configuration.
package evaluate
