package redact

import "testing"

// TestContentPolicyIsIdempotent: a sidecar and a gateway often both run the llm processor,
// so applying a content policy to its own output must change nothing.
func TestContentPolicyIsIdempotent(t *testing.T) {
	texts := []string{"", "short", "What is on invoice 1043?", "héllo wörld, a longer text with accents"}
	policies := map[string]policy{"none": policyNone, "truncate:5": {truncate: 5}, "full": policyFull}
	for name, p := range policies {
		for _, text := range texts {
			once := applyPolicy(text, p)
			if twice := applyPolicy(once, p); twice != once {
				t.Errorf("%s on %q: first pass %q, second pass %q", name, text, once, twice)
			}
		}
	}
	if got := applyPolicy("What is on invoice 1043?", policyNone); got != "<OMITTED:24>" {
		t.Errorf("none policy wrote %q, want the original length <OMITTED:24>", got)
	}
	for _, s := range []string{"<OMITTED:>", "<OMITTED:12", "<OMITTED:1x>", "x<OMITTED:3>"} {
		if isOmission(s) {
			t.Errorf("%q taken for a placeholder", s)
		}
	}
}
