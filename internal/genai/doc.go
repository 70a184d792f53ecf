// Package genai is the shared vocabulary of otelcol-llm: the OpenTelemetry GenAI
// semantic-convention names (v1.41, the last stable GenAI release), the names in our own
// namespace, the message JSON model, and a typed read-only view of one GenAI call.
//
// Every component reads and writes GenAI data through this package so that a name is
// spelled once in the repository.
package genai
