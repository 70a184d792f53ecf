package normalize

import (
	"encoding/json"
	"strings"
	"time"

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
}

// langfuseUsage adds back what Langfuse splits off: its "input" is uncached input and its
// "output" excludes reasoning, the opposite of semconv.
func (s *state) langfuseUsage(text string) {
	var u map[string]json.Number
	if err := jsonAPI.Unmarshal([]byte(text), &u); err != nil {
		s.fail()
		return
	}
	get := func(keys ...string) (int64, bool) {
		for _, k := range keys {
			if n, ok := u[k]; ok {
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
