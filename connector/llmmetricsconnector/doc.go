// Package llmmetricsconnector derives GenAI metrics (semantic-convention histograms, cost,
// requests, errors, tokens, tools, agents, dependency edges, quality and redaction
// findings) from spans normalized and priced by the llm processor.
//
// The connector is wiring: the aggregation lives in internal/aggregator, over the
// building blocks of internal/aggregate.
package llmmetricsconnector
