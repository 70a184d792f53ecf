package normalize

import (
	"bytes"
	"encoding/json"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Logs normalizes GenAI log records in place. The deprecated per-message events of one
// call (same trace and span id, same scope) are folded into one
// gen_ai.client.inference.operation.details record with structured messages, appended
// to the scope; the originals stay unless KeepOriginals is false. A call that already has
// a details record is not folded again, so a second pass changes nothing.
func (n *Normalizer) Logs(ld plog.Logs) Result {
	var r Result
	rls := ld.ResourceLogs()
	for i := range rls.Len() {
		sls := rls.At(i).ScopeLogs()
		for j := range sls.Len() {
			n.evaluationRecords(sls.At(j).LogRecords(), &r)
			n.scopeLogs(sls.At(j), &r)
		}
	}
	return r
}

type spanKey struct {
	trace pcommon.TraceID
	span  pcommon.SpanID
}

// callEvents are the deprecated message events of one call.
type callEvents struct {
	key      spanKey
	conv     conversation
	provider string
	first    pcommon.Timestamp
	failed   bool
}

func eventName(lr plog.LogRecord) string {
	if name := lr.EventName(); name != "" {
		return name
	}
	return genai.Str(lr.Attributes(), genai.EventName)
}

func (n *Normalizer) scopeLogs(sl plog.ScopeLogs, r *Result) {
	src := SemconvLegacy
	if sl.Scope().Name() == openAIJSScope {
		src = OpenAIJS
	}
	if !n.enabled.Has(src) {
		return
	}
	lrs := sl.LogRecords()
	var calls []*callEvents
	var byKey map[spanKey]*callEvents
	var detailed map[spanKey]bool
	for i := range lrs.Len() {
		lr := lrs.At(i)
		name := eventName(lr)
		key := spanKey{lr.TraceID(), lr.SpanID()}
		switch {
		case isMessageEvent(name):
			if key.span.IsEmpty() {
				continue // cannot be correlated with its call
			}
			if byKey == nil {
				byKey = map[spanKey]*callEvents{}
			}
			c := byKey[key]
			if c == nil {
				c = &callEvents{key: key, first: lr.Timestamp()}
				byKey[key] = c
				calls = append(calls, c)
			}
			if ts := lr.Timestamp(); ts != 0 && (c.first == 0 || ts < c.first) {
				c.first = ts
			}
			if c.provider == "" {
				c.provider = genai.Str(lr.Attributes(), legacySystem)
			}
			body, err := genai.ValueJSON(lr.Body())
			if err == nil {
				err = c.conv.add(name, []byte(body))
			}
			if err != nil {
				c.failed = true
				r.Errors++
			}
		case name == genai.EventInferenceOperationDetails:
			if detailed == nil {
				detailed = map[spanKey]bool{}
			}
			detailed[key] = true
			s := state{n: n, attrs: lr.Attributes(), cur: src}
			s.renameProvider(legacySystem)
			s.openAIJS()
			s.structureMessages()
			s.finish()
			r.add(s.changed, s.errors)
		}
	}
	var folded map[spanKey]bool
	for _, c := range calls {
		if detailed[c.key] || c.failed {
			continue
		}
		n.appendDetails(lrs, c, src)
		if folded == nil {
			folded = map[spanKey]bool{}
		}
		folded[c.key] = true
		r.add(Sources(0).with(src), 0)
	}
	if !n.keep && len(folded) > 0 {
		lrs.RemoveIf(func(lr plog.LogRecord) bool {
			return isMessageEvent(eventName(lr)) && folded[spanKey{lr.TraceID(), lr.SpanID()}]
		})
	}
}

// appendDetails appends the operation-details record of one call.
func (n *Normalizer) appendDetails(lrs plog.LogRecordSlice, c *callEvents, src Source) {
	lr := lrs.AppendEmpty()
	lr.SetEventName(genai.EventInferenceOperationDetails)
	lr.SetTraceID(c.key.trace)
	lr.SetSpanID(c.key.span)
	lr.SetTimestamp(c.first)
	lr.SetSeverityNumber(plog.SeverityNumberInfo)
	attrs := lr.Attributes()
	attrs.PutStr(genai.EventName, genai.EventInferenceOperationDetails)
	if c.provider != "" {
		p, _ := genai.NormalizeProvider(c.provider)
		attrs.PutStr(genai.ProviderName, p)
	}
	putMessages(attrs, genai.InputMessages, c.conv.input)
	putMessages(attrs, genai.OutputMessages, c.conv.outputs())
	attrs.PutEmptySlice(genai.NormalizedFrom).AppendEmpty().SetStr(src.String())
}

// putMessages stores messages as a structured value, as events require.
func putMessages(attrs pcommon.Map, key string, msgs []genai.Message) {
	if len(msgs) == 0 {
		return
	}
	_ = jsonToValue([]byte(encodeMessages(msgs)), attrs.PutEmpty(key)) // our own encoding always decodes
}

// structureMessages turns JSON-string message attributes of a log record into
// structured values (events MUST carry them structured).
func (s *state) structureMessages() {
	for _, k := range [...]string{genai.InputMessages, genai.OutputMessages, genai.SystemInstructions} {
		v, ok := s.attrs.Get(k)
		if !ok || v.Type() != pcommon.ValueTypeStr {
			continue
		}
		text, err := canonical(k, v.Str())
		if err != nil {
			s.fail()
			continue
		}
		if err := jsonToValue([]byte(text), v); err != nil {
			s.fail()
			continue
		}
		s.touch()
	}
}

// jsonToValue decodes JSON into an AnyValue, keeping integers as integers and object
// keys in their order (so equal input gives equal output).
func jsonToValue(data []byte, dest pcommon.Value) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return decodeValue(dec, dest)
}

func decodeValue(dec *json.Decoder, dest pcommon.Value) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			m := dest.SetEmptyMap()
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				key, _ := k.(string) // object keys are always strings
				if err := decodeValue(dec, m.PutEmpty(key)); err != nil {
					return err
				}
			}
		} else {
			sl := dest.SetEmptySlice()
			for dec.More() {
				if err := decodeValue(dec, sl.AppendEmpty()); err != nil {
					return err
				}
			}
		}
		_, err = dec.Token() // closing delimiter
		return err
	case json.Number:
		if i, err := t.Int64(); err == nil {
			dest.SetInt(i)
		} else if f, err := t.Float64(); err == nil {
			dest.SetDouble(f)
		} else {
			dest.SetStr(t.String())
		}
	case string:
		dest.SetStr(t)
	case bool:
		dest.SetBool(t)
	}
	return nil
}
