package aggregator

// Family is a group of metrics that share one attribute set and one cardinality limit.
type Family int

const (
	FamilyCalls Family = iota
	FamilyTools
	FamilyAgents
	FamilyEdges
	FamilyEvaluations
	FamilyRedactions
	FamilyCount
)

var familyNames = [FamilyCount]string{"calls", "tools", "agents", "edges", "evaluations", "redactions"}

func (f Family) String() string { return familyNames[f] }

// Invalid names a span value that was present but unusable, so it produced no point.
type Invalid int

const (
	InvalidDuration         Invalid = iota // end before start
	InvalidUsage                           // token count that is not a non-negative integer
	InvalidCost                            // cost that is not a non-negative number
	InvalidTimeToFirstChunk                // not a non-negative number of seconds
	InvalidEvaluationScore                 // not a number
	InvalidRedactionSummary                // not a JSON object of non-negative integer counts
	InvalidCount
)

var invalidNames = [InvalidCount]string{"duration", "usage", "cost", "time_to_first_chunk", "evaluation_score", "redaction_summary"}

func (i Invalid) String() string { return invalidNames[i] }

// Stats counts what one Consume did, for the connector's internal telemetry.
type Stats struct {
	// Spans that contributed to at least one metric.
	Spans int64
	// Ignored spans carry no GenAI data.
	Ignored  int64
	Invalid  [InvalidCount]int64
	Overflow [FamilyCount]int64
}

// Add adds o to st.
func (st *Stats) Add(o Stats) {
	st.Spans += o.Spans
	st.Ignored += o.Ignored
	for i := range st.Invalid {
		st.Invalid[i] += o.Invalid[i]
	}
	for i := range st.Overflow {
		st.Overflow[i] += o.Overflow[i]
	}
}
