package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// TestLLMProxyRedactsWhatItCaptures runs an app's OpenAI SDK call through the built
// collector's llmproxy receiver: the app gets the provider's real answer (which contains
// an email address), while the span that leaves the collector through the llm processor
// carries neither the prompt's nor the answer's address.
func TestLLMProxyRedactsWhatItCaptures(t *testing.T) {
	const email = "jane.doe@example.com"
	answer := "I will write to " + email + " today."
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path != "/v1/chat/completions" || !strings.Contains(string(body), email) {
			http.Error(w, "unexpected request "+r.URL.Path, http.StatusBadRequest)
			return
		}
		if r.Header.Get("Authorization") != "Bearer sk-e2e-key" {
			http.Error(w, "key not forwarded", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"chatcmpl-e2e","object":"chat.completion","created":1764300000,"model":"gpt-4o-mini-2024-07-18",`+
			`"choices":[{"index":0,"message":{"role":"assistant","content":%q},"finish_reason":"stop"}],`+
			`"usage":{"prompt_tokens":20,"completion_tokens":10,"total_tokens":30}}`, answer)
	}))
	defer upstream.Close()

	proxyPort := freePort(t)
	sink := NewOTLPSink(t)
	StartCollector(t, fmt.Sprintf(`
receivers:
  llmproxy:
    endpoint: 127.0.0.1:%d
    upstreams:
      openai:
        endpoint: %s
processors:
  llm:
  batch:
    timeout: 100ms
exporters:
  otlp_http:
    endpoint: %s
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [llmproxy]
      processors: [llm, batch]
      exporters: [otlp_http]
`, proxyPort, upstream.URL, sink.URL), proxyPort)

	client := openai.NewClient(option.WithBaseURL(fmt.Sprintf("http://127.0.0.1:%d/v1", proxyPort)),
		option.WithAPIKey("sk-e2e-key"), option.WithMaxRetries(0))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Please email " + email + " about the invoice.")},
	}, option.WithHeader("X-Llm-Session-Id", "e2e-session"))
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Choices[0].Message.Content; got != answer {
		t.Fatalf("client got %q, want the upstream's answer %q", got, answer)
	}

	var span ptrace.Span
	Eventually(t, 10*time.Second, "the proxied call's span", func() bool {
		for name, s := range sink.SpansByName() {
			if name == "chat gpt-4o-mini" {
				span = s
				return true
			}
		}
		return false
	})
	attrs := span.Attributes()
	for k, want := range map[string]string{
		genai.OperationName:  "chat",
		genai.ProviderName:   "openai",
		genai.ResponseModel:  "gpt-4o-mini-2024-07-18",
		genai.ConversationID: "e2e-session",
	} {
		if got := genai.Str(attrs, k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if n, _ := genai.Int(attrs, genai.UsageInputTokens); n != 20 {
		t.Errorf("input tokens %d, want 20", n)
	}
	for _, k := range []string{genai.InputMessages, genai.OutputMessages} {
		v := genai.Str(attrs, k)
		if v == "" {
			t.Errorf("%s missing: the proxy captures content by default", k)
		}
		t.Logf("exported %s: %s", k, v)
		if strings.Contains(v, email) {
			t.Errorf("%s still contains the email after the llm processor: %s", k, v)
		}
	}
	raw := fmt.Sprint(attrs.AsRaw())
	if strings.Contains(raw, "sk-e2e-key") {
		t.Errorf("the client's key is in the exported span: %s", raw)
	}
}
