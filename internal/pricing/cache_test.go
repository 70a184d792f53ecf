package pricing

import (
	"strconv"
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
