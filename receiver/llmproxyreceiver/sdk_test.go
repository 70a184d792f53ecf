package llmproxyreceiver

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	anthropicoption "github.com/anthropics/anthropic-sdk-go/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/mockllm"
)

const testKey = "sk-test-4b1d2f0c9e8a7b6c5d4e3f2a1b0c9d8e"

func openaiClient(base string, rc *recordingClient) openai.Client {
	return openai.NewClient(option.WithBaseURL(base+"/v1"), option.WithAPIKey(testKey),
		option.WithHTTPClient(rc.Client), option.WithMaxRetries(0))
}

var weatherTool = openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
	Name:        "get_weather",
	Description: openai.String("Current weather in a city"),
	Parameters:  shared.FunctionParameters{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}},
})

func chatParams(tools bool) openai.ChatCompletionNewParams {
	p := openai.ChatCompletionNewParams{
		Model:       "gpt-4o-mini",
		Messages:    []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("Be brief."), openai.UserMessage("Say hello")},
		Temperature: openai.Float(0.2),
		MaxTokens:   openai.Int(64),
		User:        openai.String("user-from-body"),
	}
	if tools {
		p.Tools = []openai.ChatCompletionToolUnionParam{weatherTool}
	}
	return p
}

// openaiCalls are SDK calls covering every captured OpenAI endpoint; each returns the
// text the SDK decoded, so that a decoding difference would show too.
var openaiCalls = []struct {
	name string
	call func(ctx context.Context, c openai.Client) (string, error)
	want map[string]any
}{
	{"chat", func(ctx context.Context, c openai.Client) (string, error) {
		r, err := c.Chat.Completions.New(ctx, chatParams(false))
		if err != nil {
			return "", err
		}
		return r.Choices[0].Message.Content, nil
	}, map[string]any{
		genai.OperationName: "chat", genai.RequestModel: "gpt-4o-mini", genai.ResponseModel: mockllm.ChatModel,
		genai.UsageInputTokens: 12, genai.UsageOutputTokens: 5, genai.UsageCacheReadInputTokens: 2, genai.UsageReasoningOutputTokens: 1,
		genai.ResponseFinishReasons: []string{"stop"}, genai.RequestTemperature: 0.2, genai.RequestMaxTokens: 64,
		genai.UserID: "user-from-body", genai.ResponseID: "chatcmpl-mock1",
		genai.OutputMessages: `[{"role":"assistant","parts":[{"type":"text","content":"Hello from the mock."}],"finish_reason":"stop"}]`,
		genai.InputMessages:  `[{"role":"system","parts":[{"type":"text","content":"Be brief."}]},{"role":"user","parts":[{"type":"text","content":"Say hello"}]}]`,
	}},
	{"chat stream with usage", func(ctx context.Context, c openai.Client) (string, error) {
		p := chatParams(false)
		p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
		s := c.Chat.Completions.NewStreaming(ctx, p)
		var b strings.Builder
		for s.Next() {
			if ch := s.Current().Choices; len(ch) > 0 {
				b.WriteString(ch[0].Delta.Content)
			}
		}
		return b.String(), s.Err()
	}, map[string]any{
		genai.OperationName: "chat", genai.RequestStream: true, genai.ResponseModel: mockllm.ChatModel,
		genai.UsageInputTokens: 12, genai.UsageOutputTokens: 5, genai.ResponseFinishReasons: []string{"stop"},
		genai.OutputMessages: `[{"role":"assistant","parts":[{"type":"text","content":"Hello from the mock."}],"finish_reason":"stop"}]`,
	}},
	{"chat stream with tool call", func(ctx context.Context, c openai.Client) (string, error) {
		s := c.Chat.Completions.NewStreaming(ctx, chatParams(true))
		acc := openai.ChatCompletionAccumulator{}
		for s.Next() {
			acc.AddChunk(s.Current())
		}
		if len(acc.Choices) == 0 || len(acc.Choices[0].Message.ToolCalls) == 0 {
			return "", s.Err()
		}
		return acc.Choices[0].Message.ToolCalls[0].Function.Arguments, s.Err()
	}, map[string]any{
		genai.ResponseFinishReasons: []string{"tool_call"},
		genai.OutputMessages:        `[{"role":"assistant","parts":[{"type":"tool_call","id":"call_mock1","name":"get_weather","arguments":{"city":"Paris"}}],"finish_reason":"tool_call"}]`,
		genai.ToolDefinitions:       `[{"type":"function","name":"get_weather","description":"Current weather in a city","parameters":{"properties":{"city":{"type":"string"}},"type":"object"}}]`,
	}},
	{"chat tool call", func(ctx context.Context, c openai.Client) (string, error) {
		r, err := c.Chat.Completions.New(ctx, chatParams(true))
		if err != nil {
			return "", err
		}
		return r.Choices[0].Message.ToolCalls[0].Function.Arguments, nil
	}, map[string]any{
		genai.ResponseFinishReasons: []string{"tool_call"},
		genai.OutputMessages:        `[{"role":"assistant","parts":[{"type":"tool_call","id":"call_mock1","name":"get_weather","arguments":{"city":"Paris"}}],"finish_reason":"tool_call"}]`,
	}},
	{"responses", func(ctx context.Context, c openai.Client) (string, error) {
		r, err := c.Responses.New(ctx, responses.ResponseNewParams{
			Model: "gpt-4.1-mini", Instructions: openai.String("Be brief."),
			Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Say hello")},
		})
		if err != nil {
			return "", err
		}
		return r.OutputText(), nil
	}, map[string]any{
		genai.OperationName: "chat", genai.RequestModel: "gpt-4.1-mini", genai.ResponseModel: mockllm.ResponsesModel,
		genai.UsageInputTokens: 10, genai.UsageOutputTokens: 5, genai.UsageCacheReadInputTokens: 4, genai.UsageReasoningOutputTokens: 2,
		genai.ResponseFinishReasons: []string{"stop"}, genai.ResponseID: "resp_mock1",
		genai.SystemInstructions: `[{"type":"text","content":"Be brief."}]`,
		genai.InputMessages:      `[{"role":"user","parts":[{"type":"text","content":"Say hello"}]}]`,
		genai.OutputMessages:     `[{"role":"assistant","parts":[{"type":"text","content":"Hello from the mock."}],"finish_reason":"stop"}]`,
	}},
	{"responses stream", func(ctx context.Context, c openai.Client) (string, error) {
		s := c.Responses.NewStreaming(ctx, responses.ResponseNewParams{
			Model: "gpt-4.1-mini", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Say hello")},
		})
		var b strings.Builder
		for s.Next() {
			b.WriteString(s.Current().Delta)
		}
		return b.String(), s.Err()
	}, map[string]any{
		genai.RequestStream: true, genai.ResponseModel: mockllm.ResponsesModel, genai.UsageInputTokens: 10, genai.UsageOutputTokens: 5,
		genai.OutputMessages: `[{"role":"assistant","parts":[{"type":"text","content":"Hello from the mock."}],"finish_reason":"stop"}]`,
	}},
	{"embeddings", func(ctx context.Context, c openai.Client) (string, error) {
		r, err := c.Embeddings.New(ctx, openai.EmbeddingNewParams{
			Model: "text-embedding-3-small", Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("hello")},
		})
		if err != nil {
			return "", err
		}
		return fmtFloats(r.Data[0].Embedding), nil
	}, map[string]any{
		genai.OperationName: "embeddings", genai.RequestModel: "text-embedding-3-small", genai.ResponseModel: mockllm.EmbeddingModel,
		genai.UsageInputTokens: 3, genai.EmbeddingsDimensionCount: 4,
	}},
	{"completions", func(ctx context.Context, c openai.Client) (string, error) {
		r, err := c.Completions.New(ctx, openai.CompletionNewParams{
			Model: "gpt-3.5-turbo-instruct", Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String("Once upon")},
			MaxTokens: openai.Int(4),
		})
		if err != nil {
			return "", err
		}
		return r.Choices[0].Text, nil
	}, map[string]any{
		genai.OperationName: "text_completion", genai.RequestModel: "gpt-3.5-turbo-instruct", genai.ResponseFinishReasons: []string{"length"},
		genai.UsageInputTokens: 4, genai.UsageOutputTokens: 4,
		genai.InputMessages: `[{"role":"user","parts":[{"type":"text","content":"Once upon"}]}]`,
	}},
	{"completions stream", func(ctx context.Context, c openai.Client) (string, error) {
		s := c.Completions.NewStreaming(ctx, openai.CompletionNewParams{
			Model: "gpt-3.5-turbo-instruct", Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String("Once upon")},
			StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
		})
		var b strings.Builder
		for s.Next() {
			if ch := s.Current().Choices; len(ch) > 0 {
				b.WriteString(ch[0].Text)
			}
		}
		return b.String(), s.Err()
	}, map[string]any{
		genai.OperationName: "text_completion", genai.RequestStream: true, genai.UsageOutputTokens: 4,
		genai.OutputMessages: `[{"role":"assistant","parts":[{"type":"text","content":" a mock completion"}],"finish_reason":"length"}]`,
	}},
}

