// Package mockllm is a deterministic stand-in for the OpenAI and Anthropic HTTP APIs,
// used by the llmproxy tests and load test. It answers every endpoint the proxy
// captures with fixed bodies (streamed or not), and misbehaves on request: errors with
// rate-limit headers, slow headers, slow or truncated streams, garbage bodies.
//
// Behaviour is selected with request headers, which the proxy forwards:
//
//	X-Mock-Status: 429          answer with this status and a provider error body
//	X-Mock-Delay: 50ms          wait before sending response headers
//	X-Mock-Chunk-Delay: 10ms    wait between stream chunks
//	X-Mock-Truncate: 1          cut a stream's connection in the middle of an event
//	X-Mock-Garbage: 1           answer 200 with a body that is not JSON
package mockllm

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Date is the fixed Date header of every response, so that responses are comparable
// byte for byte whenever they are fetched.
const Date = "Fri, 28 Nov 2026 00:00:00 GMT"

// Server is a running mock.
type Server struct {
	URL string

	srv *http.Server
	ln  net.Listener

	// last is swapped, not locked: under load a lock here would make calls wait on
	// one another, in the direct and proxied measurements alike.
	last atomic.Pointer[Received]
	// Disconnects receives one value each time a client went away mid-stream.
	Disconnects chan struct{}
}

// Received is a request as the mock saw it.
type Received struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// Start serves the mock on a free 127.0.0.1 port.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), ln: ln, Disconnects: make(chan struct{}, 16)}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the mock.
func (s *Server) Close() error { return s.srv.Close() }

// Last returns the last request the mock received.
func (s *Server) Last() Received {
	if last := s.last.Load(); last != nil {
		return *last
	}
	return Received{}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.last.Store(&Received{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})

	if d, err := time.ParseDuration(r.Header.Get("X-Mock-Delay")); err == nil {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	h := w.Header()
	h.Set("Date", Date)
	h.Set("X-Request-Id", "req_mock_1")
	anthropic := strings.HasSuffix(r.URL.Path, "/v1/messages")

	if st, err := strconv.Atoi(r.Header.Get("X-Mock-Status")); err == nil {
		writeErrorBody(w, st, anthropic)
		return
	}
	if r.Header.Get("X-Mock-Garbage") != "" {
		h.Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "<html>upstream proxy error</html>")
		return
	}
	stream := bytes.Contains(body, []byte(`"stream":true`))
	usage := bytes.Contains(body, []byte(`"include_usage":true`))
	tools := bytes.Contains(body, []byte(`"tools":`))

	var resp string
	var events func() []string
	switch p := r.URL.Path; {
	case strings.HasSuffix(p, "/chat/completions"):
		resp, events = chatResponse(tools), func() []string { return chatStream(tools, usage) }
	case strings.HasSuffix(p, "/completions"):
		resp, events = CompletionResponse, func() []string { return completionStream(usage) }
	case strings.HasSuffix(p, "/embeddings"):
		resp = EmbeddingsResponse
		if bytes.Contains(body, []byte(`"encoding_format":"base64"`)) {
			resp = embeddingsBase64Response()
		}
	case strings.HasSuffix(p, "/responses"):
		resp, events = ResponsesResponse, responsesStream
	case anthropic:
		resp, events = messagesResponse(tools), messagesStream
	case p == "/v1/models" && r.Method == http.MethodGet:
		resp = ModelsResponse
	default:
		writeErrorBody(w, http.StatusNotFound, false)
		return
	}
	if stream && events != nil {
		s.writeStream(w, r, events())
		return
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(resp)))
	_, _ = io.WriteString(w, resp)
}

func (s *Server) writeStream(w http.ResponseWriter, r *http.Request, events []string) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	delay, _ := time.ParseDuration(r.Header.Get("X-Mock-Chunk-Delay"))
	truncate := r.Header.Get("X-Mock-Truncate") != ""
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	for i, ev := range events {
		if truncate && i == len(events)/2 {
			_, _ = io.WriteString(w, ev[:len(ev)/2])
			_ = rc.Flush()
			s.abort(w)
			return
		}
		if _, err := io.WriteString(w, ev); err != nil {
			s.gone()
			return
		}
		if err := rc.Flush(); err != nil {
			s.gone()
			return
		}
		if delay > 0 && i < len(events)-1 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				s.gone()
				return
			}
		}
	}
}

