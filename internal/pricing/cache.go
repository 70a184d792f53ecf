package pricing

import (
	"strings"
	"sync"
	"sync/atomic"
)

// cache remembers how (provider, model) pairs resolved, unpriced ones included, so that
// the hot path is one map read. It is bounded: a pipeline that sees an unbounded stream
// of distinct model names (fine-tune ids, typos, an attacker) costs a fixed amount of
// memory.
//
// Every span is priced, while new names are rare, so reads take no lock: they go to an
// immutable map published through an atomic pointer. New resolutions wait in a small
// locked map and are folded into a fresh copy of the read map in batches, which keeps
// the copying amortized to a few entries per new name (the scheme of sync.Map, with a
// bound and a typed key that needs no boxing).
type cache struct {
	limit    int // total entries, read and pending
	maxDirty int // pending entries that trigger a promotion

	read atomic.Pointer[map[cacheKey]*Entry] // never modified once published

	mu     sync.Mutex
	dirty  map[cacheKey]*Entry // resolutions not in read yet
	misses int                 // reads served by dirty since the last promotion
}

type cacheKey struct{ provider, model string }

func newCache(size int) *cache {
	size = max(size, 1)
	c := &cache{limit: size, maxDirty: max(size/8, 1), dirty: make(map[cacheKey]*Entry)}
	read := make(map[cacheKey]*Entry)
	c.read.Store(&read)
	return c
}

// get returns the cached resolution of k; ok is false when k is not cached.
func (c *cache) get(k cacheKey) (e *Entry, ok bool) {
	if e, ok := (*c.read.Load())[k]; ok {
		return e, true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok = c.dirty[k]; ok {
		// A pending name that is read again is in use: once pending reads have cost as
		// much as a copy would, publish them.
		if c.misses++; c.misses >= len(c.dirty) {
			c.promote()
		}
	}
	return e, ok
}

// put caches a resolution. When the cache is full, arbitrary older entries make room.
func (c *cache) put(k cacheKey, e *Entry) {
	// Keys come from telemetry; cloning them keeps a cached name from pinning a batch.
	k = cacheKey{strings.Clone(k.provider), strings.Clone(k.model)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := (*c.read.Load())[k]; ok {
		return // resolved concurrently by another lookup
	}
	c.dirty[k] = e
	if len(c.dirty) >= c.maxDirty {
		c.promote()
	}
}

// promote publishes a new read map holding the pending entries and as many of the old
// ones as fit, leaving room for maxDirty pending entries so the total stays within limit.
// Map iteration order is random, so the old entries dropped are arbitrary. c.mu is held.
func (c *cache) promote() {
	old := *c.read.Load()
	keep := max(c.limit-c.maxDirty-len(c.dirty), 0)
	read := make(map[cacheKey]*Entry, min(len(old), keep)+len(c.dirty))
	for k, e := range old {
		if len(read) >= keep {
			break
		}
		read[k] = e
	}
	for k, e := range c.dirty {
		read[k] = e
	}
	c.read.Store(&read)
	c.dirty = make(map[cacheKey]*Entry, c.maxDirty)
	c.misses = 0
}

func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(*c.read.Load()) + len(c.dirty)
}
