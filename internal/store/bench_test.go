package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/cputime"
	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
)

// BenchmarkWriteTraces measures ingestion: batches of 222 generated traces (~780 spans),
// one transaction each, as the exporter writes them.
func BenchmarkWriteTraces(b *testing.B) { benchmarkWriteTraces(b, false) }

// BenchmarkWriteTracesEvaluated is BenchmarkWriteTraces with the evaluation results the
// llm processor writes by default on every model call.
func BenchmarkWriteTracesEvaluated(b *testing.B) { benchmarkWriteTraces(b, true) }

func benchmarkWriteTraces(b *testing.B, evaluated bool) {
	// LLMSTORE_BENCH_INTO names a database to write into instead of an empty one, e.g. a
	// copy of the query data set: ingestion into a store that is already full.
	path := os.Getenv("LLMSTORE_BENCH_INTO")
	into := path != ""
	if !into {
		path = filepath.Join(b.TempDir(), "ingest.db")
	}
	s := openBench(b, path)
	// LLMSTORE_BENCH_BATCH=N writes N generated batches per transaction: the exporter's
	// batches are 8k–16k spans, where every random-keyed index page a batch dirties is
	// shared by more of its inserts.
	per := 1
	if n, err := strconv.Atoi(os.Getenv("LLMSTORE_BENCH_BATCH")); err == nil && n > 0 {
		per = n
	}
	var batches []ptrace.Traces
	_ = storegen.Generate(storegen.Options{Seed: 7, Start: base, Period: time.Hour, Traces: 20 * per * 222, Users: 100, Sessions: 1000,
		Evaluations: evaluated}, 222*per,
		func(td ptrace.Traces) error { batches = append(batches, td); return nil })
	ctx := context.Background()
	b.ReportAllocs()
	spans, i := 0, 0
	var wall, cpu time.Duration
	for b.Loop() {
		// Fresh trace ids each round, or the store would skip them as duplicates.
		td := batches[i%len(batches)]
		if i >= len(batches) || into || os.Getenv("LLMSTORE_BENCH_RANDOM_IDS") == "1" { // the data set holds the generator's first ids
			td = reID(td, i/len(batches)+1)
		}
		w, c := time.Now(), cputime.Process()
		if err := s.WriteTraces(ctx, td); err != nil {
			b.Fatal(err)
		}
		cpu += cputime.Process() - c
		wall += time.Since(w)
		spans += td.SpanCount()
		i++
	}
	b.ReportMetric(float64(spans)/wall.Seconds(), "spans/s")
	// CPU per span is what the machine's load does not distort: spans/s on an idle core
	// is 1e6 divided by it. Both figures leave out the re-identification copy above.
	b.ReportMetric(float64(cpu)/float64(time.Microsecond)/float64(spans), "cpu-µs/span")
}

// BenchmarkWriteChatSpans measures ingestion of chat calls as bench/loadgen sends them
// through the collector (storegen.Chat: one span per random trace id, ~2 KB of
// conversation content each), in batches of 16,000 spans, the exporter's largest, one
// transaction each, after the data already stored (LLMSTORE_BENCH_INTO, as above).
func BenchmarkWriteChatSpans(b *testing.B) {
	path := os.Getenv("LLMSTORE_BENCH_INTO")
	if path == "" {
		path = filepath.Join(b.TempDir(), "ingest.db")
	}
	s := openBench(b, path)
	const batch = 16_000
	var batches []ptrace.Traces
	err := storegen.Chat(storegen.ChatOptions{Seed: uint64(time.Now().UnixNano()), Start: benchEnd, Gap: 50 * time.Microsecond,
		Calls: b.N * batch}, batch, func(td ptrace.Traces) error { batches = append(batches, td); return nil })
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	var wall, cpu time.Duration
	for _, td := range batches { // b.N of them: not b.Loop, which does not say how many first
		w, c := time.Now(), cputime.Process()
		if err := s.WriteTraces(ctx, td); err != nil {
			b.Fatal(err)
		}
		cpu += cputime.Process() - c
		wall += time.Since(w)
	}
	b.ReportMetric(float64(b.N*batch)/wall.Seconds(), "spans/s")
	b.ReportMetric(float64(cpu)/float64(time.Microsecond)/float64(b.N*batch), "cpu-µs/span")
}

