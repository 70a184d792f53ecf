package proxy

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/llmapi"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/sse"
)

// emit describes a batch of finished calls and hands their spans to the pipeline, in
// one ptrace.Traces with a resource per service. yield runs after each call.
func (h *Handler) emit(batch []*record, yield func()) {
	td := ptrace.NewTraces()
	type serviceSpans struct {
		name  string
		spans ptrace.SpanSlice
	}
	var services []serviceSpans
	for _, rec := range batch {
		call := h.describe(rec)
		rec.resolve()
		service := cmp.Or(rec.serviceName, h.opts.ServiceName)
		i := slices.IndexFunc(services, func(s serviceSpans) bool { return s.name == service })
		if i < 0 {
			rs := td.ResourceSpans().AppendEmpty()
			if service != "" {
				rs.Resource().Attributes().PutStr(genai.ServiceName, service)
			}
			ss := rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName(h.opts.Scope)
			ss.Scope().SetVersion(h.opts.Version)
			i = len(services)
			services = append(services, serviceSpans{service, ss.Spans()})
		}
		fillSpan(services[i].spans.AppendEmpty(), rec, &call)
		rec.release()
		yield()
	}
	if err := h.opts.Next.ConsumeTraces(context.Background(), td); err != nil {
		h.opts.Logger.Warn("llmproxy could not pass spans on", zap.Int("spans", len(batch)), zap.Error(err))
	}
}

// describe parses what the proxy kept of the request and response.
func (h *Handler) describe(rec *record) llmapi.Call {
	var call llmapi.Call
	capture := h.opts.CaptureContent
	request := rec.reqBody
	if rec.reqEncoding == "gzip" {
		request = gunzip(request)
	}
	if err := llmapi.ParseRequest(rec.api, request, capture, &call); err != nil && rec.status < 400 {
		h.opts.OnParseError("request")
	}
	if call.RequestModel == "" {
		call.RequestModel = deployment(rec.path)
	}
	if rec.respBody == nil {
		return call
	}
	if rec.streaming && rec.contentEncoding == "" {
		rec.parseStream(capture, h.opts.MaxCaptureSize)
		rec.streamPending = rec.events.Pending()
		rec.stream.Finish(&call)
		return call
	}
	body := rec.respBody.Bytes()
	if rec.contentEncoding == "gzip" && !rec.truncated {
		body = gunzip(body)
	}
	switch {
	case rec.status >= 400:
		call.ErrorType = llmapi.ErrorType(body)
	case rec.truncated:
	case rec.streaming:
		// A compressed stream could only be read once whole.
		replayStream(rec.api, body, capture, h.opts.MaxCaptureSize, &call)
	case rec.complete:
		if err := llmapi.ParseResponse(rec.api, body, capture, &call); err != nil {
			h.opts.OnParseError("response")
		}
	}
	return call
}

func replayStream(api llmapi.API, body []byte, capture bool, maxContent int, call *llmapi.Call) {
	stream := llmapi.NewStream(api, capture, maxContent)
	sse.New(len(body)+1, func(e sse.Event) { stream.Event(e.Name, e.Data) }).Feed(body)
	stream.Finish(call)
}

func gunzip(b []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return b
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return b
	}
	return out
}

func fillSpan(span ptrace.Span, rec *record, call *llmapi.Call) {
	op := rec.api.Operation()
	model := call.RequestModel
	if model == "" {
		model = call.ResponseModel
	}
	if model != "" {
		span.SetName(op + " " + model)
	} else {
		span.SetName(op)
	}
	span.SetKind(ptrace.SpanKindClient)
	setIDs(span, rec)
	span.SetStartTimestamp(pcommon.NewTimestampFromTime(rec.start))
	span.SetEndTimestamp(pcommon.NewTimestampFromTime(rec.end))

	a := span.Attributes()
	a.EnsureCapacity(32)
	a.PutStr(genai.OperationName, op)
	a.PutStr(genai.ProviderName, rec.upstream.Provider)
	putStr(a, genai.RequestModel, call.RequestModel)
	a.PutStr(genai.ServerAddress, rec.upstream.host)
	a.PutInt(genai.ServerPort, rec.upstream.port)
	a.PutStr(genai.ProxyUpstream, rec.upstream.Name)

	p := &call.Params
	putInt(a, genai.RequestMaxTokens, p.MaxTokens)
	if p.ChoiceCount != nil && *p.ChoiceCount != 1 {
		a.PutInt(genai.RequestChoiceCount, *p.ChoiceCount)
	}
	putInt(a, genai.RequestSeed, p.Seed)
	putFloat(a, genai.RequestTemperature, p.Temperature)
	putFloat(a, genai.RequestTopP, p.TopP)
	putFloat(a, genai.RequestTopK, p.TopK)
	putFloat(a, genai.RequestFrequencyPenalty, p.FrequencyPenalty)
	putFloat(a, genai.RequestPresencePenalty, p.PresencePenalty)
	putStrs(a, genai.RequestStopSequences, p.StopSequences)
	putStrs(a, genai.RequestEncodingFormats, p.EncodingFormats)
	putStr(a, genai.OutputType, p.OutputType)
	if rec.streaming || call.Stream {
		a.PutBool(genai.RequestStream, true)
	}

	putStr(a, genai.ResponseID, call.ResponseID)
	putStr(a, genai.ResponseModel, call.ResponseModel)
	putStrs(a, genai.ResponseFinishReasons, call.FinishReasons)
	putUsage(a, call.Usage)
	if call.DimensionCount > 0 {
		a.PutInt(genai.EmbeddingsDimensionCount, call.DimensionCount)
	}
	if rec.api != llmapi.Messages {
		putStr(a, genai.OpenAIRequestServiceTier, p.ServiceTier)
		putStr(a, genai.OpenAIResponseServiceTier, call.ResponseTier)
		putStr(a, genai.OpenAIResponseSystemFingerprint, call.SystemFingerprint)
	}
	if rec.streaming && !rec.firstChunkAt.IsZero() {
		a.PutDouble(genai.ResponseTimeToFirstChunk, rec.firstChunkAt.Sub(rec.start).Seconds())
		if call.Usage.Output > 1 {
			a.PutDouble(genai.TimePerOutputToken, rec.end.Sub(rec.firstChunkAt).Seconds()/float64(call.Usage.Output-1))
		}
	}

	putStr(a, genai.ConversationID, rec.sessionID)
	putStr(a, genai.UserID, cmp.Or(rec.userID, call.User))
	for i := 0; i+1 < len(rec.metadata); i += 2 {
		a.PutStr(genai.MetadataPrefix+rec.metadata[i], rec.metadata[i+1])
	}

	if len(call.SystemInstructions) > 0 {
		if s, err := genai.MarshalParts(call.SystemInstructions); err == nil {
			a.PutStr(genai.SystemInstructions, s)
		}
	}
	putMessages(a, genai.InputMessages, call.InputMessages)
	putMessages(a, genai.OutputMessages, call.OutputMessages)
	putStr(a, genai.ToolDefinitions, call.ToolDefinitions)
	if rec.truncated {
		a.PutBool(genai.ProxyCaptureTruncated, true)
	}

	setOutcome(span, rec, call)
}