func fmtFloats(v []float64) string {
	var b strings.Builder
	for i, f := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatFloat(f, 'g', 6, 64))
	}
	return b.String()
}

// TestOpenAISDKThroughProxy drives the proxy with the official OpenAI Go SDK: the SDK
// must get byte-identical responses through the proxy and directly, and each call must
// produce one span that describes it.
func TestOpenAISDKThroughProxy(t *testing.T) {
	mock := startMock(t)
	for _, tc := range openaiCalls {
		t.Run(tc.name, func(t *testing.T) {
			p := startProxy(t, mock, nil)
			ctx := context.Background()
			directRC, proxiedRC := newRecordingClient(), newRecordingClient()
			directText, err := tc.call(ctx, openaiClient(mock.URL, directRC))
			if err != nil {
				t.Fatalf("direct call: %v", err)
			}
			proxiedText, err := tc.call(ctx, openaiClient(p.URL, proxiedRC))
			if err != nil {
				t.Fatalf("proxied call: %v", err)
			}
			if directText == "" || directText != proxiedText {
				t.Errorf("SDK decoded %q directly and %q through the proxy", directText, proxiedText)
			}
			assertSameExchange(t, directRC.last(t), proxiedRC.last(t))
			if got := mock.Last().Header.Get("Authorization"); got != "Bearer "+testKey {
				t.Errorf("upstream got Authorization %q, want the client's key", got)
			}

			span := p.onlySpan(t)
			if span.Kind() != ptrace.SpanKindClient {
				t.Errorf("span kind %v, want CLIENT", span.Kind())
			}
			if span.Status().Code() == ptrace.StatusCodeError {
				t.Errorf("span status error: %s", span.Status().Message())
			}
			assertAttrs(t, span, map[string]any{genai.ProviderName: "openai", genai.ServerAddress: "127.0.0.1", genai.HTTPResponseStatusCode: 200})
			assertAttrs(t, span, tc.want)
			if _, streamed := tc.want[genai.RequestStream]; streamed {
				if ttfc := attr(t, span, genai.ResponseTimeToFirstChunk).Double(); ttfc <= 0 || ttfc > 5 {
					t.Errorf("time to first chunk %v s", ttfc)
				}
			}
		})
	}
}

