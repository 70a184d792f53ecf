package pricing

import (
	"strconv"
	"sync"
	"testing"
)

// TestCacheBounded: the cache never holds more than its size, and what it returns is the
// resolution stored for exactly that key.
func TestCacheBounded(t *testing.T) {
	c := newCache(64)
	entries := make([]Entry, 1000)
	for i := range entries {
		entries[i].ID = strconv.Itoa(i)
		c.put(cacheKey{"openai", "model-" + strconv.Itoa(i)}, &entries[i])
		if n := c.len(); n > 64 {
			t.Fatalf("cache holds %d entries, limit 64", n)
		}
	}
	hits := 0
	for i := range entries {
		if e, ok := c.get(cacheKey{"openai", "model-" + strconv.Itoa(i)}); ok {
			hits++
			if e.ID != strconv.Itoa(i) {
				t.Fatalf("model-%d resolved to entry %s", i, e.ID)
			}
		}
	}
	if hits == 0 || hits > 64 {
		t.Fatalf("%d hits, want 1..64", hits)
	}
	if _, ok := c.get(cacheKey{"anthropic", "model-999"}); ok {
		t.Fatal("a key with another provider hit")
	}
	// Unpriced resolutions are cached too.
	c.put(cacheKey{"", "unknown"}, nil)
	if e, ok := c.get(cacheKey{"", "unknown"}); !ok || e != nil {
		t.Fatalf("negative entry: %v %v", e, ok)
	}
}

// TestCacheConcurrent: lookups race with insertions and promotions (run with -race); every
// hit returns the entry stored for exactly that key, and the bound holds.
func TestCacheConcurrent(t *testing.T) {
	c := newCache(64)
	entries := make([]Entry, 200)
	for i := range entries {
		entries[i].ID = strconv.Itoa(i)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 5000 {
				i := (n*7 + g*13) % len(entries)
				k := cacheKey{"openai", "model-" + strconv.Itoa(i)}
				if e, ok := c.get(k); ok {
					if e.ID != strconv.Itoa(i) {
						t.Errorf("model-%d resolved to entry %s", i, e.ID)
						return
					}
					continue
				}
				c.put(k, &entries[i])
			}
		}()
	}
	wg.Wait()
	if n := c.len(); n > 64 {
		t.Fatalf("cache holds %d entries, limit 64", n)
	}
}
