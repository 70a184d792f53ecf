package normalize

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// The fuzz targets feed untrusted message encodings through the whole span path and
// check that nothing panics and that every message attribute we write re-parses with the
// genai model. Seeds are in testdata/fuzz/<target>/.

func fuzzSpan(t *testing.T, fill func(pcommon.Map, ptrace.SpanEventSlice)) {
	n, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	span := ptrace.NewSpan()
	span.SetStartTimestamp(1)
	fill(span.Attributes(), span.Events())
	before := pcommon.NewMap()
	span.Attributes().CopyTo(before)
	n.Span(span)
	checkWritten(t, before, span.Attributes())
	if r := n.Span(span); r.Sources != 0 {
		t.Fatalf("second pass changed the span (%v)", r.Sources.Names())
	}
}

// checkWritten asserts that every message attribute the normalizer wrote (added or
// changed) is valid semconv; values it left alone may be the fuzzer's own garbage.
func checkWritten(t *testing.T, before, after pcommon.Map) {
	t.Helper()
	for _, k := range []string{genai.InputMessages, genai.OutputMessages, genai.SystemInstructions, genai.ToolDefinitions} {
		v, ok := after.Get(k)
		if !ok {
			continue
		}
		if old, had := before.Get(k); had && old.Equal(v) {
			continue
		}
		if v.Type() != pcommon.ValueTypeStr {
			t.Fatalf("%s written as %s, want a JSON string", k, v.Type())
		}
		var err error
		switch k {
		case genai.SystemInstructions:
			_, err = genai.ParseParts(v.Str())
		case genai.ToolDefinitions:
			if !json.Valid([]byte(v.Str())) {
				t.Fatalf("tool definitions are not JSON: %s", v.Str())
			}
		default:
			_, err = genai.ParseMessages(v.Str())
		}
		if err != nil {
			t.Fatalf("%s does not re-parse: %v\n%s", k, err, v.Str())
		}
	}
}

func FuzzChatMessagesJSON(f *testing.F) {
	f.Add(`[{"role":"user","content":"hi"}]`)
	f.Fuzz(func(t *testing.T, text string) {
		fuzzSpan(t, func(attrs pcommon.Map, _ ptrace.SpanEventSlice) {
			attrs.PutStr(legacyPrompt, text)
			attrs.PutStr(legacyCompletion, text)
			attrs.PutStr(lfObservationType, "generation")
			attrs.PutStr(lfInput, text)
			attrs.PutStr(lfOutput, text)
		})
	})
}

func FuzzVercelMessagesJSON(f *testing.F) {
	f.Add(`[{"role":"user","content":[{"type":"text","text":"hi"}]}]`, `[{"toolCallId":"a","toolName":"b","input":{}}]`)
	f.Fuzz(func(t *testing.T, prompt, toolCalls string) {
		fuzzSpan(t, func(attrs pcommon.Map, _ ptrace.SpanEventSlice) {
			attrs.PutStr(vOperationID, "ai.generateText.doGenerate")
			attrs.PutStr(vPromptMessages, prompt)
			attrs.PutStr(vPrompt, prompt)
			attrs.PutStr(vResponseToolCalls, toolCalls)
			attrs.PutStr(vProviderMetadata, toolCalls)
			attrs.PutEmptySlice(vPromptTools).AppendEmpty().SetStr(toolCalls)
		})
	})
}

func FuzzSemconvEventBodies(f *testing.F) {
	f.Add(`{"content":"hi"}`, `{"index":0,"finish_reason":"stop","message":{"content":"ok"}}`)
	f.Fuzz(func(t *testing.T, body, choice string) {
		fuzzSpan(t, func(attrs pcommon.Map, events ptrace.SpanEventSlice) {
			attrs.PutStr(legacySystem, "openai")
			for _, name := range []string{evSystemMessage, evUserMessage, evAssistantMessage, evToolMessage} {
				e := events.AppendEmpty()
				e.SetName(name)
				e.Attributes().PutStr(legacyEventContent, body)
			}
			e := events.AppendEmpty()
			e.SetName(evChoice)
			e.Attributes().PutStr(legacyEventContent, choice)
			// Structured semconv messages on the span are re-encoded as JSON strings.
			_ = jsonToValue([]byte(body), attrs.PutEmpty(genai.InputMessages))
		})
	})
}

// FuzzFlattenedIndexes builds OpenInference and OpenLLMetry indexed keys from lines of
// "suffix=value" and puts each under every list prefix.
func FuzzFlattenedIndexes(f *testing.F) {
	f.Add("0.message.role=user\n0.message.content=hi\n10.message.role=assistant\n10.message.tool_calls.0.tool_call.function.arguments={\"a\":1}")
	f.Fuzz(func(t *testing.T, lines string) {
		fuzzSpan(t, func(attrs pcommon.Map, _ ptrace.SpanEventSlice) {
			attrs.PutStr(oiSpanKind, "LLM")
			attrs.PutStr(ollRequestType, "chat")
			for _, line := range strings.Split(lines, "\n") {
				k, v, _ := strings.Cut(line, "=")
				for _, p := range []string{oiInputPrefix, oiOutputPrefix, oiPromptsPrefix, oiChoicesPrefix, oiToolsPrefix,
					ollPromptPrefix, ollCompletionPrefix, ollFunctionsPrefix} {
					attrs.PutStr(p+k, v)
				}
			}
		})
	})
}

// FuzzEvaluations feeds OpenInference evaluation lists ("suffix=value" lines under
// evaluations. and annotations.), a Langfuse score list and feedback values. Every result
// written must be a well-formed event: a name, and a finite score only where the input had
// one to read.
func FuzzEvaluations(f *testing.F) {
	f.Add("0.evaluation.name=relevance\n0.evaluation.score=0.5\n1.annotation.label=x", `[{"name":"a","value":1,"dataType":"BOOLEAN"}]`, "up", "4")
	f.Fuzz(func(t *testing.T, lines, scores, thumbs, rating string) {
		span := ptrace.NewSpan()
		fuzzSpan(t, func(attrs pcommon.Map, _ ptrace.SpanEventSlice) {
			attrs.PutStr(oiSpanKind, "LLM")
			for _, line := range strings.Split(lines, "\n") {
				k, v, _ := strings.Cut(line, "=")
				attrs.PutStr(oiEvaluationsPrefix+k, v)
				attrs.PutStr(oiAnnotationsPrefix+strings.Replace(k, "evaluation.", "annotation.", 1), v)
			}
			attrs.PutStr(lfScores, scores)
			attrs.PutStr(genai.FeedbackThumbs, thumbs)
			attrs.PutStr(genai.FeedbackRating, rating)
		})
		n, _ := New(DefaultConfig())
		span.Attributes().PutStr(oiSpanKind, "LLM")
		span.Attributes().PutStr(lfScores, scores)
		span.Attributes().PutStr(genai.FeedbackThumbs, thumbs)
		span.Attributes().PutStr(genai.FeedbackRating, rating)
		n.Span(span)
		for i := range span.Events().Len() {
			a := span.Events().At(i).Attributes()
			if genai.Str(a, genai.EvaluationName) == "" {
				t.Fatalf("evaluation without a name: %v", a.AsRaw())
			}
			if v, ok := a.Get(genai.EvaluationScoreValue); ok {
				if v.Type() != pcommon.ValueTypeDouble || math.IsNaN(v.Double()) || math.IsInf(v.Double(), 0) {
					t.Fatalf("score %v is not a finite double", v.AsRaw())
				}
			}
		}
	})
}