func anthropicClient(base string, rc *recordingClient) anthropic.Client {
	return anthropic.NewClient(anthropicoption.WithBaseURL(base), anthropicoption.WithAPIKey(testKey),
		anthropicoption.WithHTTPClient(rc.Client), anthropicoption.WithMaxRetries(0))
}

func messageParams(tools bool) anthropic.MessageNewParams {
	p := anthropic.MessageNewParams{
		Model:     anthropic.ModelClaudeSonnet4_5,
		MaxTokens: 256,
		System:    []anthropic.TextBlockParam{{Text: "Be brief."}},
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Say hello"))},
		TopK:      anthropic.Int(5),
	}
	if tools {
		p.Tools = []anthropic.ToolUnionParam{{OfTool: &anthropic.ToolParam{
			Name: "get_weather", Description: anthropic.String("Current weather in a city"),
			InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{"city": map[string]any{"type": "string"}}},
		}}}
	}
	return p
}

// TestAnthropicSDKThroughProxy is the Anthropic counterpart: /v1/messages, streamed or
// not, routed to the anthropic upstream by the anthropic-version header alone.
func TestAnthropicSDKThroughProxy(t *testing.T) {
	mock := startMock(t)
	usage := map[string]any{
		// Semconv input tokens include cache reads and writes: 20 + 100 + 5.
		genai.UsageInputTokens: 125, genai.UsageCacheReadInputTokens: 100, genai.UsageCacheCreationInputTokens: 5, genai.UsageOutputTokens: 6,
	}
	tests := []struct {
		name string
		call func(ctx context.Context, c anthropic.Client) (string, error)
		want map[string]any
	}{
		{"messages", func(ctx context.Context, c anthropic.Client) (string, error) {
			m, err := c.Messages.New(ctx, messageParams(false))
			if err != nil {
				return "", err
			}
			return m.Content[0].Text, nil
		}, map[string]any{
			genai.ResponseFinishReasons: []string{"stop"}, genai.RequestTopK: 5.0, genai.RequestMaxTokens: 256,
			genai.SystemInstructions: `[{"type":"text","content":"Be brief."}]`,
			genai.OutputMessages:     `[{"role":"assistant","parts":[{"type":"text","content":"Hello from the mock."}],"finish_reason":"stop"}]`,
		}},
		{"messages stream", func(ctx context.Context, c anthropic.Client) (string, error) {
			s := c.Messages.NewStreaming(ctx, messageParams(false))
			var b strings.Builder
			for s.Next() {
				if d, ok := s.Current().AsAny().(anthropic.ContentBlockDeltaEvent); ok {
					b.WriteString(d.Delta.Text)
				}
			}
			return b.String(), s.Err()
		}, map[string]any{
			genai.RequestStream: true, genai.ResponseFinishReasons: []string{"stop"},
			genai.OutputMessages: `[{"role":"assistant","parts":[{"type":"text","content":"Hello from the mock."}],"finish_reason":"stop"}]`,
		}},
		{"messages tool use", func(ctx context.Context, c anthropic.Client) (string, error) {
			m, err := c.Messages.New(ctx, messageParams(true))
			if err != nil {
				return "", err
			}
			return string(m.Content[1].Input), nil
		}, map[string]any{
			genai.ResponseFinishReasons: []string{"tool_call"},
			genai.OutputMessages:        `[{"role":"assistant","parts":[{"type":"text","content":"Let me check."},{"type":"tool_call","id":"toolu_mock1","name":"get_weather","arguments":{"city":"Paris"}}],"finish_reason":"tool_call"}]`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := startProxy(t, mock, func(c *Config) {
				// Only the anthropic-version header may route these to anthropic.
				c.Upstreams["openai"] = upstreamAt("http://127.0.0.1:1", "")
			})
			ctx := context.Background()
			directRC, proxiedRC := newRecordingClient(), newRecordingClient()
			directText, err := tc.call(ctx, anthropicClient(mock.URL, directRC))
			if err != nil {
				t.Fatalf("direct call: %v", err)
			}
			proxiedText, err := tc.call(ctx, anthropicClient(p.URL, proxiedRC))
			if err != nil {
				t.Fatalf("proxied call: %v", err)
			}
			if directText == "" || directText != proxiedText {
				t.Errorf("SDK decoded %q directly and %q through the proxy", directText, proxiedText)
			}
			assertSameExchange(t, directRC.last(t), proxiedRC.last(t))
			if got := mock.Last().Header.Get("X-Api-Key"); got != testKey {
				t.Errorf("upstream got x-api-key %q, want the client's key", got)
			}
			span := p.onlySpan(t)
			assertAttrs(t, span, map[string]any{
				genai.OperationName: "chat", genai.ProviderName: "anthropic", genai.RequestModel: "claude-sonnet-4-5",
				genai.ResponseModel: mockllm.ClaudeModel, genai.ResponseID: "msg_mock1", genai.ProxyUpstream: "anthropic",
			})
			assertAttrs(t, span, usage)
			assertAttrs(t, span, tc.want)
			if span.Name() != "chat claude-sonnet-4-5" {
				t.Errorf("span name %q", span.Name())
			}
		})
	}
}
