package redact

import (
	"hash/maphash"
	"math/bits"
	"sync"
	"sync/atomic"
)

// Conversations resend their system prompt and their whole history with every call, so
// most of the content the processor sees has been scanned before. The clean cache
// remembers which texts the detectors found nothing in and skips their next scan.
//
// It never holds content: an entry is a 128-bit fingerprint of the text's exact bytes,
// two 64-bit hash/maphash sums under two seeds drawn at random when the Redactor is
// built, so the fingerprints mean nothing outside the process and texts cannot be
// prepared elsewhere to collide. Two different texts share a fingerprint with
// probability 2^-128; over 10^15 lookups (thirty years at a million a second) against
// 2^24 entries the chance of even one false hit is below 10^-16, far below that of a
// memory error. The cache belongs to one Redactor, so its detectors and options (the
// rest of what decides a verdict) are fixed for its lifetime; a new configuration
// builds a new Redactor and a new cache.
//
// Only the verdict "the detectors found nothing" is cached, and only for texts of at
// least minCachedLen bytes: shorter values cost about as little to scan as to look up,
// and would crowd the cache with one-off ids and names.

// minCachedLen is the shortest text the clean cache holds.
const minCachedLen = 64

// cacheWays is the number of entries of one set; a text can only live in the set its
// fingerprint selects, and a set's eight keys fill two cache lines.
const cacheWays = 8

// Bounds of redaction.clean_cache_entries (when not 0, which turns the cache off).
const (
	DefaultCleanCacheEntries = 1 << 16 // 1.25 MiB
	maxCleanCacheEntries     = 1 << 24 // 320 MiB
)

// fingerprint identifies a text by two independent 64-bit keyed hashes of its bytes.
type fingerprint struct{ a, b uint64 }

// cleanCache is a set-associative set of fingerprints with CLOCK eviction inside each
// set. Each set has a word of eight 8-bit tags in a dense array of its own (64 KiB for
// the default size, so it stays in the CPU caches): a text that is not cached, the
// common case of a new turn, is usually told apart by that one word, without touching
// the set. Lookups take no lock: a set's sequence number is odd while a writer changes
// it, and a lookup that sees it odd or changed counts as a miss (the caller then scans
// and adds, as for any miss), so the sets of texts that every call resends (system
// prompts) are read by all goroutines without their cache lines bouncing between
// cores. Writers take the set's lock. Memory is fixed at construction: 20 bytes per
// entry.
type cleanCache struct {
	seedA, seedB maphash.Seed
	tags         []atomic.Uint64 // per set: way i's tag in byte i, 0 when the way is empty
	sets         []cacheSet
	mask         uint64 // len(sets)-1; len(sets) is a power of two
}

type cacheSet struct {
	seq  atomic.Uint32 // odd while a writer changes the set or its tags
	ref  atomic.Uint32 // bit i: keys[i] was hit since the clock hand last passed it
	mu   sync.Mutex    // serializes writers
	hand uint8         // next way the clock looks at when the set is full (under mu)
	keys [cacheWays][2]atomic.Uint64
}

// newCleanCache returns a cache of at most entries fingerprints (rounded down to a
// power of two sets of cacheWays), or nil when entries is below one set.
func newCleanCache(entries int) *cleanCache {
	if entries < cacheWays {
		return nil
	}
	sets := 1 << (bits.Len(uint(entries/cacheWays)) - 1)
	return &cleanCache{
		seedA: maphash.MakeSeed(),
		seedB: maphash.MakeSeed(),
		tags:  make([]atomic.Uint64, sets),
		sets:  make([]cacheSet, sets),
		mask:  uint64(sets - 1),
	}
}

// capacity is the most fingerprints the cache holds.
func (c *cleanCache) capacity() int { return len(c.sets) * cacheWays }

func (c *cleanCache) fingerprint(s string) fingerprint {
	return fingerprint{maphash.String(c.seedA, s), maphash.String(c.seedB, s)}
}

// tag is the byte of a fingerprint kept in its set's tag word: never 0, which marks an
// empty way, and from other bits than those that chose the set.
func tag(f fingerprint) uint64 { return max(f.a>>56, 1) }

// contains reports whether f is cached, and marks it as used.
func (c *cleanCache) contains(f fingerprint) bool {
	i := f.a & c.mask
	word, t := c.tags[i].Load(), tag(f)
	for way := 0; word != 0; way, word = way+1, word>>8 {
		if word&0xff != t {
			continue
		}
		s := &c.sets[i]
		seq := s.seq.Load()
		if seq&1 != 0 || s.keys[way][0].Load() != f.a || s.keys[way][1].Load() != f.b {
			continue
		}
		if s.seq.Load() != seq {
			return false // the key read may mix two writes
		}
		if bit := uint32(1) << way; s.ref.Load()&bit == 0 {
			s.ref.Or(bit)
		}
		return true
	}
	return false
}

// add caches f, evicting the first entry of its set that the clock finds unused since
// its last pass. A new entry starts unreferenced, so a text seen once leaves before
// one that has been hit.
func (c *cleanCache) add(f fingerprint) {
	i := f.a & c.mask
	s := &c.sets[i]
	s.mu.Lock()
	defer s.mu.Unlock()
	word := c.tags[i].Load()
	way := -1
	for w := range cacheWays {
		wt := word >> (8 * w) & 0xff
		if wt == 0 && way < 0 {
			way = w
		}
		if wt != 0 && s.keys[w][0].Load() == f.a && s.keys[w][1].Load() == f.b {
			return // added meanwhile by another goroutine
		}
	}
	if way < 0 {
		for s.ref.Load()&(1<<s.hand) != 0 {
			s.ref.And(^(uint32(1) << s.hand))
			s.hand = (s.hand + 1) % cacheWays
		}
		way = int(s.hand)
		s.hand = (s.hand + 1) % cacheWays
	}
	s.seq.Add(1) // odd: lookups of this set miss until the write is complete
	s.keys[way][0].Store(f.a)
	s.keys[way][1].Store(f.b)
	c.tags[i].Store(word&^(0xff<<(8*way)) | tag(f)<<(8*way))
	s.ref.And(^(uint32(1) << way))
	s.seq.Add(1)
}

// len counts the cached fingerprints (for tests).
func (c *cleanCache) len() int {
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
