package normalize

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name     string
		mappings []Mapping
		want     string
	}{
		{"valid", []Mapping{{From: "app.model", To: genai.RequestModel}}, ""},
		{"empty to", []Mapping{{From: "a", To: "b"}, {From: "c", To: "d"}, {From: "app.model", To: ""}},
			"custom_mappings[2].to: empty; set the target attribute name, e.g. gen_ai.request.model"},
		{"empty from", []Mapping{{From: "", To: genai.RequestModel}},
			"custom_mappings[0].from: empty; set the source attribute name"},
		{"spaces", []Mapping{{From: " a", To: "b "}},
			"custom_mappings[0].from: \" a\" has surrounding spaces; remove them\ncustom_mappings[0].to: \"b \" has surrounding spaces; remove them"},
		{"self", []Mapping{{From: "a", To: "a"}},
			"custom_mappings[0]: from and to are both \"a\"; a mapping must copy to a different attribute"},
		{"duplicate target", []Mapping{{From: "a", To: "t"}, {From: "b", To: "t"}},
			"custom_mappings[1].to: \"t\" is already the target of custom_mappings[0]; keep one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.CustomMappings = tt.mappings
			err := cfg.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Fatalf("Validate() = %q, want %q", got, tt.want)
			}
			if _, err := New(cfg); (err != nil) != (tt.want != "") {
				t.Fatalf("New() error = %v, want error: %v", err, tt.want != "")
			}
		})
	}
}

func TestDefaultConfigEnablesEverySource(t *testing.T) {
	enabled := DefaultConfig().Sources.enabled()
	for s := range numSources {
		if !enabled.Has(s) {
			t.Errorf("source %s is not enabled by default", s)
		}
	}
}

func oiSpan() ptrace.Span {
	span := ptrace.NewSpan()
	span.Attributes().PutStr(oiSpanKind, "LLM")
	span.Attributes().PutStr(oiModelName, "gpt-4o")
	span.Attributes().PutInt(oiTokenPrompt, 10)
	return span
}

func TestDisabledSourceLeavesSpanUnchanged(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Sources.OpenInference = false
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	span := oiSpan()
	before := ptrace.NewSpan()
	span.CopyTo(before)
	if r := n.Span(span); r.Sources != 0 || r.Errors != 0 {
		t.Fatalf("disabled source produced %v, %d errors", r.Sources.Names(), r.Errors)
	}
	if !span.Attributes().Equal(before.Attributes()) {
		t.Fatalf("span changed: %v", span.Attributes().AsRaw())
	}

	n, _ = New(DefaultConfig())
	r := n.Span(span)
	if !r.Sources.Has(OpenInference) || r.Count(OpenInference) != 1 || r.Sources.Len() != 1 {
		t.Fatalf("enabled source: got %v", r.Sources.Names())
	}
	if got := genai.Str(span.Attributes(), genai.RequestModel); got != "gpt-4o" {
		t.Fatalf("request model = %q", got)
	}
}

func TestSourcesNamesInMappingOrder(t *testing.T) {
	ss := Sources(0).with(SemconvLegacy).with(Vercel).with(Semconv)
	got := ss.Names()
	want := []string{"vercel", "semconv_legacy", "semconv"}
	if len(got) != len(want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Names() = %v, want %v", got, want)
		}
	}
	if Source(200).String() != "unknown" || (Result{}).Count(Source(200)) != 0 {
		t.Fatal("out-of-range source must be harmless")
	}

	var total Result
	n, _ := New(DefaultConfig())
	for range 3 {
		total.Merge(n.Span(oiSpan()))
	}
	if total.Count(OpenInference) != 3 || total.Sources.Len() != 1 {
		t.Fatalf("merged result: %v, count %d", total.Sources.Names(), total.Count(OpenInference))
	}
}

func TestLogsCountsFoldedCalls(t *testing.T) {
	n, _ := New(DefaultConfig())
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i, name := range []string{evUserMessage, evChoice, evUserMessage, evChoice} {
		lr := lrs.AppendEmpty()
		lr.SetEventName(name)
		lr.SetSpanID(pcommon.SpanID{byte(1 + i/2)})
		lr.Body().SetEmptyMap().PutStr("content", "x")
	}
	r := n.Logs(ld)
	if r.Count(SemconvLegacy) != 2 || lrs.Len() != 6 {
		t.Fatalf("folded %d calls into %d records, want 2 calls and 6 records", r.Count(SemconvLegacy), lrs.Len())
	}
	if r = n.Logs(ld); r.Sources != 0 || lrs.Len() != 6 {
		t.Fatalf("second pass: %v, %d records", r.Sources.Names(), lrs.Len())
	}
}

// TestWrongValueTypesNeverPanic puts every value type on every source attribute the
// normalizer reads: the span must come through, with errors counted, never a panic.
func TestWrongValueTypesNeverPanic(t *testing.T) {
	n, _ := New(DefaultConfig())
	values := map[string]func(pcommon.Value){
		"int":    func(v pcommon.Value) { v.SetInt(-7) },
		"double": func(v pcommon.Value) { v.SetDouble(1e300) },
		"bool":   func(v pcommon.Value) { v.SetBool(true) },
		"map":    func(v pcommon.Value) { v.SetEmptyMap().PutStr("x", "y") },
		"slice":  func(v pcommon.Value) { v.SetEmptySlice().AppendEmpty().SetInt(1) },
		"bytes":  func(v pcommon.Value) { v.SetEmptyBytes().FromRaw([]byte{0xff}) },
		"empty":  func(pcommon.Value) {},
		"junk":   func(v pcommon.Value) { v.SetStr("{\"") },
	}
	keys := []string{genai.InputMessages, genai.OutputMessages, genai.SystemInstructions, genai.ProviderName,
		genai.ResponseFinishReasons, genai.UsageInputTokens, vPromptTools, vPrompt, lfUsageDetails, lfCompletionStart,
		oiInputPrefix + "0.message.role", ollPromptPrefix + "0.content", ollCompletionPrefix + "0.tool_calls.0.arguments",
		"ai.settings.stopSequences", ollStopSequences, ollIsStreaming}
	for k := range exactKeys {
		keys = append(keys, k)
	}
	for typ, set := range values {
		span := ptrace.NewSpan()
		for _, k := range keys {
			set(span.Attributes().PutEmpty(k))
		}
		e := span.Events().AppendEmpty()
		e.SetName(evChoice)
		set(e.Attributes().PutEmpty("message"))
		r := n.Span(span)
		if typ == "junk" && r.Errors == 0 {
			t.Errorf("%s values: no error counted", typ)
		}
	}
}
