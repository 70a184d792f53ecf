package llmstoreexporter

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-llm/otelcol-llm/internal/cputime"
	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
	"github.com/otelcol-llm/otelcol-llm/processor/llmprocessor"
)

// BenchmarkPipeline measures ingestion through the whole pipeline a newcomer runs: OTLP
// requests of ~100 spans (what an SDK's batch span processor sends) are decoded as the
// OTLP receiver does, run through the llm processor with its defaults (normalization,
// pricing, redaction) by 4 concurrent senders, and written by the llmstore exporter with
// its defaults (sending queue, batching) into the extension's database. The clock stops
// once every span is stored. One iteration is one request; run with -benchtime=400x.
//
// LLMSTORE_BENCH_INTO=<file> writes into that database instead of a new one (for example
// a copy of internal/store's 1M-span query data set), and LLMSTORE_BENCH_RANDOM_IDS=1 gives
// the traces random ids as SDKs do; the generator's count up, which makes every insert into
// an index keyed by trace id an append.
func BenchmarkPipeline(b *testing.B) {
	path := os.Getenv("LLMSTORE_BENCH_INTO")
	if path == "" {
		path = filepath.Join(b.TempDir(), "llm.db")
	}
	h, _, _ := startStoreAt(b, path)
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	ef := NewFactory()
	exp, err := ef.CreateTraces(ctx, exportertest.NewNopSettings(ef.Type()), ef.CreateDefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	pf := llmprocessor.NewFactory()
	proc, err := pf.CreateTraces(ctx, processortest.NewNopSettings(pf.Type()), pf.CreateDefaultConfig(), exp)
	if err != nil {
		b.Fatal(err)
	}
	if err := exp.Start(ctx, h); err != nil {
		b.Fatal(err)
	}
	if err := proc.Start(ctx, h); err != nil {
		b.Fatal(err)
	}

	// Distinct traces for every request, encoded before the clock starts.
	n := b.N
	var requests [][]byte
	spans := 0
	err = storegen.Generate(storegen.Options{Seed: 11, Start: time.Now().Add(-time.Hour), Period: time.Hour, Traces: n * 28, Users: 200, Sessions: 2000,
		RandomIDs: os.Getenv("LLMSTORE_BENCH_RANDOM_IDS") == "1"}, 28,
		func(td ptrace.Traces) error {
			spans += td.SpanCount()
			body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
			requests = append(requests, body)
			return err
		})
	if err != nil {
		b.Fatal(err)
	}
	var before int64 // spans already stored
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM spans").Scan(&before); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	b.SetParallelism(2) // 4 senders on 2 cores
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu := time.Now(), cputime.Process()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := ptraceotlp.NewExportRequest()
			if err := req.UnmarshalProto(requests[next.Add(1)-1]); err != nil {
				b.Error(err)
				return
			}
			if err := proc.ConsumeTraces(ctx, req.Traces()); err != nil {
				b.Error(err)
				return
			}
		}
	})
	progress, last := time.Now(), int64(0)
	for stored := int64(0); stored-before < int64(spans); time.Sleep(10 * time.Millisecond) {
		// Spans are only inserted here, so the largest row id grows by their count, read in O(1).
		if err := db.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM spans").Scan(&stored); err != nil {
			b.Fatal(err)
		}
		if stored != last {
			progress, last = time.Now(), stored
		} else if time.Since(progress) > 30*time.Second {
			// The exporter's queue (its default size) was full and refused requests: fewer
			// requests, or a larger queue, measure what this one cannot.
			b.Fatalf("%d of %d spans stored and no more for 30 s: the exporter dropped the rest", stored-before, spans)
		}
	}
	wall, used := time.Since(start), cputime.Process()-cpu
	b.StopTimer()
	b.ReportMetric(float64(spans)/wall.Seconds(), "spans/s")
	b.ReportMetric(float64(used)/float64(time.Microsecond)/float64(spans), "cpu-µs/span")
	_ = proc.Shutdown(ctx)
	_ = exp.Shutdown(ctx)
}