// setOutcome records the HTTP status and, on failure, error.type and the span status.
// The status message names the failure but never repeats the provider's message, which
// can quote parts of the request or of the credentials.
func setOutcome(span ptrace.Span, rec *record, call *llmapi.Call) {
	a := span.Attributes()
	if rec.status != 0 {
		a.PutInt(genai.HTTPResponseStatusCode, int64(rec.status))
	}
	errType, msg := rec.errType, rec.errMessage
	switch {
	case errType != "":
	case rec.status >= 400:
		errType = call.ErrorType
		if errType == "" {
			errType = strconv.Itoa(rec.status)
		}
		msg = "upstream answered HTTP " + strconv.Itoa(rec.status)
	case call.ErrorType != "":
		errType, msg = call.ErrorType, "upstream reported an error inside the response"
	case rec.streamPending:
		errType, msg = "stream_truncated", "the event stream ended inside an event"
	}
	if errType == "" {
		return
	}
	a.PutStr(genai.ErrorType, errType)
	span.Status().SetCode(ptrace.StatusCodeError)
	span.Status().SetMessage(msg)
}

func setIDs(span ptrace.Span, rec *record) {
	var traceID pcommon.TraceID
	if tid, parent, ok := parseTraceparent(rec.traceparent); ok {
		traceID = tid
		span.SetParentSpanID(parent)
		span.TraceState().FromRaw(rec.tracestate)
	} else {
		putRandom(traceID[:])
	}
	var spanID pcommon.SpanID
	putRandom(spanID[:])
	span.SetTraceID(traceID)
	span.SetSpanID(spanID)
}

// parseTraceparent reads a W3C traceparent header: version-traceid-parentid-flags.
func parseTraceparent(h string) (pcommon.TraceID, pcommon.SpanID, bool) {
	var tid pcommon.TraceID
	var sid pcommon.SpanID
	if len(h) < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-' || h[:2] == "ff" ||
		(h[:2] == "00" && len(h) != 55) || (len(h) > 55 && h[55] != '-') {
		return tid, sid, false
	}
	if _, err := hex.Decode(tid[:], []byte(h[3:35])); err != nil {
		return tid, sid, false
	}
	if _, err := hex.Decode(sid[:], []byte(h[36:52])); err != nil {
		return tid, sid, false
	}
	if tid.IsEmpty() || sid.IsEmpty() {
		return tid, sid, false
	}
	return tid, sid, true
}

func putRandom(b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := rand.Uint64()
		for j := i; j < len(b) && j < i+8; j++ {
			b[j] = byte(v)
			v >>= 8
		}
	}
}

func putUsage(a pcommon.Map, u genai.Usage) {
	if u.HasInput {
		a.PutInt(genai.UsageInputTokens, u.Input)
	}
	if u.HasOutput {
		a.PutInt(genai.UsageOutputTokens, u.Output)
	}
	if u.HasCacheRead {
		a.PutInt(genai.UsageCacheReadInputTokens, u.CacheRead)
	}
	if u.HasCacheWrite {
		a.PutInt(genai.UsageCacheCreationInputTokens, u.CacheWrite)
	}
	if u.HasReasoning {
		a.PutInt(genai.UsageReasoningOutputTokens, u.Reasoning)
	}
}

func putMessages(a pcommon.Map, key string, msgs []genai.Message) {
	if len(msgs) == 0 {
		return
	}
	if s, err := genai.MarshalMessages(msgs); err == nil {
		a.PutStr(key, s)
	}
}

func putStr(a pcommon.Map, key, v string) {
	if v != "" {
		a.PutStr(key, v)
	}
}

func putInt(a pcommon.Map, key string, v *int64) {
	if v != nil {
		a.PutInt(key, *v)
	}
}

func putFloat(a pcommon.Map, key string, v *float64) {
	if v != nil {
		a.PutDouble(key, *v)
	}
}

func putStrs(a pcommon.Map, key string, v []string) {
	if len(v) == 0 {
		return
	}
	s := a.PutEmptySlice(key)
	s.EnsureCapacity(len(v))
	for _, x := range v {
		s.AppendEmpty().SetStr(x)
	}
}
