package redact

import (
	"hash/maphash"
	"math/bits"
	"sync"
	"sync/atomic"

	"github.com/otelcol-llm/otelcol-llm/internal/pii"
)

// Conversations resend their system prompt and their whole history with every call, so
// most of the content the processor sees has been scanned before. The scan cache
// remembers what the detectors found in a text (nothing, for most texts; otherwise the
// position, length and entity type of each finding, never a value) and skips the next
// scan of the same bytes: the allow-lists and actions then apply to the remembered
// findings exactly as to fresh ones, so the output is the same byte for byte.
//
// It never holds content: an entry is a 128-bit fingerprint of the text's exact bytes,
// two 64-bit hash/maphash sums under two seeds drawn at random when the Redactor is
// built, so the fingerprints mean nothing outside the process and texts cannot be
// prepared elsewhere to collide. Two different texts share a fingerprint with
// probability 2^-128; over 10^15 lookups (thirty years at a million a second) against
// 2^24 entries the chance of even one false hit is below 10^-16, far below that of a
// memory error. The cache belongs to one Redactor, so its detectors and options (the
// rest of what decides the findings) are fixed for its lifetime; a new configuration
// builds a new Redactor and a new cache.
//
// Only texts of at least minCachedLen bytes are cached, and only with at most
// maxCachedFindings findings: shorter values cost about as little to scan as to look
// up, and would crowd the cache with one-off ids and names; texts with more findings
// are rare and are scanned every time.

// minCachedLen is the shortest text the scan cache holds.
const minCachedLen = 64

// maxCachedFindings is the most findings an entry remembers.
const maxCachedFindings = 4

// cacheWays is the number of entries of one set; a text can only live in the set its
// fingerprint selects.
const cacheWays = 8

// Bounds of redaction.scan_cache_entries (when not 0, which turns the cache off).
const (
	DefaultScanCacheEntries = 1 << 16 // 4.2 MiB
	maxScanCacheEntries     = 1 << 24 // 1.05 GiB
)

// fingerprint identifies a text by two independent 64-bit keyed hashes of its bytes.
type fingerprint struct{ a, b uint64 }

// scanCache is a set-associative map from fingerprints to findings, with CLOCK
// eviction inside each set. Each set has a word of eight 8-bit tags in a dense array of
// its own (64 KiB for the default size, so it stays in the CPU caches): a 7-bit tag of
// each entry's fingerprint and the entry's clock bit. A text that is not cached, the
// common case of a new turn, is usually told apart by that one word, without touching
// the set, and the clock runs on it alone. An entry (its sequence number, fingerprint
// and findings) fills one 64-byte cache line, so a hit reads the tag word and that line
// and nothing else. Lookups take no lock: an entry's sequence number is odd while a
// writer changes it, and a lookup that sees it odd or changed counts as a miss (the
// caller then scans and adds, as for any miss), so the entries of texts that every call
// resends (system prompts) are read by all goroutines without their cache lines
// bouncing between cores. Writers take the set's lock. Memory is fixed at
// construction: 67 bytes per entry.
type scanCache struct {
	seedA, seedB maphash.Seed
	tags         []atomic.Uint64 // per set: way i's tag in byte i, 0 when the way is empty
	entries      []cacheEntry    // set i is entries[i*cacheWays:][:cacheWays]
	writers      []setWriter     // per set
	mask         uint64          // number of sets - 1; a power of two
	entities     []pii.Entity    // entity type of each code; code 0 is unused
	codes        map[pii.Entity]uint64
}

// cacheEntry is one cached text, 64 bytes: one cache line when the array is aligned,
// which it is from 512 bytes up (Go allocates those sizes on their own alignment).
type cacheEntry struct {
	seq   atomic.Uint32 // odd while a writer changes the entry
	_     uint32
	key   [2]atomic.Uint64
	found [maxCachedFindings]atomic.Uint64 // packed findings, 0 after the last
	_     [8]byte
}

// setWriter serializes the writers of one set and holds its clock hand.
type setWriter struct {
	mu   sync.Mutex
	hand uint8 // next way the clock looks at when the set is full (under mu)
}

// A finding is packed in one word: start in the low 32 bits, length in the next 24,
// the entity's code in the top 8 (never 0, so a zero word ends the list).
const (
	packLenShift  = 32
	packCodeShift = 56
	maxPackedLen  = 1<<24 - 1
)

func (c *scanCache) pack(f pii.Finding) (uint64, bool) {
	code, ok := c.codes[f.Entity]
	if !ok || f.Start > 1<<32-1 || f.End-f.Start > maxPackedLen {
		return 0, false
	}
	return uint64(f.Start) | uint64(f.End-f.Start)<<packLenShift | code<<packCodeShift, true
}

func (c *scanCache) unpack(w uint64) pii.Finding {
	start := int(w & (1<<32 - 1))
	return pii.Finding{
		Entity: c.entities[w>>packCodeShift],
		Start:  start,
		End:    start + int(w>>packLenShift&maxPackedLen),
	}
}

// newScanCache returns a cache of at most entries texts (rounded down to a power of
// two sets of cacheWays), or nil when entries is below one set. entities are the types
// the scanner reports; findings of other types (or beyond 254 types) are not cached.
func newScanCache(entries int, entities []pii.Entity) *scanCache {
	if entries < cacheWays {
		return nil
	}
	sets := 1 << (bits.Len(uint(entries/cacheWays)) - 1)
	c := &scanCache{
		seedA:    maphash.MakeSeed(),
		seedB:    maphash.MakeSeed(),
		tags:     make([]atomic.Uint64, sets),
		entries:  make([]cacheEntry, sets*cacheWays),
		writers:  make([]setWriter, sets),
		mask:     uint64(sets - 1),
		entities: []pii.Entity{""},
		codes:    map[pii.Entity]uint64{},
	}
	for _, e := range entities {
		if _, dup := c.codes[e]; !dup && len(c.entities) < 256 {
			c.codes[e] = uint64(len(c.entities))
			c.entities = append(c.entities, e)
		}
	}
	return c
}

