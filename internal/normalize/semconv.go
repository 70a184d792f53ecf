package normalize

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Deprecated semconv event names: the 1.28–1.36 per-message events and the v1.26
// content events.
const (
	evSystemMessage     = "gen_ai.system.message"
	evUserMessage       = "gen_ai.user.message"
	evAssistantMessage  = "gen_ai.assistant.message"
	evToolMessage       = "gen_ai.tool.message"
	evChoice            = "gen_ai.choice"
	evContentPrompt     = "gen_ai.content.prompt"
	evContentCompletion = "gen_ai.content.completion"
	evException         = "exception"
	exceptionType       = "exception.type"
	exceptionMessage    = "exception.message"
)

// messageEventRoles gives the role of each input-message event.
var messageEventRoles = map[string]string{
	evSystemMessage:    "system",
	evUserMessage:      "user",
	evAssistantMessage: "assistant",
	evToolMessage:      "tool",
}

func isMessageEvent(name string) bool {
	_, ok := messageEventRoles[name]
	return ok || name == evChoice
}

var legacyRenames = []rename{
	{legacySystem, genai.ProviderName, asProvider},
	{legacyPromptTokens, genai.UsageInputTokens, asCount},
	{legacyCompletionTokens, genai.UsageOutputTokens, asCount},
	{legacyOpenAISeed, genai.RequestSeed, asInt},
	{legacyOpenAIReqTier, genai.OpenAIRequestServiceTier, asString},
	{legacyOpenAIRespTier, genai.OpenAIResponseServiceTier, asString},
	{legacyOpenAIFingerpr, genai.OpenAIResponseSystemFingerprint, asString},
	{legacyEndUser, genai.UserID, asString},
}

func (s *state) semconvLegacy() {
	s.renames(legacyRenames)
	if f, ok := s.str(legacyOpenAIFormat); ok {
		if t := outputType(f); t != "" {
			s.setStr(genai.OutputType, t)
			s.consume(legacyOpenAIFormat)
		}
	}

	s.legacyContent(s.attrs)
	if s.hasSpan {
		s.foldSpanEvents()
	}
}

// legacyContent maps the semconv ≤1.27 gen_ai.prompt / gen_ai.completion JSON strings,
// found on the span or on a v1.26 content event.
func (s *state) legacyContent(attrs pcommon.Map) {
	if v, ok := attrs.Get(legacyPrompt); ok && !s.has(genai.InputMessages) {
		if text, ok := s.valStr(v); ok {
			if msgs, err := parseChatMessages(text, "user"); err != nil {
				s.fail()
			} else {
				s.setMessages(genai.InputMessages, msgs)
				s.consume(legacyPrompt)
			}
		}
	}
	if v, ok := attrs.Get(legacyCompletion); ok && !s.has(genai.OutputMessages) {
		if text, ok := s.valStr(v); ok {
			if msgs, err := parseChatMessages(text, "assistant"); err != nil {
				s.fail()
			} else {
				setOutputFinish(msgs, strSlice(s.attrs, genai.ResponseFinishReasons))
				s.setMessages(genai.OutputMessages, msgs)
				s.consume(legacyCompletion)
			}
		}
	}
}

// foldSpanEvents folds the deprecated message events of a span into the message
// attributes; the events are removed when originals are not kept.
func (s *state) foldSpanEvents() {
	events := s.span.Events()
	var conv conversation
	folded := false
	for i := range events.Len() {
		e := events.At(i)
		switch name := e.Name(); {
		case name == evContentPrompt || name == evContentCompletion:
			s.legacyContent(e.Attributes())
			folded = true
		case isMessageEvent(name):
			var err error
			if m, ok := eventMessage(name, e.Attributes()); ok {
				err = conv.addMessage(name, m)
			} else {
				err = conv.add(name, eventBody(e))
			}
			if err != nil {
				s.fail()
				continue
			}
			folded = true
		}
	}
	s.setMessages(genai.InputMessages, conv.input)
	s.setMessages(genai.OutputMessages, conv.outputs())
	if folded && !s.n.keep {
		events.RemoveIf(func(e ptrace.SpanEvent) bool {
			n := e.Name()
			return isMessageEvent(n) || n == evContentPrompt || n == evContentCompletion
		})
		s.touch()
	}
}

// eventBody is the JSON body of a deprecated message event recorded as a span event:
// gen_ai.event.content when present (Azure AI Inference style), else the attributes.
func eventBody(e ptrace.SpanEvent) []byte {
	attrs := e.Attributes()
	if v, ok := attrs.Get(legacyEventContent); ok && v.Type() == pcommon.ValueTypeStr {
		return []byte(v.Str())
	}
	raw := attrs.AsRaw()
	delete(raw, legacySystem)
	b, _ := json.Marshal(raw) // AsRaw values always marshal
	return b
}

