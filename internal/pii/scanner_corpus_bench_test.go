package pii

import (
	"testing"

	"github.com/otelcol-llm/otelcol-llm/internal/cputime"
	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/redact/chatcorpus"
)

// BenchmarkScanConversations runs the detectors alone on every distinct turn and system
// prompt of the redaction benchmarks' conversation corpus (chatcorpus), one in five
// user turns with PII: the prose, numbers and identifiers of real chat content, without
// the JSON around it.
func BenchmarkScanConversations(b *testing.B) {
	seen := map[string]bool{}
	var texts []string
	size := 0
	for _, c := range chatcorpus.Conversations(1, chatcorpus.Shape{Calls: 2000, MinTurns: 5, MaxTurns: 10, PIIShare: 0.2}) {
		for _, list := range []string{c.Input, c.Output} {
			stamped := chatcorpus.NewTemplate([]byte(list)).Stamp(nil, 1)
			msgs, err := genai.ParseMessages(string(stamped))
			if err != nil {
				b.Fatal(err)
			}
			for _, m := range msgs {
				for _, p := range m.Parts {
					if !seen[p.Content] {
						seen[p.Content] = true
						texts = append(texts, p.Content)
						size += len(p.Content)
					}
				}
			}
		}
	}
	s := NewScanner(nil, nil)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	var buf []Finding
	start := cputime.Process()
	for b.Loop() {
		for _, t := range texts {
			buf = s.Scan(t, buf[:0])
		}
	}
	b.ReportMetric(float64(size)*float64(b.N)/(cputime.Process()-start).Seconds()/1e6, "cpu-MB/s")
}
