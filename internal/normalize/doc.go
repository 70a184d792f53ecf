// Package normalize rewrites GenAI telemetry of any known convention into the
// OpenTelemetry GenAI semantic conventions v1.41: older semconv (≤1.36 attributes and
// message events), OpenInference, OpenLLMetry (legacy and ≥0.55), the Vercel AI SDK
// (v4–v7), Langfuse attributes and the official JS OpenAI instrumentation. One file per
// source convention; README.md lists every mapping.
//
// Usage, from the llm processor:
//
//	n, err := normalize.New(cfg)      // cfg: normalize.DefaultConfig(), then the user's options
//	r := n.Span(span)                 // per span, events included
//	r := n.Logs(ld)                   // per batch of logs: folds legacy message events
//	for src := range r.Sources.All() { spansNormalized.Add(ctx, int64(r.Count(src)), src.String()) }
//	normalizationErrors.Add(ctx, int64(r.Errors))
//
// Guarantees:
//   - Targets are only set when absent, so what a span already says in v1.41 wins, and a
//     second pass over a normalized span changes nothing (idempotence).
//   - Malformed values (wrong types, broken JSON, negative or absurd token counts) are
//     left as they were and counted in Result.Errors and otelcol_llm.normalization.errors;
//     a message list with any broken entry is not mapped at all. Nothing panics.
//   - Spans that were changed carry otelcol_llm.normalized_from, the list of conventions
//     recognised.
//   - The cost of a span without GenAI attributes is one scan of its keys.
//
// A Normalizer holds no per-call state and is safe for concurrent use.
package normalize
