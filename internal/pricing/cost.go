package pricing

import (
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Cost is the price of one call in USD, per token kind. Total is the sum of the kinds.
type Cost struct {
	Total, Input, CacheRead, CacheWrite, Output, Reasoning float64
	// Model is the ID of the catalog entry that priced the call.
	Model string
	// Catalog names the price source: the embedded catalog's version, a file, or "config".
	Catalog string
}

// Compute prices usage (with semconv meaning: Input includes cache reads and writes,
// Output includes reasoning) at the entry's prices. The tier is chosen by the call's
// total input tokens. Counts that do not add up (more cached than input, more reasoning
// than output) are not billed twice: the remainder is clamped at zero.
func (e *Entry) Compute(u genai.Usage) Cost {
	var now time.Time
	if len(e.Windows) > 0 {
		now = time.Now()
	}
	return e.ComputeAt(u, now)
}

// ComputeAt is Compute for a call made at a given time, which matters only for entries
// with time windows.
func (e *Entry) ComputeAt(u genai.Usage, at time.Time) Cost {
	p := e.pricesAt(u.Input, at)
	uncached := max(u.Input-u.CacheRead-u.CacheWrite, 0)
	visible := max(u.Output-u.Reasoning, 0)
	c := Cost{
		Input:      perMillion(uncached, p.Input),
		CacheRead:  perMillion(u.CacheRead, p.CacheRead),
		CacheWrite: perMillion(u.CacheWrite, p.CacheWrite),
		Output:     perMillion(visible, p.Output),
		Reasoning:  perMillion(u.Reasoning, p.Reasoning),
		Model:      e.ID,
		Catalog:    e.Catalog,
	}
	c.Total = c.Input + c.CacheRead + c.CacheWrite + c.Output + c.Reasoning
	return c
}

func perMillion(tokens int64, usdPerMillion float64) float64 {
	if tokens <= 0 {
		return 0
	}
	return float64(tokens) * usdPerMillion / 1e6
}
