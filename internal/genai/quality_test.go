package genai

import "testing"

// The combined score attributes read as the quality event older llm processors wrote.
func TestQualityResult(t *testing.T) {
	tests := []struct {
		score              float64
		failing            string
		label, explanation string
	}{
		{1, "", "pass", ""},
		{0.5, "truncation", "fail", "failing: truncation"},
		{0.35, "truncation, output_length", "fail", "failing: truncation, output_length"},
		{0, "error", "fail", "failing: error"},
	}
	for _, tt := range tests {
		if got := QualityLabel(tt.score); got != tt.label {
			t.Errorf("QualityLabel(%v) = %q, want %q", tt.score, got, tt.label)
		}
		if got := QualityExplanation(tt.failing); got != tt.explanation {
			t.Errorf("QualityExplanation(%q) = %q, want %q", tt.failing, got, tt.explanation)
		}
	}
}
