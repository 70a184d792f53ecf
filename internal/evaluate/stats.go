package evaluate

// Stats counts what one or more evaluations did, for the processor's internal metrics.
// It is a fixed-size value: returning it allocates nothing.
type Stats struct {
	// Spans is the number of spans evaluated.
	Spans int
	// AlreadyEvaluated counts spans left alone because they carry built-in results already.
	AlreadyEvaluated int

	names     []string // by evaluator id; shared and read-only
	results   [maxEvaluators]int32
	failures  [maxEvaluators]int32
	malformed [numInputs]int32
}

// Results calls fn for each evaluator (the combined score "quality" included) that
// produced results: their number, and how many scored below 1.
func (s *Stats) Results(fn func(evaluator string, results, failures int)) {
	for id, n := range s.results {
		if n > 0 {
			fn(s.names[id], int(n), int(s.failures[id]))
		}
	}
}

// Malformed calls fn for each input that could not be read, with the name of the
// attribute that holds it (gen_ai.output.messages, gen_ai.response.finish_reasons,
// gen_ai.tool.definitions, gen_ai.usage.output_tokens) and the number of spans.
func (s *Stats) Malformed(fn func(attribute string, spans int)) {
	for i, n := range s.malformed {
		if n > 0 {
			fn(inputNames[i], int(n))
		}
	}
}
