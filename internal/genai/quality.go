package genai

// How consumers read the combined score (QualityScore, QualityFailing) as the result
// EvaluationQuality, the form older releases of the llm processor wrote as an event: so
// metrics, stored results and alert rules see one result whichever form a span carries.
const (
	// EvaluationSourceBuiltin is the otelcol_llm.evaluation.source of the llm processor's
	// built-in evaluators.
	EvaluationSourceBuiltin = "builtin"

	QualityLabelPass = "pass" // the combined score is 1: no evaluator failed
	QualityLabelFail = "fail" // the combined score is below 1
)

// QualityLabel is the label of a combined score.
func QualityLabel(score float64) string {
	if score == 1 {
		return QualityLabelPass
	}
	return QualityLabelFail
}

// QualityExplanation is the explanation of a combined score: the evaluators that lowered
// it, "" when none did.
func QualityExplanation(failing string) string {
	if failing == "" {
		return ""
	}
	return "failing: " + failing
}
