package pii

import (
	"syscall"
	"testing"
	"time"

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
	start := cpuTime()
	for b.Loop() {
		for _, t := range texts {
			buf = s.Scan(t, buf[:0])
		}
	}
	b.ReportMetric(float64(size)*float64(b.N)/(cpuTime()-start).Seconds()/1e6, "cpu-MB/s")
}

// cpuTime is the CPU time this process has used: on a shared machine it measures the
// scan where wall time measures the neighbours too.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
