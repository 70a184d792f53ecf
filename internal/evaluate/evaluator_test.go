package evaluate

import (
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// TestStats checks the counts the processor turns into internal metrics, summed over a
// batch with Add.
func TestStats(t *testing.T) {
	e, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	spans := []func(ptrace.Span){
		func(s ptrace.Span) { // passes
			s.Attributes().PutEmptySlice(genai.ResponseFinishReasons).AppendEmpty().SetStr("stop")
		},
		func(s ptrace.Span) { // truncated
			s.Attributes().PutEmptySlice(genai.ResponseFinishReasons).AppendEmpty().SetStr("length")
		},
		func(s ptrace.Span) { // unreadable messages, failed call
			s.Attributes().PutStr(genai.OutputMessages, "[{")
			s.Attributes().PutStr(genai.ErrorType, "Timeout")
		},
		func(s ptrace.Span) { // a tool span: not evaluated
			s.Attributes().PutStr(genai.OperationName, genai.OpExecuteTool)
			s.Attributes().PutStr(genai.ErrorType, "x")
		},
	}
	var total Stats // accumulated over the batch, as the processor does
	var p Pending
	for _, fill := range spans {
		s := ptrace.NewSpan()
		s.Attributes().PutStr(genai.OperationName, genai.OpChat)
		fill(s)
		e.Evaluate(s, &p, &total)
	}
	e.Write(&p)
	if total.Spans != 3 || total.AlreadyEvaluated != 0 {
		t.Errorf("spans %d, already evaluated %d; want 3 and 0", total.Spans, total.AlreadyEvaluated)
	}
	type counts struct{ results, failures int }
	got := map[string]counts{}
	total.Results(func(name string, results, failures int) { got[name] = counts{results, failures} })
	want := map[string]counts{
		genai.EvaluatorError:         {3, 1},
		genai.EvaluatorTruncation:    {2, 1},
		genai.EvaluatorContentFilter: {2, 0},
		genai.EvaluationQuality:      {3, 2},
	}
	if len(got) != len(want) {
		t.Errorf("results %v, want %v", got, want)
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %+v, want %+v", name, got[name], w)
		}
	}
	malformed := map[string]int{}
	total.Malformed(func(attribute string, n int) { malformed[attribute] = n })
	if len(malformed) != 1 || malformed[genai.OutputMessages] != 1 {
		t.Errorf("malformed %v, want one %s", malformed, genai.OutputMessages)
	}
}

// TestConcurrentUse runs one Evaluator from several goroutines, as pipelines do (run with
// -race): the scratch state and the schema cache are shared.
func TestConcurrentUse(t *testing.T) {
	e, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				kind := []string{"chat", "tool_call", "json", "refusal"}[(g+i)%4]
				span := benchSpan(kind)
				want := 0
				if kind == "refusal" {
					want = 1
				}
				if st := e.Span(span); st.Spans != 1 || span.Events().Len() != want {
					t.Errorf("%s: %d spans, %d events", kind, st.Spans, span.Events().Len())
					return
				}
			}
		})
	}
	wg.Wait()
}
