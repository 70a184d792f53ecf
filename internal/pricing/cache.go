package pricing

import (
	"hash/maphash"
	"strings"
	"sync"
)

// cache remembers how (provider, model) pairs resolved, unpriced ones included, so that
// the hot path is one hash and one map read. It is bounded: a pipeline that sees an
// unbounded stream of distinct model names (fine-tune ids, typos, an attacker) costs a
// fixed amount of memory.
type cache struct {
	seed   maphash.Seed
	limit  int // per shard
	shards [cacheShards]cacheShard
}

const cacheShards = 16

type cacheKey struct{ provider, model string }

// cached is a resolution keyed by the hash of its key; the key is kept to tell collisions.
type cached struct {
	key   cacheKey
	entry *Entry
}

type cacheShard struct {
	mu sync.RWMutex
	m  map[uint64]cached
}

func newCache(size int) *cache {
	c := &cache{seed: maphash.MakeSeed(), limit: max(size/cacheShards, 1)}
	for i := range c.shards {
		c.shards[i].m = make(map[uint64]cached)
	}
	return c
}

func (c *cache) hash(k cacheKey) uint64 {
	return maphash.String(c.seed, k.model) ^ maphash.String(c.seed, k.provider)>>1
}

// get returns the cached resolution of k; ok is false when k is not cached.
func (c *cache) get(k cacheKey) (e *Entry, ok bool) {
	h := c.hash(k)
	s := &c.shards[h%cacheShards]
	s.mu.RLock()
	v, ok := s.m[h]
	s.mu.RUnlock()
	if !ok || v.key != k {
		return nil, false
	}
	return v.entry, true
}

// put caches a resolution, evicting an arbitrary entry of the shard when it is full. Of two
// keys with the same hash the later one stays.
func (c *cache) put(k cacheKey, e *Entry) {
	// Keys come from telemetry; cloning them keeps a cached name from pinning a batch.
	k = cacheKey{strings.Clone(k.provider), strings.Clone(k.model)}
	h := c.hash(k)
	s := &c.shards[h%cacheShards]
	s.mu.Lock()
	if _, exists := s.m[h]; !exists && len(s.m) >= c.limit {
		for old := range s.m {
			delete(s.m, old)
			break
		}
	}
	s.m[h] = cached{key: k, entry: e}
	s.mu.Unlock()
}

func (c *cache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}
