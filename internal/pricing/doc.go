// Package pricing turns the token usage of one GenAI call into its cost in USD.
//
// It holds three things: a price catalog (the embedded catalog.json that otelcol-llm
// maintains, plus price files in the pydantic genai-prices or LiteLLM formats, plus inline
// overrides from the collector config), a model-name matcher that maps the many spellings of
// a model seen on spans (dated snapshots, provider prefixes, Bedrock and Vertex ids, Azure
// deployment names) onto one catalog entry, and the cost arithmetic per token kind.
//
// A Pricer is safe for concurrent use. The catalog it prices with is an immutable snapshot
// swapped atomically when a price file changes, so a reload never blocks or tears a lookup.
package pricing
