package ui

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/otelcol-llm/otelcol-llm/internal/store"
	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
	"github.com/otelcol-llm/otelcol-llm/internal/storeapi"
	"github.com/otelcol-llm/otelcol-llm/internal/ui/uitest"
)

func TestServesFilesAndFallsBackToIndex(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	for path, want := range map[string]string{
		"/":               "<title>otelcol-llm</title>",
		"/app.js":         "hash-routed single page",
		"/traces/deep/ln": "<title>otelcol-llm</title>",
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("%s: %d, body lacks %q", path, resp.StatusCode, want)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
	}
	resp, _ := http.Post(srv.URL+"/", "text/plain", nil)
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}
}

// TestUIInBrowser loads every view over the fixture in headless Chromium and checks what
// a user sees; screenshots are kept in the test's artifact directory.
func TestUIInBrowser(t *testing.T) {
	base := time.Now().Add(-10 * time.Minute).Truncate(time.Second)
	s, err := store.Open(context.Background(), store.Options{Path: filepath.Join(t.TempDir(), "ui.db"), Policy: store.DefaultPolicy()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.WriteTraces(context.Background(), storegen.Fixture(base)); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteLogs(context.Background(), storegen.FixtureLogs(base)); err != nil {
		t.Fatal(err)
	}
	judge, feedback := storegen.FixtureLateEvaluations(base)
	if err := s.WriteTraces(context.Background(), judge); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteLogs(context.Background(), feedback); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	storeapi.Register(mux, s, storeapi.Options{Version: "test"})
	mux.Handle("/", Handler())
	srv := httptest.NewServer(mux)
	defer srv.Close()

	shots := t.ArtifactDir()
	b := uitest.New(t)
	do, text, count := b.Do, b.Text, b.Count
	shot := func(name string) { b.Screenshot(shots, name) }
	contains := func(what, got string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(got, w) {
				t.Errorf("%s lacks %q:\n%s", what, w, got)
			}
		}
	}

	// Dashboard: the fixture's four model calls, one error, $0.00252.
	do(chromedp.Navigate(srv.URL+"/#/"), chromedp.WaitVisible(".grid2 svg"))
	contains("dashboard cards", text(".cards"), "REQUESTS\n4", "25.0%", "$0.00252", "400 ms", "1.50 s", "1,700")
	contains("top models", text("main"), "gpt-4o", "claude-sonnet-4", "alice", "support-bot")
	// Quality: built-in scores 1 and 0.9 on gpt-4o's calls, 0 on claude's failed call.
	contains("quality card", text(".cards"), "QUALITY\n0.63", "7 evaluations")
	contains("gpt-4o quality", text(`tr[data-key="gpt-4o"] .quality`), "0.95")
	contains("claude quality", text(`tr[data-key="claude-sonnet-4"] .quality`), "0.00")
	contains("footer", text("#footer"), "retention traces 30d", "content 7d")
	shot("dashboard.png")

	// Trace list → waterfall → span content.
	trace1 := storegen.TraceID(1).String()
	do(chromedp.Navigate(srv.URL+"/#/traces"), chromedp.WaitVisible("#trace-list"))
	if n := count("#trace-list tr[data-trace]"); n != 3 {
		t.Errorf("trace list shows %d traces, want 3", n)
	}
	do(chromedp.Navigate(srv.URL+"/#/traces?score_below=0.5"), chromedp.WaitVisible("#trace-list"))
	if n := count("#trace-list tr[data-trace]"); n != 2 {
		t.Errorf("traces with a score below 0.5: %d, want 2 (the failed call, the thumbs-down)", n)
	}
	do(chromedp.Click(`tr[data-trace="`+trace1+`"]`), chromedp.WaitVisible("#waterfall"))
	if n := count("#waterfall .wf-row"); n != 4 {
		t.Errorf("waterfall shows %d spans, want 4", n)
	}
	contains("waterfall", text("#waterfall"), "invoke_agent support", "execute_tool get_policy", "2.50 s", "800 ms")
	contains("scores of the answer", text(`.wf-row[data-span="0000000000000004"] .wf-scores`),
		"quality 0.90", "relevance 0.30", "user_feedback 0.00")
	do(chromedp.Click(`.wf-row[data-span="0000000000000004"]`))
	contains("evaluations of the answer", text("#span-detail .evaluations"),
		"relevance", "0.30", "low", "judge", "the answer ignores the delivery date", "thumbs_down", "feedback")
	do(chromedp.Click(`.wf-row[data-span="0000000000000002"]`))
	contains("span detail", text("#span-detail"), "What is the refund policy for order 1234?", "get_policy", "$0.0006", "openai")
	shot("trace.png")

	// Session as a chat transcript with the tool run and the failed call.
	do(chromedp.Navigate(srv.URL+"/#/sessions"), chromedp.WaitVisible("#session-list"),
		chromedp.Click(`tr[data-session="sess-alice"]`), chromedp.WaitVisible("#transcript"))
	contains("transcript", text("#transcript"), "You are the support assistant", "What is the refund policy",
		"calls tool get_policy", "TOOL RUN\nget_policy · 80 ms", "You can get a refund within 30 days", "And for damaged items?",
		"No response: rate_limit_exceeded")
	shot("session.png")
	// Durations read in the largest units that fit: a session of an hour is not "3478.8 s".
	durations := uitest.Evaluate[[]string](b, `[800, 2500, 60400, 3478800, 7322000].map(fmt.ms)`)
	if want := []string{"800 ms", "2.50 s", "60.4 s", "57 min 58 s", "2 h 2 min"}; !slices.Equal(durations, want) {
		t.Errorf("durations shown as %q, want %q", durations, want)
	}

	// Dependency graph, logs, and the alerts placeholder (no llmalert here).
	do(chromedp.Navigate(srv.URL+"/#/dependencies"), chromedp.WaitVisible(".graph svg"))
	if n := count(".graph [data-node]"); n != 9 { // service×2, agent, tool, model×3, provider×2
		t.Errorf("graph has %d nodes, want 9", n)
	}
	shot("dependencies.png")
	do(chromedp.Navigate(srv.URL+"/#/logs?errors=true"), chromedp.WaitVisible("#log-list"))
	if got := text("#log-list"); !strings.Contains(got, "429") || strings.Contains(got, "looked up") {
		t.Errorf("errors-only logs:\n%s", got)
	}
	do(chromedp.Navigate(srv.URL+"/#/alerts"), chromedp.WaitVisible("#alerts-absent"))
	contains("alerts", text("#alerts-absent"), "llmalert exporter, which is not configured")
	t.Logf("screenshots in %s", shots)
}
