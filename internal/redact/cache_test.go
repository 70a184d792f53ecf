package redact

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/pii"
)

const (
	cleanTurn = "The deployment of checkout-api failed again with exit code 137 after I bumped the memory request."
	// piiTurn has cleanTurn's length: a fingerprint, not a length, must tell them apart.
	piiTurn = "The deployment of checkout-api failed again, write to ops.lead@example.com on the memory request."
)

// TestScanCacheRemembersFindings: a text seen before is not scanned again, whether
// the detectors found nothing in it or something, and its output and findings are those
// of the first scan.
func TestScanCacheRemembersFindings(t *testing.T) {
	if len(cleanTurn) != len(piiTurn) {
		t.Fatalf("test texts of %d and %d bytes: want the same length", len(cleanTurn), len(piiTurn))
	}
	r := newRedactor(t, nil)
	wantPII := strings.Replace(piiTurn, "ops.lead@example.com", "<EMAIL>", 1)
	at := strings.Index(piiTurn, "ops.lead@example.com")
	for round := range 3 {
		wantHits := min(round, 1)
		out, _, _, st := r.Text(cleanTurn)
		if out != cleanTurn {
			t.Fatalf("round %d: clean text changed to %q", round, out)
		}
		if st.ScanCacheHits != wantHits || st.ScanCacheMisses != 1-wantHits {
			t.Errorf("round %d clean: %d hits, %d misses", round, st.ScanCacheHits, st.ScanCacheMisses)
		}
		out, found, _, st := r.Text(piiTurn)
		if out != wantPII || len(found) != 1 || found[0] != (Found{Entity: pii.Email, Start: at, End: at + len("ops.lead@example.com")}) {
			t.Fatalf("round %d: PII text redacted to %q, findings %v", round, out, found)
		}
		if st.ScanCacheHits != wantHits || st.ScanCacheMisses != 1-wantHits || st.Findings[pii.Email] != 1 {
			t.Errorf("round %d PII: %d hits, %d misses, findings %v", round, st.ScanCacheHits, st.ScanCacheMisses, st.Findings)
		}
	}
	if n := r.cache.len(); n != 2 {
		t.Errorf("%d cached texts, want 2", n)
	}
	short := "Where is my parcel? It was due on Monday."
	for range 2 {
		if _, _, _, st := r.Text(short); st.ScanCacheHits+st.ScanCacheMisses != 0 {
			t.Errorf("a %d-byte text went through the cache (minimum %d)", len(short), minCachedLen)
		}
	}
}

// TestScanCacheSkipsManyFindings: a text with more findings than an entry holds is
// scanned every time, and redacted in full every time.
func TestScanCacheSkipsManyFindings(t *testing.T) {
	r := newRedactor(t, nil)
	var b strings.Builder
	for i := range maxCachedFindings + 1 {
		fmt.Fprintf(&b, "write to user%d@example.com, ", i)
	}
	text := b.String()
	for round := range 2 {
		out, found, _, st := r.Text(text)
		if strings.Contains(out, "@example.com") || len(found) != maxCachedFindings+1 {
			t.Fatalf("round %d: output %q, %d findings", round, out, len(found))
		}
		if st.ScanCacheHits != 0 || st.ScanCacheMisses != 1 {
			t.Errorf("round %d: %d hits, %d misses", round, st.ScanCacheHits, st.ScanCacheMisses)
		}
	}
	if n := r.cache.len(); n != 0 {
		t.Errorf("%d cached texts, want 0", n)
	}
}

// TestScanCachePacksFindings: positions, lengths and every entity type the scanner
// reports (custom ones included) survive the packing; what does not fit is not cached.
func TestScanCachePacksFindings(t *testing.T) {
	entities := append(slices.Clone(pii.BuiltIn), "EMPLOYEE_ID")
	c := newScanCache(cacheWays, entities)
	for i, e := range entities {
		fs := []pii.Finding{{Entity: e, Start: i, End: i + 7}, {Entity: pii.Email, Start: 1<<32 - 1, End: 1<<32 - 1 + maxPackedLen}}
		fp := c.fingerprint(string(e))
		c.add(fp, fs)
		got, ok := c.lookup(fp, nil)
		if !ok || !slices.Equal(got, fs) {
			t.Fatalf("%s: cached %v (hit %v), want %v", e, got, ok, fs)
		}
	}
	for _, fs := range [][]pii.Finding{
		{{Entity: "UNKNOWN", Start: 0, End: 7}},
		{{Entity: pii.Email, Start: 1 << 32, End: 1<<32 + 7}},
		{{Entity: pii.Email, Start: 0, End: maxPackedLen + 1}},
	} {
		fp := c.fingerprint(fmt.Sprint(fs))
		c.add(fp, fs)
		if _, ok := c.lookup(fp, nil); ok {
			t.Errorf("%v was cached", fs)
		}
	}
}

