package redact

import "github.com/otelcol-llm/otelcol-llm/internal/pii"

// Stats describes what one call did; the processor turns it into internal metrics.
// It never holds a value.
type Stats struct {
	// Findings counts sensitive values per entity type (built-in, SECRET, custom
	// detector names, and key_actions labels such as USER_ID).
	Findings map[pii.Entity]int
	// ValuesScanned and BytesScanned count the string values examined.
	ValuesScanned int
	BytesScanned  int64
	// ValuesChanged counts values rewritten (redacted, masked, hashed, truncated).
	ValuesChanged int
	// AttributesDropped counts attributes removed by the drop action.
	AttributesDropped int
	// FailedClosed counts values replaced by <UNPROCESSED> (invalid UTF-8, too large,
	// too deep, over the time budget) with fail_closed on.
	FailedClosed int
	// Unprocessed counts such values passed on unchanged with fail_closed off.
	Unprocessed int
	// OverBudget counts values that exceeded limits.time_budget (also counted in
	// FailedClosed or Unprocessed).
	OverBudget int
	// MalformedJSON counts values that looked like JSON but did not parse; they are
	// scanned as text.
	MalformedJSON int
	// ScanCacheHits counts texts (attribute values and JSON string leaves of at least
	// 64 bytes) not scanned because the scan cache remembered what the detectors found
	// in the same bytes before (nothing, or findings' positions and types);
	// ScanCacheMisses counts such texts scanned. Both stay 0 with the cache off.
	ScanCacheHits   int
	ScanCacheMisses int
}

// Add accumulates o into s.
func (s *Stats) Add(o Stats) {
	for e, n := range o.Findings {
		if s.Findings == nil {
			s.Findings = map[pii.Entity]int{}
		}
		s.Findings[e] += n
	}
	s.ValuesScanned += o.ValuesScanned
	s.BytesScanned += o.BytesScanned
	s.ValuesChanged += o.ValuesChanged
	s.AttributesDropped += o.AttributesDropped
	s.FailedClosed += o.FailedClosed
	s.Unprocessed += o.Unprocessed
	s.OverBudget += o.OverBudget
	s.MalformedJSON += o.MalformedJSON
	s.ScanCacheHits += o.ScanCacheHits
	s.ScanCacheMisses += o.ScanCacheMisses
}

// TotalFindings is the number of sensitive values found.
func (s Stats) TotalFindings() int {
	t := 0
	for _, n := range s.Findings {
		t += n
	}
	return t
}
