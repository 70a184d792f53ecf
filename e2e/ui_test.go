package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
	"github.com/otelcol-llm/otelcol-llm/internal/ui/uitest"
)

// TestWebUI opens the web UI served by the distribution in headless Chromium, after
// spans arrived over OTLP: the dashboard, a trace's waterfall and a session transcript.
func TestWebUI(t *testing.T) {
	requireTool(t, "chromium")
	c := startStoreCollector(t, filepath.Join(t.TempDir(), "llm.db"))
	base := time.Now().Add(-5 * time.Minute).Truncate(time.Second)
	sendFixture(t, c.otlp, base)
	// Results that arrive after the calls they evaluate: a judge's span, a user's thumbs-down.
	judge, feedback := storegen.FixtureLateEvaluations(base)
	judgeBody, err := ptraceotlp.NewExportRequestFromTraces(judge).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	postOTLP(t, c.otlp+"/v1/traces", judgeBody)
	feedbackBody, err := plogotlp.NewExportRequestFromLogs(feedback).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	postOTLP(t, c.otlp+"/v1/logs", feedbackBody)
	Eventually(t, 20*time.Second, "3 traces and the late evaluations in the store", func() bool {
		var o struct{ Evaluations int64 }
		getJSON(t, c.api+"/api/v1/overview?window=1h", &o)
		return storedTraces(t, c.api) == 3 && o.Evaluations == 7
	})

	shots := t.ArtifactDir()
	b := uitest.New(t)
	b.Do(chromedp.Navigate(c.api+"/"), chromedp.WaitVisible(".grid2 svg"))
	if cards := b.Text(".cards"); !strings.Contains(cards, "REQUESTS\n4") || !strings.Contains(cards, "$0.00252") ||
		!strings.Contains(cards, "QUALITY\n0.63") {
		t.Errorf("dashboard cards:\n%s", cards)
	}
	b.Screenshot(shots, "dashboard.png")

	b.Do(chromedp.Navigate(c.api+"/#/traces/"+storegen.TraceID(1).String()), chromedp.WaitVisible("#waterfall"))
	if n := b.Count("#waterfall .wf-row"); n != 4 {
		t.Errorf("waterfall rows: %d, want 4 (the judge's span is not one)", n)
	}
	scores := b.Text(`.wf-row[data-span="0000000000000004"] .wf-scores`)
	for _, want := range []string{"quality 0.90", "relevance 0.30", "user_feedback 0.00"} {
		if !strings.Contains(scores, want) {
			t.Errorf("scores of the answer lack %q: %s", want, scores)
		}
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
