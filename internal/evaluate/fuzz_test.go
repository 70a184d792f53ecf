package evaluate

import (
	"encoding/json"
	"math"
	"slices"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// FuzzScanValue checks the scanner against encoding/json: it accepts exactly the valid
// JSON texts (up to its depth bound), and decodes strings as encoding/json does.
func FuzzScanValue(f *testing.F) {
	for _, s := range []string{`{"a":[1,-2.5e+3,true,false,null,"x\u00e9\ud83d\ude00"]}`, `"\ud800"`, `[1,]`, `01`, `-`, `"\x"`, `{"a" 1}`, ` [ ] `} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		sc := scanner{s: data}
		sc.value()
		got := sc.end()
		if want := json.Valid([]byte(data)); got != want && sc.depth <= maxDepth {
			t.Fatalf("scanner says valid=%v, encoding/json %v", got, want)
		}
		if !got || data == "" || !utf8.ValidString(data) {
			return
		}
		sc = scanner{s: data}
		if sc.peek() != '"' {
			return
		}
		raw, escaped := sc.str()
		var want string
		if err := json.Unmarshal([]byte(data), &want); err != nil {
			t.Fatal(err)
		}
		if dec := string(unescape(nil, raw, escaped)); dec != want {
			t.Fatalf("decoded %q, encoding/json %q", dec, want)
		}
		if !(text{raw, escaped}).equals(want) {
			t.Fatalf("equals(%q) is false", want)
		}
	})
}

// FuzzSpan evaluates spans with arbitrary output messages, tool definitions and finish
// reasons: it must never panic, scores stay within 0–1, and output messages that are not
// valid JSON never produce a result from an evaluator that reads them.
func FuzzSpan(f *testing.F) {
	f.Add(`[{"role":"assistant","parts":[{"type":"text","content":"I can't help with that."}],"finish_reason":"stop"}]`, `[]`, "stop", "json")
	f.Add(`[{"role":"assistant","parts":[{"type":"tool_call","name":"f","arguments":"{\"a\":1"}]}]`,
		`[{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"string"}},"required":["b"]}}]`, "tool_call", "")
	f.Add(`[{"role":"assistant","parts":[{"type":"text","content":"\ud83d\ude00 \u00a0"}]},{"parts":null}]`, `{`, "length", "text")
	f.Add(`[{"role":"assistant","parts":[{"type":"text","content":"`, `[{"function":{"name":"f","parameters":{"items":{"type":"nope"}}}}]`, "SAFETY", "json")
	cfg := DefaultConfig()
	cfg.Emit = EmitAll
	cfg.OutputLength.BudgetTokens = 100
	cfg.Custom = []CustomCheck{{Name: "r", Regex: "(?i)help"}, {Name: "p", Phrases: []string{"can't"}, Expect: ExpectAbsent}}
	e, err := New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	readsMessages := map[string]bool{genai.EvaluatorEmptyOutput: true, genai.EvaluatorJSONOutput: true,
		genai.EvaluatorToolCallArguments: true, "r": true, "p": true}
	f.Fuzz(func(t *testing.T, messages, definitions, finish, outputType string) {
		span := ptrace.NewSpan()
		attrs := span.Attributes()
		attrs.PutStr(genai.OperationName, genai.OpChat)
		attrs.PutStr(genai.OutputMessages, messages)
		attrs.PutStr(genai.ToolDefinitions, definitions)
		attrs.PutStr(genai.ResponseFinishReasons, finish)
		attrs.PutStr(genai.OutputType, outputType)
		attrs.PutInt(genai.UsageOutputTokens, int64(len(messages)))
		st := e.Span(span)
		valid := json.Valid([]byte(messages))
		malformed := 0
		st.Malformed(func(attribute string, n int) {
			if attribute == genai.OutputMessages {
				malformed = n
			}
		})
		if !valid && malformed != 1 {
			t.Fatalf("invalid messages were not counted as malformed")
		}
		if q, ok := span.Attributes().Get(genai.QualityScore); ok && (q.Type() != pcommon.ValueTypeDouble || q.Double() < 0 || q.Double() > 1) {
			t.Fatalf("combined score %v", q.AsRaw())
		}
		for i := 0; i < span.Events().Len(); i++ {
			ev := span.Events().At(i).Attributes()
			name := genai.Str(ev, genai.EvaluationName)
			score, _ := genai.Float(ev, genai.EvaluationScoreValue)
			if math.IsNaN(score) || score < 0 || score > 1 {
				t.Fatalf("%s scored %v", name, score)
			}
			if !valid && (readsMessages[name] || name == genai.EvaluatorRefusal && finish != "refusal") {
				t.Fatalf("%s scored unreadable messages", name)
			}
		}
	})
}

// FuzzReadOneText checks the reader of the common one-text answer against the general
// reader: whatever it accepts, the general reader reads to the same choices and texts.
func FuzzReadOneText(f *testing.F) {
	for _, s := range []string{
		`[{"role":"assistant","parts":[{"type":"text","content":"Hello"}],"finish_reason":"stop"}]`,
		`[{"role":"assistant","parts":[{"type":"text","content":"I can\u2019t \"help\"\n"}],"finish_reason":"length"}]`,
		`[{"role":"assistant","parts":[{"type":"text","content":""}]}]`,
		`[{"role":"assistant","parts":[{"type":"text","content":"x"}],"finish_reason":"st\"op"}]`,
		`[{"role":"assistant","parts":[{"type":"text","content":"x"}],"finish_reason":"stop"}] `,
		`[{"role":"assistant","parts":[{"type":"text","content":"x"}],"finish_reason":"stop"},{"role":"assistant","parts":[]}]`,
		`[{"role":"assistant","parts":[{"type":"text","content":"a	b"}]}]`,
		`[{"role":"assistant","parts":[{"type":"text","content":"x"}],"finish_reason":null}]`,
	} {
		f.Add(s)
	}
	for _, s := range []string{ // the form genai.MarshalMessages writes takes the short way
		`[{"role":"assistant","parts":[{"type":"text","content":"Hello"}],"finish_reason":"stop"}]`,
		`[{"role":"assistant","parts":[{"type":"text","content":"I can\u2019t \"help\"\n"}]}]`,
	} {
		if w := new(work); !w.readOneText(s) || len(w.choices) != 1 || len(w.texts) != 1 {
			f.Fatalf("%s was not read as one text", s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		var fast, general work
		if !fast.readOneText(s) {
			if len(fast.choices)+len(fast.texts) > 0 {
				t.Fatalf("kept %d choices and %d texts of a text it did not read", len(fast.choices), len(fast.texts))
			}
			return
		}
		if !general.readMessageList(s) {
			t.Fatalf("read %q, which the general reader rejects", s)
		}
		if !slices.Equal(fast.choices, general.choices) || !slices.Equal(fast.texts, general.texts) || len(general.calls) > 0 {
			t.Fatalf("%q: read %+v %+v, the general reader %+v %+v", s, fast.choices, fast.texts, general.choices, general.texts)
		}
	})
}
