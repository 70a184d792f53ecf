package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
	"github.com/otelcol-llm/otelcol-llm/internal/ui/uitest"
)

// TestWebUI opens the web UI served by the distribution in headless Chromium, after
// spans arrived over OTLP: the dashboard, a trace's waterfall and a session transcript.
func TestWebUI(t *testing.T) {
	requireTool(t, "chromium")
	c := startStoreCollector(t, filepath.Join(t.TempDir(), "llm.db"))
	sendFixture(t, c.otlp, time.Now().Add(-5*time.Minute).Truncate(time.Second))
	Eventually(t, 20*time.Second, "3 traces in the store", func() bool { return storedTraces(t, c.api) == 3 })

	shots := t.ArtifactDir()
	b := uitest.New(t)
	b.Do(chromedp.Navigate(c.api+"/"), chromedp.WaitVisible(".grid2 svg"))
	if cards := b.Text(".cards"); !strings.Contains(cards, "REQUESTS\n4") || !strings.Contains(cards, "$0.00252") {
		t.Errorf("dashboard cards:\n%s", cards)
	}
	b.Screenshot(shots, "dashboard.png")

	b.Do(chromedp.Navigate(c.api+"/#/traces/"+storegen.TraceID(1).String()), chromedp.WaitVisible("#waterfall"))
	if n := b.Count("#waterfall .wf-row"); n != 4 {
		t.Errorf("waterfall rows: %d, want 4", n)
	}
	b.Screenshot(shots, "trace.png")

	b.Do(chromedp.Navigate(c.api+"/#/sessions/sess-alice"), chromedp.WaitVisible("#transcript"))
	if got := b.Text("#transcript"); !strings.Contains(got, "You can get a refund within 30 days") ||
		!strings.Contains(got, "get_policy") {
		t.Errorf("transcript:\n%s", got)
	}
	b.Screenshot(shots, "session.png")
	t.Logf("screenshots in %s", shots)
}
