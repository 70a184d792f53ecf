package normalize

import (
	"encoding/json"
	"io"
	"strings"
	"time"

	jsoniter "github.com/json-iterator/go"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Langfuse attribute names.
const (
	lfObservationType  = "langfuse.observation.type"
	lfModelName        = "langfuse.observation.model.name"
	lfModelParameters  = "langfuse.observation.model.parameters"
	lfUsageDetails     = "langfuse.observation.usage_details"
	lfCompletionStart  = "langfuse.observation.completion_start_time"
	lfLevel            = "langfuse.observation.level"
	lfStatusMessage    = "langfuse.observation.status_message"
	lfInput            = "langfuse.observation.input"
	lfOutput           = "langfuse.observation.output"
	lfPromptName       = "langfuse.observation.prompt.name"
	lfSessionID        = "langfuse.session.id"
	lfUserID           = "langfuse.user.id"
	errorTypeOther     = "_OTHER"
	langfuseLevelError = "ERROR"
)

// lfOperations maps langfuse.observation.type by analogy with Langfuse's own
// ObservationTypeMapper; span, event, guardrail and evaluator have no operation.
var lfOperations = map[string]string{
	"generation": genai.OpChat,
	"embedding":  genai.OpEmbeddings,
	"agent":      genai.OpInvokeAgent,
	"tool":       genai.OpExecuteTool,
	"retriever":  genai.OpRetrieval,
	"chain":      genai.OpInvokeWorkflow,
}

func (s *state) langfuse() {
	if t, ok := s.str(lfObservationType); ok {
		s.kinded = true
		if op, known := lfOperations[strings.ToLower(t)]; known {
			s.setStr(genai.OperationName, op)
		}
	}
	if m, ok := s.str(lfModelName); ok {
		s.setStr(genai.RequestModel, m)
		s.setStr(genai.ResponseModel, m)
		s.consume(lfModelName)
	}
	if p, ok := s.str(lfModelParameters); ok {
		s.requestParamsJSON(p)
	}
	if u, ok := s.str(lfUsageDetails); ok {
		s.langfuseUsage(u)
	}
	if t, ok := s.str(lfCompletionStart); ok && s.hasSpan {
		s.completionStart(t)
	}
	if lvl, ok := s.str(lfLevel); ok && strings.EqualFold(lvl, langfuseLevelError) {
		s.setStr(genai.ErrorType, errorTypeOther)
		if s.hasSpan && s.span.Status().Code() != ptrace.StatusCodeError {
			msg, _ := s.str(lfStatusMessage)
			s.span.Status().SetCode(ptrace.StatusCodeError)
			s.span.Status().SetMessage(msg)
			s.touch()
		}
	}
	s.renameStr(lfPromptName, genai.PromptName)
	if id, ok := s.str(lfSessionID); ok {
		s.setStr(genai.ConversationID, id)
		s.setStr(genai.SessionID, id)
	} else if id, ok := s.str(genai.SessionID); ok {
		s.setStr(genai.ConversationID, id)
	}
	s.renameStr(lfUserID, genai.UserID)
	s.langfuseContent()
	s.langfuseScores()
}

// langfuseUsage adds back what Langfuse splits off: its "input" is uncached input and its
// "output" excludes reasoning, the opposite of semconv.
func (s *state) langfuseUsage(text string) {
	u, ok := flatNumbers(text)
	if !ok {
		var m map[string]json.Number
		if err := jsonAPI.Unmarshal([]byte(text), &m); err != nil {
			s.fail()
			return
		}
		u = u[:0]
		for k, n := range m {
			u = append(u, numberField{k, n})
		}
	}
	get := func(keys ...string) (int64, bool) {
		for _, k := range keys {
			if n, ok := u.get(k); ok {
				v, err := n.Int64()
				if err != nil || v < 0 || v > maxTokens {
					s.fail()
					return 0, false
				}
				return v, true
			}
		}
		return 0, false
	}
	cacheRead, hasRead := get("input_cached_tokens", "input_cache_read", "cache_read_input_tokens")
	cacheWrite, hasWrite := get("input_cache_creation", "input_cache_write", "cache_creation_input_tokens")
	reasoning, hasReasoning := get("output_reasoning_tokens", "output_reasoning")
	if in, ok := get("input"); ok {
		s.setInt(genai.UsageInputTokens, in+cacheRead+cacheWrite)
	}
	if out, ok := get("output"); ok {
		s.setInt(genai.UsageOutputTokens, out+reasoning)
	}
	if hasRead {
		s.setInt(genai.UsageCacheReadInputTokens, cacheRead)
	}
	if hasWrite {
		s.setInt(genai.UsageCacheCreationInputTokens, cacheWrite)
	}
	if hasReasoning {
		s.setInt(genai.UsageReasoningOutputTokens, reasoning)
	}
}

// numberFields are the members of a flat JSON object of numbers, in document order.
type numberFields []numberField

type numberField struct {
	key string
	n   json.Number
}

// get returns the value of key; of duplicate keys the last wins, as when decoding into
// a map.
func (fs numberFields) get(key string) (json.Number, bool) {
	for i := len(fs) - 1; i >= 0; i-- {
		if fs[i].key == key {
			return fs[i].n, true
		}
	}
	return "", false
}

// flatNumbers reads a JSON object whose values are all numbers or strings (Langfuse usage
// details) without building a map, which cost a dozen allocations per span. ok is false
// for anything else, malformed JSON included: the caller then decodes it the general way,
// which decides what is an error.
func flatNumbers(text string) (fs numberFields, ok bool) {
	iter := jsonAPI.BorrowIterator([]byte(text))
	defer jsonAPI.ReturnIterator(iter)
	simple := true
	fs = make(numberFields, 0, 8) // usage details have a handful of counts
	iter.ReadObjectCB(func(iter *jsoniter.Iterator, key string) bool {
		switch iter.WhatIsNext() {
		case jsoniter.NumberValue:
			fs = append(fs, numberField{key, iter.ReadNumber()})
		case jsoniter.StringValue:
			fs = append(fs, numberField{key, json.Number(iter.ReadString())})
		default:
			simple = false
		}
		return simple
	})
	if !simple || iter.Error != nil {
		return nil, false
	}
	// Only whitespace may follow the object.
	iter.WhatIsNext()
	return fs, iter.Error == io.EOF
}

// completionStart turns the completion start timestamp (RFC 3339, possibly itself a JSON
// string) into seconds since the span start.
func (s *state) completionStart(text string) {
	text = strings.Trim(text, `"`)
	t, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		s.fail()
		return
	}
	start := s.span.StartTimestamp().AsTime()
	if d := t.Sub(start); d >= 0 && s.span.StartTimestamp() != 0 {
		s.setDouble(genai.ResponseTimeToFirstChunk, d.Seconds())
	} else {
		s.fail()
	}
}