// BenchmarkEncodeChatSpans is the part of BenchmarkWriteChatSpans done before the
// writer: turning spans into rows and JSON (a third of the store's CPU per chat span,
// most of it escaping message content into the content JSON).
func BenchmarkEncodeChatSpans(b *testing.B) {
	var batches []ptrace.Traces
	err := storegen.Chat(storegen.ChatOptions{Seed: 1, Start: benchEnd, Gap: 50 * time.Microsecond, Calls: 8 * 1000},
		1000, func(td ptrace.Traces) error { batches = append(batches, td); return nil })
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		encodeTraces(batches[i%len(batches)])
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/span")
}

// BenchmarkWriteTracesConcurrent writes from 4 goroutines, as the exporter's sending
// queue consumers do: encoding overlaps the single writer. Run with -benchtime=60x at
// most (the batches are distinct so that none is skipped as a duplicate).
func BenchmarkWriteTracesConcurrent(b *testing.B) {
	s := openBench(b, filepath.Join(b.TempDir(), "ingest.db"))
	var batches []ptrace.Traces
	_ = storegen.Generate(storegen.Options{Seed: 7, Start: base, Period: time.Hour, Traces: 60 * 222, Users: 100, Sessions: 1000}, 222,
		func(td ptrace.Traces) error { batches = append(batches, td); return nil })
	ctx := context.Background()
	var next, spans atomic.Int64
	b.SetParallelism(2) // 2 × GOMAXPROCS goroutines
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			if int(i) >= len(batches) {
				b.Fatalf("more than %d iterations: use -benchtime=%dx", len(batches), len(batches))
			}
			if err := s.WriteTraces(ctx, batches[i]); err != nil {
				b.Fatal(err)
			}
			spans.Add(int64(batches[i].SpanCount()))
		}
	})
	b.ReportMetric(float64(spans.Load())/time.Since(start).Seconds(), "spans/s")
}

// reID copies td with other trace ids: the round in the first bytes, or, with
// LLMSTORE_BENCH_RANDOM_IDS=1, ids as random as real ones (the generator's are sequential,
// which makes every id index insert an append), and new at every run, so that runs into
// the same database never resend a trace.
func reID(td ptrace.Traces, round int) ptrace.Traces {
	out := ptrace.NewTraces()
	td.CopyTo(out)
	random := os.Getenv("LLMSTORE_BENCH_RANDOM_IDS") == "1"
	for _, rs := range out.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				id := sp.TraceID()
				if random {
					h := sha256.Sum256(append(id[:], byte(round), byte(round>>8), runSalt[0], runSalt[1], runSalt[2], runSalt[3]))
					copy(id[:], h[:])
				} else {
					id[0] = byte(round)
					id[1] = byte(round >> 8)
				}
				sp.SetTraceID(id)
			}
		}
	}
	return out
}

var runSalt = func() (s [4]byte) {
	binary.LittleEndian.PutUint32(s[:], uint32(time.Now().UnixNano()))
	return s
}()

