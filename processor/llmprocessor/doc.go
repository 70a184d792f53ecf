// Package llmprocessor implements the `llm` processor: it normalizes every known GenAI
// telemetry convention to the OpenTelemetry GenAI semantic conventions v1.41, prices each
// model call, derives throughput, and redacts PII and secrets last, so that no later
// component or exporter sees raw PII.
//
// The processor is wiring only: the stages live in internal/normalize, internal/pricing and
// internal/redact.
package llmprocessor
