package expr

import "testing"

// FuzzParse feeds arbitrary rule expressions (rules files are user input): parsing never
// panics, and what parses prints to an expression that parses to the same text.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`histogram_quantile(0.99, sum by (gen_ai.request.model) (rate(gen_ai.client.operation.duration[5m]))) > 5`,
		`sum(rate(otelcol_llm.errors{error.type!="timeout"}[2m])) / sum(rate(otelcol_llm.requests[2m])) > 0.05`,
		`-x * 2 + avg_over_time(q{a=~"b.*"}[1h30m]) <= 0.8`,
		`count without (instance) (abs(x))`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			return
		}
		printed := n.String()
		n2, err := Parse(printed)
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, printed, err)
		}
		if n2.String() != printed {
			t.Fatalf("%q → %q → %q", s, printed, n2.String())
		}
	})
}
