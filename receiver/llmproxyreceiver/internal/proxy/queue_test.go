package proxy

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// blockingSink holds every ConsumeTraces call until released, as a pipeline that does
// not keep up would.
type blockingSink struct {
	consumertest.TracesSink
	release chan struct{}
}

func (s *blockingSink) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	<-s.release
	return s.TracesSink.ConsumeTraces(ctx, td)
}

// TestBackedUpPipeline: when the pipeline stops taking spans, clients are still served
// at once; the spans that do not fit in the queue are dropped and counted, and every
// call is either emitted or counted as dropped.
func TestBackedUpPipeline(t *testing.T) {
	mock := startMock(t)
	hs := newHarness(t, mock.URL, true)
	sink := &blockingSink{release: make(chan struct{})}
	var dropped atomic.Int64
	hs.h.opts.Next = sink
	hs.h.opts.OnDrop = func() { dropped.Add(1) }
	hs.h.spans.size = 4

	const calls = 20
	client := &http.Client{Timeout: 5 * time.Second}
	for i := range calls {
		resp, err := client.Post(hs.URL+"/v1/chat/completions", "application/json",
			strings.NewReader(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`))
		if err != nil {
			t.Fatalf("call %d waited on the pipeline: %v", i, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("call %d: HTTP %d", i, resp.StatusCode)
		}
	}
	if dropped.Load() == 0 {
		t.Error("no span was dropped although the queue holds 4 and the pipeline took none")
	}
	close(sink.release)
	if err := hs.h.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := int64(sink.SpanCount()) + dropped.Load(); got != calls {
		t.Errorf("%d spans emitted + %d dropped, want %d calls in all", sink.SpanCount(), dropped.Load(), calls)
	}
}