// TestScanCacheHitsConversationHistory: the second call of a conversation resends the
// system prompt and the first turns inside the message JSON; those leaves are not
// scanned again, the new turn is, and its PII is redacted.
func TestScanCacheHitsConversationHistory(t *testing.T) {
	system := "You are Acme's support assistant. Answer briefly and politely, cite the order status from the tools."
	answer := "Order #100234567 left our warehouse on 2024-01-12; the carrier expects delivery within 2-3 business days."
	call := func(msgs ...genai.Message) string {
		s, err := genai.MarshalMessages(msgs)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	text := func(role, s string) genai.Message {
		return genai.Message{Role: role, Parts: []genai.Part{genai.TextPart(s)}}
	}
	r := newRedactor(t, nil)
	first := call(text("system", system), text("user", cleanTurn))
	if out, _, _, st := r.Text(first); out != first || st.ScanCacheHits != 0 || st.ScanCacheMisses != 2 {
		t.Fatalf("first call: changed %v, %d hits, %d misses", out != first, st.ScanCacheHits, st.ScanCacheMisses)
	}
	second := call(text("system", system), text("user", cleanTurn), text("assistant", answer), text("user", piiTurn))
	out, found, _, st := r.Text(second)
	if st.ScanCacheHits != 2 || st.ScanCacheMisses != 2 {
		t.Errorf("second call: %d hits, %d misses; want the system prompt and the first turn hit", st.ScanCacheHits, st.ScanCacheMisses)
	}
	if len(found) != 1 || found[0].Path != "$[3].parts[0].content" || strings.Contains(out, "ops.lead@example.com") {
		t.Errorf("second call: findings %v, output %s", found, out)
	}
	if want := strings.Replace(second, "ops.lead@example.com", "<EMAIL>", 1); out != want {
		t.Errorf("second call:\n got %s\nwant %s", out, want)
	}
}

func TestScanCacheOff(t *testing.T) {
	r := newRedactor(t, func(c *Config) { c.ScanCacheEntries = 0 })
	for range 2 {
		if out, _, _, st := r.Text(cleanTurn); out != cleanTurn || st.ScanCacheHits+st.ScanCacheMisses != 0 {
			t.Fatalf("cache off: output %q, %d hits, %d misses", out, st.ScanCacheHits, st.ScanCacheMisses)
		}
	}
}

// TestScanCacheBound: however many texts go through, the cache holds at most its
// capacity, which never exceeds the configured number of entries.
func TestScanCacheBound(t *testing.T) {
	for _, entries := range []int{8, 100, 1000, 1 << 16} {
		c := newScanCache(entries, pii.BuiltIn)
		if c.capacity() > entries || c.capacity() <= entries/2 {
			t.Errorf("%d entries asked: capacity %d", entries, c.capacity())
		}
		for i := range 4 * entries {
			c.add(c.fingerprint(fmt.Sprintf("text %d", i)), nil)
			if i%97 == 0 && c.len() > c.capacity() {
				t.Fatalf("%d entries asked: %d held after %d adds", entries, c.len(), i+1)
			}
		}
		if n := c.len(); n > c.capacity() || n < c.capacity()*3/4 {
			t.Errorf("%d entries asked: %d held, capacity %d", entries, n, c.capacity())
		}
	}
	if newScanCache(7, pii.BuiltIn) != nil || newScanCache(0, pii.BuiltIn) != nil {
		t.Error("a cache smaller than one set was built")
	}
	// The documented memory: 67 bytes per entry (itself, its tag and its share of the
	// set's writer lock), and an entry is one cache line.
	if size := unsafe.Sizeof(cacheEntry{}); size != 64 {
		t.Errorf("an entry takes %d bytes, want one 64-byte cache line", size)
	}
	if perEntry := unsafe.Sizeof(cacheEntry{}) + 1 + (unsafe.Sizeof(setWriter{})+cacheWays-1)/cacheWays; perEntry > 67 {
		t.Errorf("%d bytes per entry, documented as 67", perEntry)
	}
}

// TestScanCacheEvictsUnusedFirst: in a full set, an entry hit since the clock last
// passed survives the next insertion and the oldest unused one leaves.
func TestScanCacheEvictsUnusedFirst(t *testing.T) {
	c := newScanCache(cacheWays, pii.BuiltIn) // one set
	var fs []fingerprint
	for i := range cacheWays + 1 {
		fs = append(fs, c.fingerprint(fmt.Sprintf("text %d", i)))
	}
	for _, f := range fs[:cacheWays] {
		c.add(f, nil)
	}
	if !contains(c, fs[0]) {
		t.Fatal("first entry missing from a set that is not over capacity")
	}
	c.add(fs[cacheWays], nil)
	for i, f := range fs {
		if want := i != 1; contains(c, f) != want {
			t.Errorf("entry %d cached %v, want %v", i, !want, want)
		}
	}
}

// TestScanCacheConcurrent runs batches that share clean history and carry PII from
// several goroutines on one Redactor (as the processor does): no PII ever passes, and
// clean history hits. Run with -race.
func TestScanCacheConcurrent(t *testing.T) {
	r := newRedactor(t, func(c *Config) { c.ScanCacheEntries = 64 }) // small: evictions race with hits
	const goroutines, batches = 4, 60
	var wg sync.WaitGroup
	hits := make([]int, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for b := range batches {
				td := ptrace.NewTraces()
				spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
				for i := range 10 {
					history := fmt.Sprintf("%s (turn %d of conversation %d)", cleanTurn, i, (g+b)%7)
					msgs, _ := genai.MarshalMessages([]genai.Message{
						{Role: "user", Parts: []genai.Part{genai.TextPart(history)}},
						{Role: "user", Parts: []genai.Part{genai.TextPart(fmt.Sprintf("%s %d", piiTurn, b))}},
					})
					spans.AppendEmpty().Attributes().PutStr(genai.InputMessages, msgs)
				}
				st := r.Traces(td)
				hits[g] += st.ScanCacheHits
				for i := 0; i < spans.Len(); i++ {
					if s := genai.Str(spans.At(i).Attributes(), genai.InputMessages); strings.Contains(s, "@example.com") {
						t.Errorf("goroutine %d batch %d span %d: PII passed: %s", g, b, i, s)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	total := 0
	for _, h := range hits {
		total += h
	}
	if total == 0 {
		t.Error("no cache hits on repeated history")
	}
	if n := r.cache.len(); n > r.cache.capacity() {
		t.Errorf("%d entries held, capacity %d", n, r.cache.capacity())
	}
}

// TestScanCacheNoTornHits: lookups take no lock, so a lookup racing with writers of
// its set must never match halves of two different fingerprints, nor return the
// findings of another entry. Writers keep replacing {i, i} entries of one set, with i
// findings at offset i; readers ask for {i, j}, which was never added, and for {i, i}.
func TestScanCacheNoTornHits(t *testing.T) {
	c := newScanCache(cacheWays, pii.BuiltIn) // one set: every write races with every lookup
	const keys, rounds = 16, 20000
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for n := range rounds {
				i := uint64((n*7+w)%keys + 1)
				c.add(fingerprint{i, i}, tornFindings(int(i)))
			}
		})
	}
	torn := 0
	var mu sync.Mutex
	for r := range 2 {
		wg.Go(func() {
			bad := 0
			for n := range rounds {
				i := uint64((n+r)%keys + 1)
				if contains(c, fingerprint{i, i%keys + 1}) {
					bad++
				}
				if fs, ok := c.lookup(fingerprint{i, i}, nil); ok && !slices.Equal(fs, tornFindings(int(i))) {
					bad++
				}
			}
			mu.Lock()
			torn += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	if torn > 0 {
		t.Errorf("%d lookups matched a fingerprint never added or returned another's findings", torn)
	}
}

// tornFindings are the findings of entry {i, i} in TestScanCacheNoTornHits.
func tornFindings(i int) []pii.Finding {
	fs := make([]pii.Finding, i%(maxCachedFindings+1))
	for k := range fs {
		fs[k] = pii.Finding{Entity: pii.BuiltIn[i%len(pii.BuiltIn)], Start: i + k, End: i + k + 1}
	}
	return fs
}

func contains(c *scanCache, f fingerprint) bool {
	_, ok := c.lookup(f, nil)
	return ok
}

// The gate closes on traffic that never repeats, keeps probing, and opens again when
// texts repeat; while it is closed every text is still scanned.
func TestCacheGate(t *testing.T) {
	var g cacheGate
	for range gateWindow {
		if !g.use() {
			t.Fatal("an open gate skipped a text")
		}
		g.record(false)
	}
	if !g.closed.Load() {
		t.Fatal("a window without hits left the gate open")
	}
	used := 0
	for range 1600 {
		if g.use() {
			used++
		}
	}
	if used != 1600/gateProbe {
		t.Fatalf("closed gate let %d of 1600 texts use the cache, want %d", used, 1600/gateProbe)
	}
	for range gateWindow {
		g.record(true)
	}
	if g.closed.Load() {
		t.Fatal("a window of hits left the gate closed")
	}
}

// withFindings counts the cached texts with at least one finding (for tests).
func (c *scanCache) withFindings() int {
	n := 0
	for i := range c.tags {
		word := c.tags[i].Load()
		for way := range cacheWays {
			if word>>(8*way)&0xff != 0 && c.entries[i*cacheWays+way].found[0].Load() != 0 {
				n++
			}
		}
	}
	return n
}

// BenchmarkScanCacheLookup measures a hit in a full cache of the default size, in an
// order that defeats the CPU's caches as a collector's traffic does: the cost of
// reading an entry from memory, which the entry layout decides.
func BenchmarkScanCacheLookup(b *testing.B) {
	c := newScanCache(DefaultScanCacheEntries, pii.BuiltIn)
	fps := make([]fingerprint, c.capacity())
	for i := range fps {
		fps[i] = c.fingerprint(fmt.Sprintf("text %d", i))
		var fs []pii.Finding
		if i%4 == 0 {
			fs = []pii.Finding{{Entity: pii.Email, Start: 10, End: 30}}
		}
		c.add(fps[i], fs)
	}
	var dst []pii.Finding
	hits, i := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		var hit bool
		// A stride coprime with the count visits every fingerprint in a scattered order.
		dst, hit = c.lookup(fps[i], dst[:0])
		if hit {
			hits++
		}
		i = (i + 40503) % len(fps)
	}
	b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
}