// abort closes the connection without ending the chunked body, as a crashing
// upstream would.
func (s *Server) abort(w http.ResponseWriter) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = buf.Flush()
	_ = conn.Close()
}

func (s *Server) gone() {
	select {
	case s.Disconnects <- struct{}{}:
	default:
	}
}

// RateLimitReset is the value of the rate-limit headers sent with a 429.
const RateLimitReset = "7s"

func writeErrorBody(w http.ResponseWriter, status int, anthropic bool) {
	h := w.Header()
	var body string
	switch {
	case status == http.StatusTooManyRequests && anthropic:
		body = `{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}`
	case status == http.StatusTooManyRequests:
		body = `{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}`
	case anthropic:
		body = `{"type":"error","error":{"type":"api_error","message":"mock failure"}}`
	default:
		body = `{"error":{"message":"mock failure","type":"server_error","param":null,"code":null}}`
	}
	if status == http.StatusTooManyRequests {
		h.Set("Retry-After", "7")
		h.Set("X-Ratelimit-Remaining-Requests", "0")
		h.Set("X-Ratelimit-Reset-Requests", RateLimitReset)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// Models.
const (
	ChatModel       = "gpt-4o-mini-2024-07-18"
	CompletionModel = "gpt-3.5-turbo-instruct"
	EmbeddingModel  = "text-embedding-3-small"
	ResponsesModel  = "gpt-4.1-mini-2025-04-14"
	ClaudeModel     = "claude-sonnet-4-5-20250929"
)

// ModelsResponse answers GET /v1/models, an endpoint the proxy passes through untouched.
const ModelsResponse = `{"object":"list","data":[{"id":"gpt-4o-mini","object":"model","created":1721172741,"owned_by":"system"}]}`

func chatResponse(tools bool) string {
	msg, reason := `{"role":"assistant","content":"Hello from the mock.","refusal":null}`, "stop"
	if tools {
		msg, reason = `{"role":"assistant","content":null,"refusal":null,"tool_calls":[{"id":"call_mock1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]}`, "tool_calls"
	}
	return `{"id":"chatcmpl-mock1","object":"chat.completion","created":1764300000,"model":"` + ChatModel + `","choices":[{"index":0,"message":` + msg +
		`,"logprobs":null,"finish_reason":"` + reason + `"}],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":2,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":1,"audio_tokens":0}},"service_tier":"default","system_fingerprint":"fp_mock"}`
}

func sse(data string) string { return "data: " + data + "\n\n" }

func chatChunk(choices string) string {
	return sse(`{"id":"chatcmpl-mock1","object":"chat.completion.chunk","created":1764300000,"model":"` + ChatModel + `","service_tier":"default","system_fingerprint":"fp_mock","choices":` + choices + `}`)
}

func chatStream(tools, usage bool) []string {
	ev := []string{chatChunk(`[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]`)}
	reason := "stop"
	if tools {
		reason = "tool_calls"
		ev = append(ev,
			chatChunk(`[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_mock1","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}]`),
			chatChunk(`[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\""}}]},"logprobs":null,"finish_reason":null}]`),
			chatChunk(`[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":\"Paris\"}"}}]},"logprobs":null,"finish_reason":null}]`))
	} else {
		ev = append(ev,
			chatChunk(`[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]`),
			chatChunk(`[{"index":0,"delta":{"content":" from the mock."},"logprobs":null,"finish_reason":null}]`))
	}
	ev = append(ev, chatChunk(`[{"index":0,"delta":{},"logprobs":null,"finish_reason":"`+reason+`"}]`))
	if usage {
		ev = append(ev, sse(`{"id":"chatcmpl-mock1","object":"chat.completion.chunk","created":1764300000,"model":"`+ChatModel+`","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":2},"completion_tokens_details":{"reasoning_tokens":1}}}`))
	}
	return append(ev, sse("[DONE]"))
}

// CompletionResponse answers /v1/completions.
const CompletionResponse = `{"id":"cmpl-mock1","object":"text_completion","created":1764300000,"model":"` + CompletionModel + `","choices":[{"text":" a mock completion","index":0,"logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":4,"completion_tokens":4,"total_tokens":8}}`

func completionStream(usage bool) []string {
	chunk := func(text, reason string) string {
		return sse(`{"id":"cmpl-mock1","object":"text_completion","created":1764300000,"model":"` + CompletionModel + `","choices":[{"text":"` + text + `","index":0,"logprobs":null,"finish_reason":` + reason + `}]}`)
	}
	ev := []string{chunk(" a mock", "null"), chunk(" completion", "null"), chunk("", `"length"`)}
	if usage {
		ev = append(ev, sse(`{"id":"cmpl-mock1","object":"text_completion","created":1764300000,"model":"`+CompletionModel+`","choices":[],"usage":{"prompt_tokens":4,"completion_tokens":4,"total_tokens":8}}`))
	}
	return append(ev, sse("[DONE]"))
}

// EmbeddingsResponse answers /v1/embeddings with a 4-dimensional vector.
const EmbeddingsResponse = `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2,0.3,0.4]}],"model":"` + EmbeddingModel + `","usage":{"prompt_tokens":3,"total_tokens":3}}`

func embeddingsBase64Response() string {
	var b [16]byte
	for i, f := range []float32{0.1, 0.2, 0.3, 0.4} {
		binary.LittleEndian.PutUint32(b[i*4:], math.Float32bits(f))
	}
	return `{"object":"list","data":[{"object":"embedding","index":0,"embedding":"` + base64.StdEncoding.EncodeToString(b[:]) + `"}],"model":"` + EmbeddingModel + `","usage":{"prompt_tokens":3,"total_tokens":3}}`
}

const responsesBody = `{"id":"resp_mock1","object":"response","created_at":1764300000,"status":"completed","error":null,"incomplete_details":null,"model":"` + ResponsesModel + `","output":[{"id":"msg_mock1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello from the mock.","annotations":[]}]}],"usage":{"input_tokens":10,"input_tokens_details":{"cached_tokens":4},"output_tokens":5,"output_tokens_details":{"reasoning_tokens":2},"total_tokens":15}}`

// ResponsesResponse answers /v1/responses.
const ResponsesResponse = responsesBody

func responsesStream() []string {
	ev := func(name, data string) string { return "event: " + name + "\ndata: " + data + "\n\n" }
	return []string{
		ev("response.created", `{"type":"response.created","sequence_number":0,"response":{"id":"resp_mock1","object":"response","created_at":1764300000,"status":"in_progress","model":"`+ResponsesModel+`","output":[]}}`),
		ev("response.output_text.delta", `{"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_mock1","output_index":0,"content_index":0,"delta":"Hello from the mock."}`),
		ev("response.completed", `{"type":"response.completed","sequence_number":2,"response":`+responsesBody+`}`),
	}
}

func messagesResponse(tools bool) string {
	content, reason := `[{"type":"text","text":"Hello from the mock."}]`, "end_turn"
	if tools {
		content, reason = `[{"type":"text","text":"Let me check."},{"type":"tool_use","id":"toolu_mock1","name":"get_weather","input":{"city":"Paris"}}]`, "tool_use"
	}
	return `{"id":"msg_mock1","type":"message","role":"assistant","model":"` + ClaudeModel + `","content":` + content +
		`,"stop_reason":"` + reason + `","stop_sequence":null,"usage":{"input_tokens":20,"cache_creation_input_tokens":5,"cache_read_input_tokens":100,"output_tokens":6}}`
}

func messagesStream() []string {
	ev := func(name, data string) string { return "event: " + name + "\ndata: " + data + "\n\n" }
	return []string{
		ev("message_start", `{"type":"message_start","message":{"id":"msg_mock1","type":"message","role":"assistant","model":"`+ClaudeModel+`","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":20,"cache_creation_input_tokens":5,"cache_read_input_tokens":100,"output_tokens":1}}}`),
		ev("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`),
		ev("ping", `{"type":"ping"}`),
		ev("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`),
		ev("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" from the mock."}}`),
		ev("content_block_stop", `{"type":"content_block_stop","index":0}`),
		ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":6}}`),
		ev("message_stop", `{"type":"message_stop"}`),
	}
}
