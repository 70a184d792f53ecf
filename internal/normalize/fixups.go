package normalize

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Streaming events whose first occurrence marks the first chunk: OpenLLMetry (legacy and
// ≥0.55 spellings) and OpenInference.
var firstChunkEvents = map[string]bool{
	"llm.content.completion.chunk":    true,
	"gen_ai.content.completion.chunk": true,
	"First Token Stream Event":        true,
}

// fixups brings any GenAI span, whatever its source, to the v1.41 invariants.
func (s *state) fixups() {
	s.encodeMessages()
	if v, ok := s.attrs.Get(genai.ResponseFinishReasons); ok && v.Type() == pcommon.ValueTypeStr {
		r := v.Str()
		s.attrs.PutEmptySlice(genai.ResponseFinishReasons).AppendEmpty().SetStr(r)
		s.touch()
	}
	s.finishReasons()
	s.provider()
	s.operation()
	s.tokens()
	if s.hasSpan {
		s.spanEvents()
	}
}

// finishReasons spells gen_ai.response.finish_reasons like the output messages' enum
// (Anthropic's end_turn and max_tokens, Gemini's STOP, Vercel's tool-calls), so that one
// query or evaluator ("truncated: length") works across providers and conventions.
func (s *state) finishReasons() {
	v, ok := s.attrs.Get(genai.ResponseFinishReasons)
	if !ok || v.Type() != pcommon.ValueTypeSlice {
		return
	}
	sl := v.Slice()
	for i := 0; i < sl.Len(); i++ {
		e := sl.At(i)
		if e.Type() != pcommon.ValueTypeStr {
			continue
		}
		if n := outputFinish(e.Str()); n != e.Str() {
			e.SetStr(n)
			s.touch()
		}
	}
}

// encodeMessages turns structured message attributes into the canonical JSON string form
// used on spans; log records keep them structured (see Logs).
func (s *state) encodeMessages() {
	for _, k := range [...]string{genai.InputMessages, genai.OutputMessages, genai.SystemInstructions} {
		v, ok := s.attrs.Get(k)
		if !ok || (v.Type() != pcommon.ValueTypeSlice && v.Type() != pcommon.ValueTypeMap) {
			continue
		}
		text, err := genai.ValueJSON(v)
		if err == nil {
			text, err = canonical(k, text)
		}
		if err != nil {
			s.fail()
			continue
		}
		s.attrs.PutStr(k, text)
		s.touch()
	}
}

// canonical re-encodes a message attribute through the genai model.
func canonical(key, text string) (string, error) {
	if key == genai.SystemInstructions {
		parts, err := genai.ParseParts(text)
		if err != nil {
			return "", err
		}
		return encodeParts(parts), nil
	}
	msgs, err := genai.ParseMessages(text)
	if err != nil {
		return "", err
	}
	return encodeMessages(msgs), nil
}

// provider normalizes the provider spelling, or infers it for a model call that has
// none: from server.address, then from the model family.
func (s *state) provider() {
	if v, ok := s.attrs.Get(genai.ProviderName); ok {
		if p, known := genai.NormalizeProvider(v.AsString()); known && v.Type() == pcommon.ValueTypeStr {
			s.putStr(genai.ProviderName, p)
		} else if v.Type() != pcommon.ValueTypeStr {
			s.fail()
		}
		return
	}
	// Only model calls: an HTTP span to api.openai.com that merely carries a propagated
	// gen_ai.conversation.id is not one.
	op := genai.Str(s.attrs, genai.OperationName)
	model := genai.Str(s.attrs, genai.ResponseModel)
	if model == "" {
		model = genai.Str(s.attrs, genai.RequestModel)
	}
	if (op != "" && !genai.IsInference(op)) || (op == "" && model == "") {
		return
	}
	if p := providerFromHost(genai.Str(s.attrs, genai.ServerAddress)); p != "" {
		s.setStr(genai.ProviderName, p)
		return
	}
	if p := providerFromModel(model); p != "" {
		s.setStr(genai.ProviderName, p)
	}
}

// operation sets gen_ai.operation.name on a GenAI span that has none: v1.26-era and some
// custom instrumentations omit it. A tool span executes a tool; a span with a model,
// messages or usage is a chat call.
func (s *state) operation() {
	if s.kinded || s.has(genai.OperationName) {
		return
	}
	switch {
	case s.has(genai.ToolName) || s.has(genai.ToolCallID):
		s.setStr(genai.OperationName, genai.OpExecuteTool)
	case s.has(genai.RequestModel) || s.has(genai.ResponseModel) || s.has(genai.InputMessages) ||
		s.has(genai.OutputMessages) || s.has(genai.UsageInputTokens) || s.has(genai.UsageOutputTokens):
		s.setStr(genai.OperationName, genai.OpChat)
	}
}

// tokens checks the usage attributes and restores the semconv invariants: input
// includes cache read and cache write, output includes reasoning. A count smaller than
// its own part can only come from a source that reports the parts separately.
func (s *state) tokens() {
	in, hasIn := s.count(genai.UsageInputTokens)
	out, hasOut := s.count(genai.UsageOutputTokens)
	read, _ := s.count(genai.UsageCacheReadInputTokens)
	write, _ := s.count(genai.UsageCacheCreationInputTokens)
	reasoning, _ := s.count(genai.UsageReasoningOutputTokens)
	if hasIn && in < read+write {
		s.attrs.PutInt(genai.UsageInputTokens, in+read+write)
		s.touch()
	}
	if hasOut && out < reasoning {
		s.attrs.PutInt(genai.UsageOutputTokens, out+reasoning)
		s.touch()
	}
}

// spanEvents derives error.type from exception events and the time to first chunk from
// streaming chunk events.
func (s *state) spanEvents() {
	events := s.span.Events()
	start := s.span.StartTimestamp()
	ttft := s.has(genai.ResponseTimeToFirstChunk)
	for i := range events.Len() {
		e := events.At(i)
		switch name := e.Name(); {
		case name == evException:
			typ := genai.Str(e.Attributes(), exceptionType)
			if typ == "" {
				typ = errorTypeOther
			}
			s.setStr(genai.ErrorType, typ)
			if st := s.span.Status(); st.Code() == ptrace.StatusCodeUnset {
				st.SetCode(ptrace.StatusCodeError)
				st.SetMessage(genai.Str(e.Attributes(), exceptionMessage))
				s.touch()
			}
		case !ttft && firstChunkEvents[name]:
			ttft = true
			if ts := e.Timestamp(); start != 0 && ts >= start {
				s.setDouble(genai.ResponseTimeToFirstChunk, ts.AsTime().Sub(start.AsTime()).Seconds())
			}
		}
	}
}
