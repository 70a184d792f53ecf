package e2e

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestQuickstartAsWritten does what the README's quickstart tells a newcomer to do: run the
// distribution on examples/quickstart/config.yaml, post the example OpenInference span to
// the OTLP/HTTP port, and read the debug exporter's output.
func TestQuickstartAsWritten(t *testing.T) {
	cfg, err := os.ReadFile(filepath.Join(packageDir, "..", "examples", "quickstart", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	c := StartCollector(t, string(cfg), 4318)

	sent := llmctl(t, "send", filepath.Join(packageDir, "..", "examples", "quickstart", "openinference-span.json"))
	if !strings.Contains(sent, "sent 1 span to http://localhost:4318, moved ") {
		t.Fatalf("llmctl send: %s", sent)
	}

	// What the README shows coming out.
	want := []string{
		"gen_ai.operation.name: Str(chat)",
		"gen_ai.provider.name: Str(openai)",
		"gen_ai.request.model: Str(gpt-4o-mini-2024-07-18)",
		"gen_ai.usage.input_tokens: Int(1200)",
		"gen_ai.usage.cache_read.input_tokens: Int(200)",
		"gen_ai.conversation.id: Str(sess-42)",
		`gen_ai.input.messages: Str([{"role":"user","parts":[{"type":"text","content":"My email is <EMAIL>, can you reset my password?"}]}])`,
		// 1000 uncached × 0.15 + 200 cached × 0.075 + 300 output × 0.60, per million tokens
		"otelcol_llm.cost.total: Double(0.000345)",
		"otelcol_llm.pricing.model: Str(gpt-4o-mini)",
		`otelcol_llm.redaction.summary: Str({"EMAIL":2})`,
	}
	Eventually(t, 15*time.Second, "the debug exporter to print the normalized span", func() bool {
		return strings.Contains(c.Output(), "otelcol_llm.cost.total")
	})
	out := c.Output()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("debug output lacks %q", w)
		}
	}
	if strings.Contains(out, "jane.doe@example.org") {
		t.Errorf("the email address left the pipeline")
	}

	// The same span is in the embedded store, as `llmctl trace` shows it.
	var trace string
	Eventually(t, 15*time.Second, "the trace in the store", func() bool {
		cmd := exec.Command(filepath.Join(packageDir, "..", "bin", "llmctl"), "trace", "5b8efff798038103d269b633813fc60c")
		cmd.Env = append(os.Environ(), "LLMCTL_ENDPOINT=http://localhost:8686")
		b, err := cmd.CombinedOutput()
		trace = string(b)
		return err == nil && strings.Contains(trace, "ChatCompletion")
	})
	if strings.Contains(trace, "jane.doe@example.org") {
		t.Errorf("the store holds the unredacted email:\n%s", trace)
	}
	// Dated now, the call is on the dashboard of the last hour.
	Eventually(t, 15*time.Second, "the call on the dashboard", func() bool {
		return strings.Contains(llmctl(t, "dashboard"), "requests     1\n")
	})

	// The README's next step: an hour of generated traffic, through the same pipeline.
	if out := llmctl(t, "demo", "--traces", "120"); !strings.Contains(out, "sent 120 agent runs") {
		t.Fatalf("llmctl demo: %s", out)
	}
	var dashboard, sessions string
	Eventually(t, 30*time.Second, "the demo traffic on the dashboard and in sessions", func() bool {
		dashboard, sessions = llmctl(t, "dashboard"), llmctl(t, "sessions")
		return !strings.Contains(dashboard, "requests     1\n") && strings.Count(sessions, "session-") >= 10
	})
	// The alert rules run on the same traffic: llmalert answers (no "unknown"), and its
	// API is mounted on the store's server, where the web UI's Alerts page reads it.
	for _, want := range []string{"status       ", "gpt-4o-mini-2024-07-18", "gemini-2.0-flash", "quality      ", "alerts       "} {
		if !strings.Contains(dashboard, want) {
			t.Errorf("the dashboard after the demo lacks %q:\n%s", want, dashboard)
		}
	}
	if strings.Contains(dashboard, "alerts       unknown") {
		t.Errorf("the quickstart's alert rules are not reachable:\n%s", dashboard)
	}
	resp, err := http.Get("http://localhost:8686/api/v1/rules")
	if err != nil {
		t.Fatal(err)
	}
	rules, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(rules), "LLMErrorRateHigh") {
		t.Errorf("GET :8686/api/v1/rules: %s %s", resp.Status, rules)
	}
	// The demo's logs: an error record per failed call.
	if logs := llmctl(t, "logs", "--errors"); !strings.Contains(logs, " failed: ") {
		t.Errorf("llmctl logs --errors after the demo:\n%s", logs)
	}
	// Live traffic with the demo's incident: the error rate alert fires on the rate-limited
	// model, through llmmetrics and llmalert, and the store's server lists it.
	live := exec.Command(filepath.Join(packageDir, "..", "bin", "llmctl"), "demo", "--traces", "30", "--live", "5m")
	live.Env = append(os.Environ(), "LLMCTL_OTLP_ENDPOINT=http://localhost:4318")
	liveOut := &syncBuffer{}
	live.Stdout, live.Stderr = liveOut, liveOut
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	// The hour sent before may have set the alert off already: Ctrl-C comes only once the
	// demo says it sends live (and catches it), as a user would press it.
	Eventually(t, 30*time.Second, "llmctl demo --live to start sending live", func() bool {
		return strings.Contains(liveOut.String(), "sending ")
	})
	Eventually(t, 4*time.Minute, "the error rate alert on the rate-limited model", func() bool {
		alerts := llmctl(t, "alerts")
		for _, line := range strings.Split(alerts, "\n") {
			if strings.Contains(line, "LLMErrorRateHigh") && strings.Contains(line, "firing") &&
				strings.Contains(line, "claude-sonnet-4-20250514") {
				return true
			}
		}
		return false
	})
	_ = live.Process.Signal(os.Interrupt)
	if err := live.Wait(); err != nil || !strings.Contains(liveOut.String(), "agent runs live") {
		t.Errorf("llmctl demo --live, interrupted: %v\n%s", err, liveOut.String())
	}
	// The llmmetrics connector's series are in the store's metrics view.
	Eventually(t, 30*time.Second, "the request counter in the stored metrics", func() bool {
		return strings.Contains(llmctl(t, "metrics"), "otelcol_llm.requests")
	})
}

// llmctl runs bin/llmctl against the quickstart's endpoints and returns what it printed.
func llmctl(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(packageDir, "..", "bin", "llmctl"), args...)
	cmd.Env = append(os.Environ(), "LLMCTL_ENDPOINT=http://localhost:8686", "LLMCTL_OTLP_ENDPOINT=http://localhost:4318")
	b, _ := cmd.CombinedOutput()
	return string(b)
}
