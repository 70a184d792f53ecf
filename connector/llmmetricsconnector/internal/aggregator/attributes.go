package aggregator

import (
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// field is a span attribute the aggregator reads.
type field uint8

const (
	fOperation field = iota
	fProvider
	fRequestModel
	fResponseModel
	fServerAddress
	fServerPort
	fErrorType
	fConversation
	fUser
	fAgentName
	fToolName
	fInputTokens
	fOutputTokens
	fCacheReadTokens
	fCacheWriteTokens
	fReasoningTokens
	fTimeToFirstChunk
	fCost
	fWorkflowName
	fEvaluationName
	fEvaluationScore
	fQualityScore
	fRedactionSummary
	fieldCount
)

func fieldOf(key string) (field, bool) {
	switch key {
	case genai.OperationName:
		return fOperation, true
	case genai.ProviderName:
		return fProvider, true
	case genai.RequestModel:
		return fRequestModel, true
	case genai.ResponseModel:
		return fResponseModel, true
	case genai.ServerAddress:
		return fServerAddress, true
	case genai.ServerPort:
		return fServerPort, true
	case genai.ErrorType:
		return fErrorType, true
	case genai.ConversationID:
		return fConversation, true
	case genai.UserID:
		return fUser, true
	case genai.AgentName:
		return fAgentName, true
	case genai.ToolName:
		return fToolName, true
	case genai.UsageInputTokens:
		return fInputTokens, true
	case genai.UsageOutputTokens:
		return fOutputTokens, true
	case genai.UsageCacheReadInputTokens:
		return fCacheReadTokens, true
	case genai.UsageCacheCreationInputTokens:
		return fCacheWriteTokens, true
	case genai.UsageReasoningOutputTokens:
		return fReasoningTokens, true
	case genai.ResponseTimeToFirstChunk:
		return fTimeToFirstChunk, true
	case genai.CostTotal:
		return fCost, true
	case genai.WorkflowName:
		return fWorkflowName, true
	case genai.EvaluationName:
		return fEvaluationName, true
	case genai.EvaluationScoreValue:
		return fEvaluationScore, true
	case genai.QualityScore:
		return fQualityScore, true
	case genai.RedactionSummary:
		return fRedactionSummary, true
	}
	return 0, false
}

// spanAttributes holds the attributes of one span that the aggregator reads, found in a
// single pass. pcommon.Map.Get scans the attributes on every call, and the aggregator
// needs some twenty-five of a GenAI span's twenty-odd attributes: one pass instead of one
// scan per name is what makes it several times cheaper than spanmetrics per span.
// call() is genai.ReadCall over these values (TestCallMatchesReadCall keeps them equal).
type spanAttributes struct {
	values  [fieldCount]pcommon.Value
	present uint32
	// dims are the values of the configured span dimensions, "" when absent.
	dims []string
}

func (s *spanAttributes) read(attrs pcommon.Map, dimensions []string) {
	s.present = 0
	if cap(s.dims) < len(dimensions) {
		s.dims = make([]string, len(dimensions))
	}
	s.dims = s.dims[:len(dimensions)]
	clear(s.dims)
	attrs.Range(func(k string, v pcommon.Value) bool {
		if f, ok := fieldOf(k); ok {
			s.values[f] = v
			s.present |= 1 << f
		}
		for i, d := range dimensions {
			if k == d {
				s.dims[i] = valueString(v)
			}
		}
		return true
	})
}

func (s *spanAttributes) get(f field) (pcommon.Value, bool) {
	if s.present&(1<<f) == 0 {
		return pcommon.Value{}, false
	}
	return s.values[f], true
}

func (s *spanAttributes) has(f field) bool { return s.present&(1<<f) != 0 }

func (s *spanAttributes) str(f field) string {
	if v, ok := s.get(f); ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

// count is a token count: a non-negative integer, else absent.
func (s *spanAttributes) count(f field) (int64, bool) {
	v, ok := s.get(f)
	if !ok {
		return 0, false
	}
	n, ok := genai.ValueInt(v)
	if !ok || n < 0 {
		return 0, false
	}
	return n, true
}

func (s *spanAttributes) float(f field) (float64, bool) {
	if v, ok := s.get(f); ok {
		return genai.ValueFloat(v)
	}
	return 0, false
}

// call is the span's genai.Call, as genai.ReadCall reads it.
func (s *spanAttributes) call() genai.Call {
	c := genai.Call{
		Operation:     s.str(fOperation),
		Provider:      s.str(fProvider),
		RequestModel:  s.str(fRequestModel),
		ResponseModel: s.str(fResponseModel),
		ServerAddress: s.str(fServerAddress),
		ErrorType:     s.str(fErrorType),
		Conversation:  s.str(fConversation),
		User:          s.str(fUser),
		AgentName:     s.str(fAgentName),
		ToolName:      s.str(fToolName),
	}
	if v, ok := s.get(fServerPort); ok {
		c.ServerPort, _ = genai.ValueInt(v)
	}
	u := &c.Usage
	u.Input, u.HasInput = s.count(fInputTokens)
	u.Output, u.HasOutput = s.count(fOutputTokens)
	u.CacheRead, u.HasCacheRead = s.count(fCacheReadTokens)
	u.CacheWrite, u.HasCacheWrite = s.count(fCacheWriteTokens)
	u.Reasoning, u.HasReasoning = s.count(fReasoningTokens)
	c.TimeToFirstChunk, _ = s.float(fTimeToFirstChunk)
	return c
}

// valueString reads a dimension value; non-string values are rendered as strings.
func valueString(v pcommon.Value) string {
	if v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return v.AsString()
}
