package main

import (
	"os"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/pii"
)

// TestCorpusIsRealisticChat: every request decodes as OTLP, every span is a v1.41 chat
// call with a few KB of messages, and exactly the spans meant to carry PII or a
// secret (one in five) hold something the detectors find.
func TestCorpusIsRealisticChat(t *testing.T) {
	c, err := buildCorpus(6, 50, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.contentBytes < 1500 || c.piiShare != 0.2 {
		t.Fatalf("content %d bytes per span, PII share %.2f: want a few KB and 0.2", c.contentBytes, c.piiShare)
	}
	scanner := pii.NewScanner(nil, nil)
	spans, withFindings := 0, 0
	for _, body := range c.bodies {
		req := ptraceotlp.NewExportRequest()
		if err := req.UnmarshalProto(body); err != nil {
			t.Fatal(err)
		}
		ss := req.Traces().ResourceSpans().At(0).ScopeSpans().At(0).Spans()
		for i := 0; i < ss.Len(); i++ {
			a := ss.At(i).Attributes()
			if genai.Str(a, genai.OperationName) != genai.OpChat || genai.Str(a, genai.RequestModel) == "" {
				t.Fatalf("span %d is not a chat call: %v", spans, a.AsRaw())
			}
			msgs, err := genai.ParseMessages(genai.Str(a, genai.InputMessages))
			if err != nil || len(msgs) < 4 {
				t.Fatalf("span %d input messages: %v (%d messages)", spans, err, len(msgs))
			}
			found := false
			for _, m := range msgs {
				for _, p := range m.Parts {
					found = found || len(scanner.Scan(p.Content, nil)) > 0
				}
			}
			if found {
				withFindings++
			}
			if found != (spans%5 == 0) {
				t.Errorf("span %d: PII found %v, want it in every fifth span only", spans, found)
			}
			spans++
		}
	}
	if spans != 300 || withFindings != 60 {
		t.Fatalf("%d spans, %d with findings", spans, withFindings)
	}
}

// TestProcReadsThisProcess reads the CPU time and memory of the test process itself and
// checks the CPU time against getrusage, which measures the same thing another way.
func TestProcReadsThisProcess(t *testing.T) {
	pid := os.Getpid()
	rusage := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			t.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	before, err := cpuTime(pid)
	if err != nil {
		t.Fatal(err)
	}
	start := rusage()
	for rusage()-start < 300*time.Millisecond { // busy: 300ms of CPU, however long that takes
	}
	after, err := cpuTime(pid)
	if err != nil {
		t.Fatal(err)
	}
	if d := after - before; d < 250*time.Millisecond || d > 600*time.Millisecond {
		t.Errorf("300ms of CPU by getrusage counted as %s from /proc", d)
	}
	rss, peak, err := memory(pid)
	if err != nil {
		t.Fatal(err)
	}
	if rss < 1<<20 || peak < rss {
		t.Errorf("RSS %d, peak %d", rss, peak)
	}
	if _, err := cpuTime(1 << 30); err == nil {
		t.Error("no error for a process that does not exist")
	}
}