// langfuseContent maps observation input/output only when they are chat messages:
// an array of {role, content}, or {messages: [...]} for input; one message or an array
// for output. Anything else is free-form and stays as it is.
func (s *state) langfuseContent() {
	if in, ok := s.str(lfInput); ok && !s.has(genai.InputMessages) {
		if msgs := chatMessagesIn(in, true); len(msgs) > 0 {
			s.setMessages(genai.InputMessages, msgs)
		}
	}
	if out, ok := s.str(lfOutput); ok && !s.has(genai.OutputMessages) {
		if msgs := chatMessagesIn(out, false); len(msgs) > 0 {
			setOutputFinish(msgs, strSlice(s.attrs, genai.ResponseFinishReasons))
			s.setMessages(genai.OutputMessages, msgs)
		}
	}
}

// chatMessagesIn recognises chat messages in free-form JSON; nil when it is not that.
func chatMessagesIn(text string, input bool) []genai.Message {
	t := strings.TrimSpace(text)
	var in []chatMessage
	switch {
	case t == "":
		return nil
	case t[0] == '[':
		if jsonAPI.UnmarshalFromString(t, &in) != nil {
			return nil
		}
	case t[0] == '{' && input:
		var w struct {
			Messages []chatMessage `json:"messages"`
		}
		if jsonAPI.UnmarshalFromString(t, &w) != nil {
			return nil
		}
		in = w.Messages
	case t[0] == '{':
		var m chatMessage
		if jsonAPI.UnmarshalFromString(t, &m) != nil {
			return nil
		}
		in = []chatMessage{m}
	}
	if len(in) == 0 {
		return nil
	}
	msgs := make([]genai.Message, 0, len(in))
	for _, m := range in {
		if m.Role == "" {
			return nil // not chat messages: free-form JSON stays as it is
		}
		msg, err := m.toMessage("", false)
		if err != nil {
			return nil
		}
		msgs = append(msgs, msg)
	}
	return msgs
}
