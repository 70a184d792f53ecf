package ui

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.opentelemetry.io/collector/pdata/ptrace"

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
	url := serveStore(t, func(ctx context.Context, s *store.Store) error {
		judge, feedback := storegen.FixtureLateEvaluations(base)
		return errors.Join(s.WriteTraces(ctx, storegen.Fixture(base)), s.WriteLogs(ctx, storegen.FixtureLogs(base)),
			s.WriteTraces(ctx, judge), s.WriteLogs(ctx, feedback))
	})

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
	do(chromedp.Navigate(url+"/#/"), chromedp.WaitVisible(".grid2 svg"))
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
	do(chromedp.Navigate(url+"/#/traces"), chromedp.WaitVisible("#trace-list"))
	if n := count("#trace-list tr[data-trace]"); n != 3 {
		t.Errorf("trace list shows %d traces, want 3", n)
	}
	// The same view again with a filter: wait for its render, not for the list already shown.
	do(chromedp.Navigate(url+"/#/traces?score_below=0.5"), chromedp.WaitVisible(`#main[data-route="#/traces?score_below=0.5"] #trace-list`))
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
	do(chromedp.Navigate(url+"/#/sessions"), chromedp.WaitVisible("#session-list"),
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
	do(chromedp.Navigate(url+"/#/dependencies"), chromedp.WaitVisible(".graph svg"))
	if n := count(".graph [data-node]"); n != 9 { // service×2, agent, tool, model×3, provider×2
		t.Errorf("graph has %d nodes, want 9", n)
	}
	if edges, labels := count(".graph path.edge"), count(".graph .ecount"); edges == 0 || labels != edges {
		t.Errorf("graph has %d edges and %d edge labels", edges, labels)
	}
	// Every edge label can be read: none lies on a node box or on another label.
	if hidden := uitest.Evaluate[[]string](b, graphLabelOverlaps); len(hidden) > 0 {
		t.Errorf("edge labels hidden: %q", hidden)
	}
	shot("dependencies.png")
	do(chromedp.Navigate(url+"/#/logs?errors=true"), chromedp.WaitVisible("#log-list"))
	if got := text("#log-list"); !strings.Contains(got, "429") || strings.Contains(got, "looked up") {
		t.Errorf("errors-only logs:\n%s", got)
	}
	do(chromedp.Navigate(url+"/#/alerts"), chromedp.WaitVisible("#alerts-absent"))
	contains("alerts", text("#alerts-absent"), "llmalert exporter, which is not configured")
	t.Logf("screenshots in %s", shots)
}

// TestDependencyGraphReadable opens the dependency graph of `llmctl demo`'s traffic (three
// services, an agent, tools, five models, their providers): every edge has its count, and
// no count lies on a node or on another count.
func TestDependencyGraphReadable(t *testing.T) {
	o := storegen.Options{Seed: 7, Start: time.Now().Add(-50 * time.Minute), Period: 45 * time.Minute, Traces: 300, Users: 25, Sessions: 60}
	url := serveStore(t, func(ctx context.Context, s *store.Store) error {
		return storegen.Generate(o, 100, func(td ptrace.Traces) error { return s.WriteTraces(ctx, td) })
	})

	b := uitest.New(t)
	b.Do(chromedp.Navigate(url+"/#/dependencies"), chromedp.WaitVisible(".graph svg"))
	if n := b.Count(".graph [data-node]"); n < 12 {
		t.Errorf("graph has %d nodes, want the demo's services, agent, tools, models and providers", n)
	}
	if edges, labels := b.Count(".graph path.edge"), b.Count(".graph .ecount"); edges < 15 || labels != edges {
		t.Errorf("graph has %d edges and %d edge labels", edges, labels)
	}
	if hidden := uitest.Evaluate[[]string](b, graphLabelOverlaps); len(hidden) > 0 {
		t.Errorf("edge labels hidden: %q", hidden)
	}
	b.Screenshot(t.ArtifactDir(), "dependencies-demo.png")
}

// serveStore opens a store in a temporary directory, has fill write into it, and serves
// the API and the UI over it until the test ends; it returns the server's URL.
func serveStore(t *testing.T, fill func(context.Context, *store.Store) error) string {
	s, err := store.Open(context.Background(), store.Options{Path: filepath.Join(t.TempDir(), "ui.db"), Policy: store.DefaultPolicy()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := fill(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	storeapi.Register(mux, s, storeapi.Options{Version: "test"})
	mux.Handle("/", Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// graphLabelOverlaps lists the edge labels of the dependency graph that overlap a node box
// or another edge label.
const graphLabelOverlaps = `(() => {
  const hit = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  const boxes = [...document.querySelectorAll(".graph [data-node] rect")].map((r) => r.getBBox());
  const labels = [...document.querySelectorAll(".graph .ecount")].map((l) => ({ text: l.firstChild.textContent, box: l.getBBox() }));
  const hidden = [];
  labels.forEach((l, i) => {
    if (boxes.some((b) => hit(l.box, b))) hidden.push(l.text + " on a node");
    for (const m of labels.slice(i + 1)) if (hit(l.box, m.box)) hidden.push(l.text + " on " + m.text);
  });
  return hidden;
})()`