// capacity is the most fingerprints the cache holds.
func (c *scanCache) capacity() int { return len(c.entries) }

func (c *scanCache) fingerprint(s string) fingerprint {
	return fingerprint{maphash.String(c.seedA, s), maphash.String(c.seedB, s)}
}

// tag is the part of a fingerprint kept in its set's tag word: seven bits, never 0,
// which marks an empty way, and from other bits than those that chose the set.
func tag(f fingerprint) uint64 { return max(f.a>>57, 1) }

// refBit is set in an entry's tag byte when it was hit since the clock hand last passed.
const refBit = 0x80

// lookup reports whether f is cached and appends its findings to dst, and marks the
// entry as used.
func (c *scanCache) lookup(f fingerprint, dst []pii.Finding) ([]pii.Finding, bool) {
	i := f.a & c.mask
	tags := c.tags[i].Load()
	t := tag(f)
	for way, word := uint64(0), tags; word != 0; way, word = way+1, word>>8 {
		if word&^refBit&0xff != t {
			continue
		}
		e := &c.entries[i*cacheWays+way]
		seq := e.seq.Load()
		if seq&1 != 0 || e.key[0].Load() != f.a || e.key[1].Load() != f.b {
			continue
		}
		var packed [maxCachedFindings]uint64
		for k := range packed {
			packed[k] = e.found[k].Load()
		}
		if e.seq.Load() != seq {
			return dst, false // what was read may mix two writes
		}
		if ref := uint64(refBit) << (8 * way); tags&ref == 0 {
			c.tags[i].Or(ref) // racing with a writer at worst misplaces a clock bit
		}
		for _, w := range packed {
			if w == 0 {
				break
			}
			dst = append(dst, c.unpack(w))
		}
		return dst, true
	}
	return dst, false
}

// add caches the findings fs of the text of fingerprint f, unless there are too many
// or one cannot be packed. It evicts the first entry of the set that the clock finds
// unused since its last pass. A new entry starts unreferenced, so a text seen once
// leaves before one that has been hit.
func (c *scanCache) add(f fingerprint, fs []pii.Finding) {
	if len(fs) > maxCachedFindings {
		return
	}
	var packed [maxCachedFindings]uint64
	for k, fd := range fs {
		var ok bool
		if packed[k], ok = c.pack(fd); !ok {
			return
		}
	}
	i := f.a & c.mask
	set := c.entries[i*cacheWays:][:cacheWays]
	wr := &c.writers[i]
	wr.mu.Lock()
	defer wr.mu.Unlock()
	word, t := c.tags[i].Load(), tag(f)
	way := -1
	for w := range cacheWays {
		switch wt := word >> (8 * w) & 0xff; {
		case wt == 0:
			if way < 0 {
				way = w
			}
		case wt&^refBit == t && set[w].key[0].Load() == f.a && set[w].key[1].Load() == f.b:
			return // added meanwhile by another goroutine
		}
	}
	if way < 0 {
		for ref := uint64(refBit) << (8 * wr.hand); word&ref != 0; ref = uint64(refBit) << (8 * wr.hand) {
			word &^= ref
			wr.hand = (wr.hand + 1) % cacheWays
		}
		way = int(wr.hand)
		wr.hand = (wr.hand + 1) % cacheWays
	}
	e := &set[way]
	e.seq.Add(1) // odd: lookups of this entry miss until the write is complete
	e.key[0].Store(f.a)
	e.key[1].Store(f.b)
	for k, w := range packed {
		e.found[k].Store(w)
	}
	e.seq.Add(1)
	c.tags[i].Store(word&^(0xff<<(8*way)) | t<<(8*way))
}

// len counts the cached texts (for tests).
func (c *scanCache) len() int {
	n := 0
	for i := range c.tags {
		for word := c.tags[i].Load(); word != 0; word >>= 8 {
			if word&0xff != 0 {
				n++
			}
		}
	}
	return n
}

// Traffic that never repeats (one-shot prompts, RAG with fresh documents) would pay for
// fingerprinting and adding every text and never hit. The gate measures the hit rate over
// windows of gateWindow lookups and, while it stays under gateMinHits per window, lets only
// one text in gateProbe use the cache: enough to notice when repetition returns, at a
// sixteenth of the cost. A skipped text is scanned, as on a miss, so the gate changes cost,
// never a verdict.
const (
	gateWindow  = 4096
	gateMinHits = gateWindow / 50 // 2 %
	gateProbe   = 16
)

type cacheGate struct {
	lookups, hits atomic.Int64
	closed        atomic.Bool
	texts         atomic.Uint64
}

// use reports whether this text should use the cache.
func (g *cacheGate) use() bool {
	return !g.closed.Load() || g.texts.Add(1)%gateProbe == 0
}

// record counts one lookup and, at the end of a window, opens or closes the gate.
func (g *cacheGate) record(hit bool) {
	if hit {
		g.hits.Add(1)
	}
	if g.lookups.Add(1) != gateWindow {
		return
	}
	// The goroutine that completes the window decides; lookups counted meanwhile by
	// others fall into the next window, which is fine for a rate.
	hits := g.hits.Swap(0)
	g.lookups.Store(0)
	g.closed.Store(hits < gateMinHits)
}
