package evaluate

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Inputs that can be malformed, counted in Stats by the attribute that holds them.
const (
	inOutputMessages = iota
	inFinishReasons
	inToolDefinitions
	inOutputTokens
	numInputs
)

var inputNames = [numInputs]string{
	inOutputMessages:  genai.OutputMessages,
	inFinishReasons:   genai.ResponseFinishReasons,
	inToolDefinitions: genai.ToolDefinitions,
	inOutputTokens:    genai.UsageOutputTokens,
}

// spanInput is what the evaluators read from a span's attributes, in one pass (a
// pcommon.Map lookup is a linear scan, and a normalized span has dozens of attributes).
type spanInput struct {
	operation    string
	errorType    string
	outputType   string
	output       pcommon.Value // gen_ai.output.messages
	finish       pcommon.Value // gen_ai.response.finish_reasons
	definitions  pcommon.Value // gen_ai.tool.definitions
	outputTokens pcommon.Value
	has          [numInputs]bool
	scored       bool // carries genai.QualityScore: evaluated earlier in the chain
}

func readInput(attrs pcommon.Map) spanInput {
	var in spanInput
	attrs.Range(func(k string, v pcommon.Value) bool {
		switch k {
		case genai.OperationName:
			in.operation = str(v)
		case genai.ErrorType:
			in.errorType = str(v)
		case genai.OutputType:
			in.outputType = str(v)
		case genai.OutputMessages:
			in.output, in.has[inOutputMessages] = v, true
		case genai.ResponseFinishReasons:
			in.finish, in.has[inFinishReasons] = v, true
		case genai.ToolDefinitions:
			in.definitions, in.has[inToolDefinitions] = v, true
		case genai.UsageOutputTokens:
			in.outputTokens, in.has[inOutputTokens] = v, true
		case genai.QualityScore:
			in.scored = true
		}
		return true
	})
	return in
}

func str(v pcommon.Value) string {
	if v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

// hasOutput reports whether the span records anything of the response.
func (in *spanInput) hasOutput() bool {
	return in.has[inOutputMessages] || in.has[inFinishReasons] || in.has[inOutputTokens]
}

// jsonText returns the JSON text of a messages or definitions attribute: the string form
// normalized spans carry, or the structured form (encoded, which allocates) when the
// normalizer did not run.
func jsonText(v pcommon.Value) (string, bool) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return v.Str(), true
	case pcommon.ValueTypeSlice, pcommon.ValueTypeMap:
		s, err := genai.ValueJSON(v)
		return s, err == nil
	}
	return "", false
}

// choice is what the evaluators need to know about one output message (one choice of
// the model). Parts are ranges into the work's texts and calls.
type choice struct {
	finish       text
	hasFinish    bool
	textLo       int
	textHi       int
	callLo       int
	callHi       int
	nonText      bool // content other than text and reasoning: images, files, server tools
	refusalPart  bool // a part of type "refusal", as OpenAI's API spells a refusal
	finishReason finishKind
}

// toolCall is a tool_call part.
type toolCall struct {
	name text
	args string // raw JSON value; "" when absent
}

// readOutput scans gen_ai.output.messages (v1.41: [{role, parts: [{type, …}],
// finish_reason}]) into w.choices, w.texts and w.calls. It reports false, with nothing
// kept, when the text is not such a list.
func (w *work) readOutput(s string) bool {
	return w.readOneText(s) || w.readMessageList(s)
}

// The output of almost every call, as genai.MarshalMessages writes it and as semconv
// instrumentations do: one assistant message of one text part, with or without a finish
// reason.
const (
	oneTextOpen   = `[{"role":"assistant","parts":[{"type":"text","content":"`
	oneTextFinish = `}],"finish_reason":"`
	oneTextClose  = `}]}]`
)

// readOneText reads s when it is exactly one text answer in the form above, as
// readMessageList would, and reports false, with nothing kept, for anything else: the
// answer is scanned, and the frame compared, without the general reader's work per key.
func (w *work) readOneText(s string) bool {
	if !strings.HasPrefix(s, oneTextOpen) {
		return false
	}
	sc := scanner{s: s, i: len(oneTextOpen) - 1}
	raw, escaped := sc.str()
	rest := s[sc.i:]
	c := choice{textLo: len(w.texts), textHi: len(w.texts) + 1, callLo: len(w.calls), callHi: len(w.calls)}
	switch {
	case sc.bad:
		return false
	case rest == oneTextClose:
	case strings.HasPrefix(rest, oneTextFinish):
		reason := rest[len(oneTextFinish):]
		n := len(reason) - len(`"}]`)
		if n < 0 || reason[n:] != `"}]` || !plain(reason[:n]) {
			return false
		}
		c.finish, c.hasFinish = text{raw: reason[:n]}, true
		c.finishReason = classifyFinish(c.finish)
	default:
		return false
	}
	w.texts = append(w.texts, text{raw, escaped})
	w.choices = append(w.choices, c)
	return true
}