// conversation collects deprecated message events of one call, in order.
type conversation struct {
	input  []genai.Message
	output []choiceMessage
}

type choiceMessage struct {
	index int
	msg   genai.Message
}

// legacyChoice is a gen_ai.choice body.
type legacyChoice struct {
	Index        int             `json:"index"`
	FinishReason string          `json:"finish_reason"`
	Message      json.RawMessage `json:"message"`
	ToolCalls    toolCalls       `json:"tool_calls"`
}

// add adds one event body (JSON object).
func (c *conversation) add(name string, body []byte) error {
	if name != evChoice {
		var m chatMessage
		if err := jsonAPI.Unmarshal(body, &m); err != nil {
			return err
		}
		return c.addMessage(name, m)
	}
	var ch legacyChoice
	if err := jsonAPI.Unmarshal(body, &ch); err != nil {
		return err
	}
	var m chatMessage
	if raw := bytes.TrimSpace(ch.Message); len(raw) > 0 {
		if raw[0] == '"' { // flattened into a JSON string on a span event
			var s string
			if err := jsonAPI.Unmarshal(raw, &s); err != nil {
				return err
			}
			raw = []byte(s)
		}
		if err := jsonAPI.Unmarshal(raw, &m); err != nil {
			return err
		}
	}
	if len(m.ToolCalls) == 0 {
		m.ToolCalls = ch.ToolCalls
	}
	msg, err := m.toMessage("assistant", false)
	if err != nil {
		return err
	}
	msg.FinishReason = outputFinish(ch.FinishReason)
	c.output = append(c.output, choiceMessage{ch.Index, msg})
	return nil
}

// addMessage adds the decoded body of an input-message event.
func (c *conversation) addMessage(name string, m chatMessage) error {
	msg, err := m.toMessage(messageEventRoles[name], name == evToolMessage)
	if err != nil {
		return err
	}
	c.input = append(c.input, msg)
	return nil
}

// eventMessage reads the body of an input-message event straight from its attributes
// when they are plain strings named like chatMessage's string fields (the common
// {content} or {role, content}); ok is false for anything else, which takes the general
// path through JSON. For the attributes it accepts, the JSON round trip would give the
// same message: valid UTF-8 survives it unchanged, and each field has one spelling.
func eventMessage(name string, attrs pcommon.Map) (m chatMessage, ok bool) {
	if name == evChoice {
		return m, false
	}
	var seen uint8
	ok = true
	attrs.Range(func(k string, v pcommon.Value) bool {
		if k == legacySystem {
			return true // dropped from the body, see eventBody
		}
		if v.Type() != pcommon.ValueTypeStr || !utf8.ValidString(v.Str()) {
			ok = false
			return false
		}
		var dst *string
		var bit uint8
		switch {
		case asciiEqualFold(k, "role"):
			dst, bit = &m.Role, 1
		case asciiEqualFold(k, "content"):
			m.Content, bit = v.Str(), 2
		case asciiEqualFold(k, "name"):
			dst, bit = &m.Name, 4
		case asciiEqualFold(k, "tool_call_id"):
			dst, bit = &m.ToolCallID, 8
		case asciiEqualFold(k, "id"):
			dst, bit = &m.ID, 16
		case asciiEqualFold(k, "refusal"):
			dst, bit = &m.Refusal, 32
		default:
			ok = false // tool_calls, or a field the JSON decoder would ignore or reject
			return false
		}
		if seen&bit != 0 {
			ok = false // two spellings of one field: which wins depends on key order
			return false
		}
		seen |= bit
		if dst != nil {
			*dst = v.Str()
		}
		return true
	})
	return m, ok
}

// outputs returns the choices ordered by index.
func (c *conversation) outputs() []genai.Message {
	if len(c.output) == 0 {
		return nil
	}
	slices.SortStableFunc(c.output, func(a, b choiceMessage) int { return a.index - b.index })
	msgs := make([]genai.Message, len(c.output))
	for i, o := range c.output {
		msgs[i] = o.msg
	}
	return msgs
}

// strSlice reads a string-array attribute (a plain string counts as one element).
func strSlice(attrs pcommon.Map, key string) []string {
	v, ok := attrs.Get(key)
	if !ok {
		return nil
	}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return []string{v.Str()}
	case pcommon.ValueTypeSlice:
		out := make([]string, 0, v.Slice().Len())
		for i := range v.Slice().Len() {
			out = append(out, v.Slice().At(i).AsString())
		}
		return out
	}
	return nil
}
