// Package llmapi reads the wire formats of the OpenAI and Anthropic HTTP APIs (request
// bodies, response bodies and their event streams) into a Call: what a GenAI span needs
// to know about one model call, in semconv terms.
//
// Parsing is tolerant: a body that is not what the API documents yields an error and a
// partly filled Call, never a panic. Message content is decoded only when capture is on.
package llmapi

import (
	"encoding/json"
	"strings"

	jsoniter "github.com/json-iterator/go"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// jsonAPI decodes bodies in one pass: encoding/json validates the whole input before
// decoding it, which doubles the cost of describing a call. It is as strict as
// encoding/json on what it accepts and bounds nesting depth the same way.
var jsonAPI = jsoniter.ConfigCompatibleWithStandardLibrary

// API is the endpoint family of a request, which fixes its wire format.
type API uint8

const (
	// Other is any endpoint we do not capture; it is proxied untouched.
	Other API = iota
	ChatCompletions
	Completions
	Embeddings
	Responses
	Messages
)

// Classify returns the API a request targets. Matching is on the path suffix so that
// provider-specific prefixes (Azure's /openai/deployments/{name}/...) are recognised.
func Classify(method, path string) API {
	if method != "POST" {
		return Other
	}
	switch {
	case strings.HasSuffix(path, "/chat/completions"):
		return ChatCompletions
	case strings.HasSuffix(path, "/completions"):
		return Completions
	case strings.HasSuffix(path, "/embeddings"):
		return Embeddings
	case strings.HasSuffix(path, "/responses"):
		return Responses
	case strings.HasSuffix(path, "/v1/messages"):
		return Messages
	}
	return Other
}

// Operation is the gen_ai.operation.name of calls to the API.
func (a API) Operation() string {
	switch a {
	case ChatCompletions, Responses, Messages:
		return genai.OpChat
	case Completions:
		return genai.OpTextCompletion
	case Embeddings:
		return genai.OpEmbeddings
	}
	return ""
}

// Params are the request parameters semconv records. Nil means absent.
type Params struct {
	MaxTokens        *int64
	ChoiceCount      *int64
	Seed             *int64
	Temperature      *float64
	TopP             *float64
	TopK             *float64
	FrequencyPenalty *float64
	PresencePenalty  *float64
	StopSequences    []string
	EncodingFormats  []string
	OutputType       string
	ServiceTier      string
}

// Call is what the proxy learned about one call from its request and response.
type Call struct {
	RequestModel string
	Stream       bool
	Params       Params
	// User is the end-user id the request body carries (OpenAI user, Anthropic
	// metadata.user_id).
	User string

	SystemInstructions []genai.Part
	InputMessages      []genai.Message
	// ToolDefinitions is the JSON array of tool definitions (semconv shape).
	ToolDefinitions string

	ResponseID        string
	ResponseModel     string
	FinishReasons     []string
	OutputMessages    []genai.Message
	Usage             genai.Usage
	ResponseTier      string
	SystemFingerprint string
	DimensionCount    int64
	// ErrorType is the provider's error code or type, from an error body or an error
	// event inside a stream.
	ErrorType string
}

// ParseRequest reads a request body of the API into c.
func ParseRequest(api API, body []byte, capture bool, c *Call) error {
	switch api {
	case ChatCompletions, Completions:
		return parseChatRequest(api, body, capture, c)
	case Embeddings:
		return parseEmbeddingsRequest(body, c)
	case Responses:
		return parseResponsesRequest(body, capture, c)
	case Messages:
		return parseMessagesRequest(body, capture, c)
	}
	return nil
}

// ParseResponse reads a complete (non-streamed) successful response body into c.
func ParseResponse(api API, body []byte, capture bool, c *Call) error {
	switch api {
	case ChatCompletions, Completions:
		return parseChatResponse(body, capture, c)
	case Embeddings:
		return parseEmbeddingsResponse(body, c)
	case Responses:
		var r responsesResponse
		if err := jsonAPI.Unmarshal(body, &r); err != nil {
			return err
		}
		r.apply(capture, c)
		return nil
	case Messages:
		return parseMessagesResponse(body, capture, c)
	}
	return nil
}

// Stream accumulates the events of a streamed response.
type Stream interface {
	// Event handles one server-sent event.
	Event(name, data []byte)
	// Finish writes what the events said into c.
	Finish(c *Call)
	// Ended reports whether the API's last event ([DONE], message_stop, the final
	// response) arrived: after it, a closed connection loses nothing.
	Ended() bool
}

// NewStream returns the accumulator for a streamed response of the API. Accumulated
// text is bounded by maxContent bytes per message.
func NewStream(api API, capture bool, maxContent int) Stream {
	switch api {
	case ChatCompletions, Completions:
		return &chatStream{capture: capture, maxContent: maxContent}
	case Responses:
		return &responsesStream{capture: capture}
	case Messages:
		return &messagesStream{capture: capture, maxContent: maxContent}
	}
	return nopStream{}
}

type nopStream struct{}

func (nopStream) Event(_, _ []byte) {}
func (nopStream) Finish(*Call)      {}
func (nopStream) Ended() bool       { return false }

// ErrorType returns the provider's error code (or else type) from an OpenAI- or
// Anthropic-style error body, or "" when the body is not one.
func ErrorType(body []byte) string {
	var e struct {
		Error *errorObject `json:"error"`
	}
	if jsonAPI.Unmarshal(body, &e) != nil || e.Error == nil {
		return ""
	}
	return e.Error.kind()
}

type errorObject struct {
	Type string          `json:"type"`
	Code json.RawMessage `json:"code"`
}

func (e *errorObject) kind() string {
	var code string
	if jsonAPI.Unmarshal(e.Code, &code) == nil && code != "" {
		return code
	}
	if e.Type != "" {
		return e.Type
	}
	return "_OTHER"
}

// stringOrList decodes a JSON string or array of strings (OpenAI "stop").
func stringOrList(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var s string
	if jsonAPI.Unmarshal(raw, &s) == nil {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	var l []string
	if jsonAPI.Unmarshal(raw, &l) == nil {
		return l
	}
	return nil
}

// jsonString returns the JSON text of s, for tool responses recorded as strings.
func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// appendBounded appends s to b while b stays within max bytes.
func appendBounded(b *strings.Builder, s string, max int) {
	if room := max - b.Len(); room > 0 {
		if len(s) > room {
			s = s[:room]
		}
		b.WriteString(s)
	}
}

// dataURIPart turns an image URL into a blob part when it is a data: URI, else a uri part.
func dataURIPart(url, modality string) genai.Part {
	if rest, ok := strings.CutPrefix(url, "data:"); ok {
		if meta, data, ok := strings.Cut(rest, ","); ok {
			mime, _, _ := strings.Cut(meta, ";")
			return genai.Part{Type: genai.PartBlob, MimeType: mime, Modality: genai.ModalityOf(mime, modality), Content: data}
		}
	}
	return genai.Part{Type: genai.PartURI, Modality: modality, URI: url}
}