// plain reports whether s can be the raw content of a JSON string without escapes.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// readMessageList reads any list of messages.
func (w *work) readMessageList(s string) bool {
	sc := scanner{s: s}
	if sc.peek() == 'n' { // null: no messages
		sc.literal("null")
		return sc.end()
	}
	sc.open('[')
	for n := 0; sc.more(']', &n); {
		if !w.readMessage(&sc) {
			break
		}
	}
	if !sc.end() {
		w.choices, w.texts, w.calls = w.choices[:0], w.texts[:0], w.calls[:0]
		return false
	}
	return true
}

func (w *work) readMessage(sc *scanner) bool {
	c := choice{textLo: len(w.texts), callLo: len(w.calls)}
	sc.open('{')
	for n := 0; sc.more('}', &n); {
		raw, esc := sc.key()
		k := text{raw, esc}
		switch {
		case k.equals("parts"):
			if sc.peek() == 'n' {
				sc.literal("null")
				continue
			}
			sc.open('[')
			for m := 0; sc.more(']', &m); {
				w.readPart(sc, &c)
			}
		case k.equals("finish_reason"):
			c.finish, c.hasFinish = optionalString(sc)
		case k.equals("role"), k.equals("name"):
			optionalString(sc)
		default:
			sc.value()
		}
	}
	c.textHi, c.callHi = len(w.texts), len(w.calls)
	if c.hasFinish {
		c.finishReason = classifyFinish(c.finish)
	}
	w.choices = append(w.choices, c)
	return !sc.bad
}

// optionalString reads a string or null; anything else is malformed, as it is for
// genai.ParseMessages.
func optionalString(sc *scanner) (text, bool) {
	if sc.peek() == 'n' {
		sc.literal("null")
		return text{}, false
	}
	raw, esc := sc.str()
	return text{raw, esc}, true
}

func (w *work) readPart(sc *scanner, c *choice) {
	var typ, content, name text
	var hasType, hasContent bool
	var args string
	sc.open('{')
	for n := 0; sc.more('}', &n); {
		raw, esc := sc.key()
		k := text{raw, esc}
		switch {
		case k.equals("type"):
			if sc.peek() != '"' {
				sc.fail() // a part needs a string type
				return
			}
			typ.raw, typ.escaped = sc.str()
			hasType = true
		case k.equals("content") && sc.peek() == '"':
			content.raw, content.escaped = sc.str()
			hasContent = true
		case k.equals("name") && sc.peek() == '"':
			name.raw, name.escaped = sc.str()
		case k.equals("arguments"):
			args = sc.value()
		default:
			sc.value()
		}
	}
	if !hasType {
		sc.fail()
		return
	}
	switch {
	case typ.equals(genai.PartText):
		if hasContent {
			w.texts = append(w.texts, content)
		}
	case typ.equals(genai.PartReasoning):
	case typ.equals(genai.PartToolCall):
		w.calls = append(w.calls, toolCall{name: name, args: args})
	case typ.equals(partRefusal):
		c.refusalPart = true
	default:
		c.nonText = true
	}
}

// partRefusal is the part type OpenAI's API gives a refusal. The normalizer turns it into
// text, but spans recorded in semconv by other instrumentations may keep it.
const partRefusal = "refusal"

// finishKind classifies a finish reason for the evaluators.
type finishKind uint8

const (
	finishOther finishKind = iota
	finishLength
	finishContentFilter
	finishRefusal
	finishError
)

// classifyFinish maps a finish reason as any provider spells it. genai.NormalizeFinishReason
// knows the common spellings; the rest are provider-specific reasons for a blocked answer
// (Gemini's RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII; Bedrock's guardrail) and
// Mistral's model_length.
func classifyFinish(t text) finishKind {
	reason := t.raw
	if t.escaped {
		reason = string(unescape(nil, t.raw, true))
	}
	return classifyReason(reason)
}

func classifyReason(reason string) finishKind {
	if reason == genai.FinishStop || reason == genai.FinishToolCall {
		return finishOther // most calls, as normalized spans spell them
	}
	r := genai.NormalizeFinishReason(reason)
	for _, k := range finishSpellings {
		for _, s := range k.spellings {
			if equalFoldASCII(r, s) {
				return k.kind
			}
		}
	}
	return finishOther
}

var finishSpellings = []struct {
	kind      finishKind
	spellings []string
}{
	{finishLength, []string{genai.FinishLength, "model_length"}},
	{finishContentFilter, []string{genai.FinishContentFilter, "recitation", "blocklist", "prohibited_content",
		"spii", "image_safety", "guardrail_intervened"}},
	{finishRefusal, []string{"refusal"}},
	{finishError, []string{genai.FinishError}},
}

// equalFoldASCII compares ASCII case-insensitively; t is lower case.
func equalFoldASCII(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != t[i] {
			return false
		}
	}
	return true
}

// containsFoldASCII reports whether s contains the lower-case ASCII t, ignoring case.
func containsFoldASCII(s, t string) bool {
	for i := 0; i+len(t) <= len(s); i++ {
		if equalFoldASCII(s[i:i+len(t)], t) {
			return true
		}
	}
	return false
}
