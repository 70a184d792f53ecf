package pricing

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func litellmPrice(inputPerToken string) string {
	return `{"acme-model": {"litellm_provider": "openai", "input_cost_per_token": ` + inputPerToken + `, "output_cost_per_token": 0}}`
}

// replaceFile swaps in new content atomically, as a Kubernetes ConfigMap update does, so
// that the reloader never reads a half-written file.
func replaceFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestReload: a changed file is picked up; a broken file keeps the last good prices, logs
// why and counts the failure; a fixed file is picked up again.
func TestReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prices.json")
	if err := os.WriteFile(path, []byte(litellmPrice("1e-06")), 0o600); err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zapcore.InfoLevel)
	cfg := fileConfig(path, FormatLiteLLM)
	cfg.ReloadInterval = 10 * time.Millisecond
	p, err := New(cfg, zap.New(core))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	oneM := usage(1_000_000, 0, 0, 0, 0)
	priceNow := func() float64 { c, _ := p.Cost("openai", "acme-model", oneM); return c.Total }
	if got := priceNow(); !near(got, 1) {
		t.Fatalf("initial price %v, want 1", got)
	}

	// Change: $1 → $2.50 per million.
	replaceFile(t, path, litellmPrice("2.5e-06"))
	waitFor(t, "the new price", func() bool { return near(priceNow(), 2.5) && p.Stats().Reloads == 1 })
	if s := p.Stats(); s.ReloadFailures != 0 {
		t.Fatalf("stats after a good reload: %+v", s)
	}

	// Break: the last good price stays, the reason is logged and counted.
	replaceFile(t, path, `{"acme-model": {"input_cost_per_token": "oops"`)
	waitFor(t, "the failure to be logged", func() bool { return logs.FilterMessageSnippet("reload failed").Len() > 0 })
	if got := priceNow(); !near(got, 2.5) {
		t.Fatalf("price after a bad reload %v, want the last good 2.5", got)
	}
	entry := logs.FilterMessageSnippet("reload failed").All()[0]
	fields := entry.ContextMap()
	if entry.Level != zapcore.WarnLevel || fields["path"] != path || !strings.Contains(fields["error"].(string), "invalid JSON: unexpected end of JSON input") {
		t.Fatalf("log entry %v %q %v, want a warning with the path and the reason", entry.Level, entry.Message, fields)
	}
	if s := p.Stats(); s.ReloadFailures == 0 {
		t.Fatalf("failure not counted: %+v", s)
	}

	// Fix: picked up again.
	replaceFile(t, path, litellmPrice("3e-06"))
	waitFor(t, "the fixed price", func() bool { return near(priceNow(), 3) })
}

// TestReloadUnchanged: a file rewritten with the same content does not rebuild the catalog
// (lookups keep their warm cache).
func TestReloadUnchanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prices.json")
	content := []byte(litellmPrice("1e-06"))
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := New(fileConfig(path, FormatLiteLLM), nil)
	if err != nil {
		t.Fatal(err)
	}
	before := p.current.Load()
	later := time.Now().Add(time.Minute)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	p.reload(time.Now())
	if p.current.Load() != before || p.Stats().Reloads != 0 {
		t.Fatal("unchanged file rebuilt the catalog")
	}
}

// TestReloadNewDay: a genai-prices price with a start date takes effect on its day, without
// the file changing.
func TestReloadNewDay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prices.json")
	content := `[{"id": "openai", "models": [{"id": "m", "match": {"equals": "m"}, "prices": [
		{"prices": {"input_mtok": 1}}, {"constraint": {"start_date": "2030-01-01"}, "prices": {"input_mtok": 2}}]}]}]`
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := New(fileConfig(path, FormatGenAIPrices), nil)
	if err != nil {
		t.Fatal(err)
	}
	oneM := usage(1_000_000, 0, 0, 0, 0)
	if c, _ := p.Cost("openai", "m", oneM); !near(c.Total, 1) {
		t.Fatalf("before the start date: %v, want 1", c.Total)
	}
	p.reload(time.Date(2030, 1, 1, 0, 0, 1, 0, time.UTC))
	if c, _ := p.Cost("openai", "m", oneM); !near(c.Total, 2) {
		t.Fatalf("on the start date: %v, want 2", c.Total)
	}
}
