// Package aggregator turns normalized, priced GenAI spans into metrics: the GenAI
// semantic-convention histograms, and otelcol-llm's own cost, request, error, token, tool,
// agent, dependency-edge, quality and redaction metrics.
//
// Spans are grouped into metric families; each family is one aggregate.Table, so one map
// lookup per span updates every metric of the family, and each family has its own
// cardinality limit. The aggregator is not safe for concurrent use.
package aggregator