func openBench(b *testing.B, path string) *Store {
	s, err := Open(context.Background(), Options{Path: path})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// benchSpans is the size of the query benchmark data set; LLMSTORE_BENCH_SPANS overrides
// it. The data set is built once into the temp dir and reused by later runs.
func benchSpans() int {
	if n, err := strconv.Atoi(os.Getenv("LLMSTORE_BENCH_SPANS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// benchEnd is the end of the data set: 30 days of traffic (the default trace retention).
var benchEnd = base.Add(30 * day)

var buildOnce sync.Once

func querySet(b *testing.B) *Store {
	n := benchSpans()
	// The schema version is in the name: a file of an older schema is migrated by Open,
	// which is slow, and makes before/after comparisons impossible.
	path := filepath.Join(os.TempDir(), "llmstore-bench-v"+strconv.Itoa(SchemaVersion)+"-"+strconv.Itoa(n)+".db")
	buildOnce.Do(func() {
		if _, err := os.Stat(path); err == nil {
			return
		}
		s, err := Open(context.Background(), Options{Path: path + ".tmp"})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		traces := int(float64(n) / storegen.SpansPerTrace)
		err = storegen.Generate(storegen.Options{Seed: 42, Start: base, Period: 30 * day, Traces: traces, Users: 500, Sessions: 20000}, 500,
			func(td ptrace.Traces) error { return s.WriteTraces(context.Background(), td) })
		if err != nil {
			b.Fatal(err)
		}
		u, _ := s.Usage(context.Background())
		s.Close()
		b.Logf("built %d spans (%d traces) in %s, %d MiB", u.Rows["spans"], u.Rows["traces"], time.Since(start).Round(time.Millisecond), u.FileBytes>>20)
		if err := os.Rename(path+".tmp", path); err != nil {
			b.Fatal(err)
		}
	})
	return openBench(b, path)
}

// BenchmarkQueries runs the dashboard's queries over the data set; p50/p95 wall time
// and CPU time per query are reported in ms (on a shared machine, CPU time is what the
// query costs; wall time adds the wait for a core).
func BenchmarkQueries(b *testing.B) {
	s := querySet(b)
	ctx := context.Background()
	window := func(d time.Duration) Window { return Window{From: benchEnd.Add(-d), To: benchEnd} }
	for _, q := range []struct {
		name string
		run  func() error
	}{
		{"overview/1h", func() error { _, err := s.Overview(ctx, window(time.Hour), 0); return err }},
		{"overview/24h", func() error { _, err := s.Overview(ctx, window(day), 0); return err }},
		{"overview/7d", func() error { _, err := s.Overview(ctx, window(7*day), 0); return err }},
		{"overview/30d", func() error { _, err := s.Overview(ctx, window(30*day), 0); return err }},
		{"traces/24h", func() error { _, err := s.Traces(ctx, TraceFilter{Window: window(day)}); return err }},
		{"traces/30d", func() error { _, err := s.Traces(ctx, TraceFilter{Window: window(30 * day)}); return err }},
		{"traces/30d/errors", func() error {
			_, err := s.Traces(ctx, TraceFilter{Window: window(30 * day), ErrorsOnly: true})
			return err
		}},
		{"traces/30d/model", func() error {
			_, err := s.Traces(ctx, TraceFilter{Window: window(30 * day), Model: "gemini-2.0-flash"})
			return err
		}},
		{"traces/30d/user+min_duration", func() error {
			_, err := s.Traces(ctx, TraceFilter{Window: window(30 * day), User: "user-7", MinDuration: 2 * time.Second})
			return err
		}},
		{"traces/30d/text", func() error {
			_, err := s.Traces(ctx, TraceFilter{Window: window(30 * day), Text: "meeting notes"})
			return err
		}},
		{"sessions/24h", func() error { _, err := s.Sessions(ctx, SessionFilter{Window: window(day)}); return err }},
		{"session", func() error { _, err := s.Session(ctx, "session-7"); return err }},
		{"dependencies/24h", func() error { _, err := s.Dependencies(ctx, window(day)); return err }},
	} {
		b.Run(q.name, func(b *testing.B) {
			var lat []time.Duration
			cpu := cputime.Process()
			for b.Loop() {
				t := time.Now()
				if err := q.run(); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
			b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*95/100)])/1e6, "p95-ms")
			b.ReportMetric(float64(cputime.Process()-cpu)/1e6/float64(len(lat)), "cpu-ms/op")
		})
	}
}
