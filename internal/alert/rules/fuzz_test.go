package rules

import "testing"

// FuzzParseFile feeds arbitrary rules files: decoding and validation never panic.
func FuzzParseFile(f *testing.F) {
	f.Add([]byte("rules:\n  - alert: A\n    expr: sum(rate(otelcol_llm.errors[5m])) > 1\n    for: 5m\n    severity: critical\n"))
	f.Add([]byte("rules:\n  - alert: S\n    kind: slo\n    slo: {objective: 0.99, errors: 'sum(increase(e[$window]))', total: 'sum(increase(t[$window]))'}\n"))
	f.Add([]byte("rules:\n  - alert: N\n    kind: anomaly\n    expr: x\n    severity: info\n    anomaly: {method: zscore, k: -1}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfgs, err := ParseFile(b)
		if err != nil {
			return
		}
		for _, c := range cfgs {
			if c.Validate(Catalog) == nil {
				if _, err := Compile(c, Catalog); err != nil {
					t.Fatalf("valid rule does not compile: %+v: %v", c, err)
				}
			}
		}
	})
}
