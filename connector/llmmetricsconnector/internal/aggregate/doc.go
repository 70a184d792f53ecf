// Package aggregate holds the allocation-free building blocks of a metrics aggregator:
// explicit-bucket histograms, sums, exemplar reservoirs, attribute keys encoded into map
// keys, and a series table with a cardinality limit, an overflow series and idle expiry.
//
// It knows nothing about GenAI: the aggregator package decides what to record.
package aggregate
