package aggregator

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// chatBatch returns n chat spans, each with its own user.id attribute to be overwritten.
func chatBatch(n int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr(genai.ServiceName, "chatbot")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := range n {
		s := spans.AppendEmpty()
		s.SetTraceID(pcommon.TraceID{1, byte(i)})
		s.SetSpanID(pcommon.SpanID{2, byte(i)})
		s.SetStartTimestamp(at(1))
		s.SetEndTimestamp(at(2))
		a := s.Attributes()
		a.PutStr(genai.OperationName, genai.OpChat)
		a.PutStr(genai.ProviderName, genai.ProviderOpenAI)
		a.PutStr(genai.RequestModel, "gpt-4o-mini")
		a.PutInt(genai.UsageInputTokens, 10)
		a.PutInt(genai.UsageOutputTokens, 5)
		a.PutDouble(genai.CostTotal, 0.001)
		a.PutStr(genai.UserID, "")
	}
	return td
}

// One million distinct users with user.id as a dimension: the series stay at the limit,
// the overflow series carries every other call, nothing is lost, and memory stays flat.
func TestMillionUsersStayUnderLimit(t *testing.T) {
	const (
		users = 1_000_000
		limit = 5000 // the connector's default
		batch = 1000
	)
	agg := New(Config{
		SpanDimensions:     []string{genai.UserID},
		ResourceDimensions: []string{genai.ServiceName},
		CardinalityLimit:   limit,
		SeriesExpiration:   time.Hour,
	}, at(0))
	td := chatBatch(batch)
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	var overflowed int64
	for u := 0; u < users; u += batch {
		for i := range batch {
			spans.At(i).Attributes().PutStr(genai.UserID, "user-"+strconv.Itoa(u+i))
		}
		st := agg.Consume(td, at(10))
		overflowed += st.Overflow[FamilyCalls]
	}
	runtime.GC()
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	t.Logf("heap in use after %d users: %.1f MiB, %d series", users, float64(mem.HeapInuse)/(1<<20), agg.SeriesCount())

	assert.Equal(t, int64(users-limit), overflowed, "overflowed points counted")
	assert.Equal(t, limit+1, agg.calls.Len(), "call series: the limit plus the overflow series")
	assert.Less(t, mem.HeapInuse, uint64(64<<20), "heap must stay bounded")

	md, _ := agg.Flush(at(15))
	requests := findMetric(t, md, genai.MetricRequests).Sum().DataPoints()
	require.Equal(t, limit+1, requests.Len())
	var total, overflow int64
	for i := 0; i < requests.Len(); i++ {
		dp := requests.At(i)
		total += dp.IntValue()
		if v, ok := dp.Attributes().Get(genai.MetricOverflow); ok && v.Bool() {
			overflow = dp.IntValue()
			assert.Equal(t, 1, dp.Attributes().Len(), "the overflow series has no other attribute")
		}
	}
	assert.Equal(t, int64(users), total, "every call is counted once")
	assert.Equal(t, int64(users-limit), overflow)
	cost := findMetric(t, md, genai.MetricCost).Sum().DataPoints()
	var costTotal float64
	for i := 0; i < cost.Len(); i++ {
		costTotal += cost.At(i).DoubleValue()
	}
	assert.InDelta(t, users*0.001, costTotal, 1e-6)
}

// Cumulative points start when their series was created; delta points start at the
// previous flush, so consecutive delta points tile time.
func TestTimestamps(t *testing.T) {
	for _, delta := range []bool{false, true} {
		agg := New(Config{CardinalityLimit: 10, Delta: delta}, at(0))
		agg.Consume(chatBatch(1), at(10))
		md, _ := agg.Flush(at(15))
		dp := findMetric(t, md, genai.MetricRequests).Sum().DataPoints().At(0)
		assert.Equal(t, at(15), dp.Timestamp())
		if delta {
			assert.Equal(t, at(0), dp.StartTimestamp())
		} else {
			assert.Equal(t, at(10), dp.StartTimestamp())
		}
		agg.Consume(chatBatch(1), at(20))
		md, _ = agg.Flush(at(30))
		dp = findMetric(t, md, genai.MetricRequests).Sum().DataPoints().At(0)
		assert.Equal(t, at(30), dp.Timestamp())
		if delta {
			assert.Equal(t, at(15), dp.StartTimestamp())
			assert.Equal(t, int64(1), dp.IntValue())
		} else {
			assert.Equal(t, at(10), dp.StartTimestamp())
			assert.Equal(t, int64(2), dp.IntValue())
		}
	}
}

func findMetric(t *testing.T, md pmetric.Metrics, name string) pmetric.Metric {
	t.Helper()
	ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	for i := 0; i < ms.Len(); i++ {
		if ms.At(i).Name() == name {
			return ms.At(i)
		}
	}
	t.Fatalf("metric %s not emitted", name)
	return pmetric.Metric{}
}
