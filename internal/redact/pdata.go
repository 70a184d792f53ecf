package redact

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/pii"
)

// Traces redacts every string attribute of resources, scopes, spans, span events and
// links in place, applies the content policy to GenAI content attributes, and writes
// the per-span summary attribute (counts per entity type, never values).
func (r *Redactor) Traces(td ptrace.Traces) Stats {
	b := r.newBatch()
	v := &b.v
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		service := genai.Str(rs.Resource().Attributes(), genai.ServiceName)
		b.c.reset()
		v.attrs(rs.Resource().Attributes(), policyFull)
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			v.attrs(ss.Scope().Attributes(), policyFull)
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				attrs := span.Attributes()
				pol := r.content.resolve(service, attrs)
				b.c.reset()
				v.attrs(attrs, pol)
				events := span.Events()
				for e := 0; e < events.Len(); e++ {
					v.attrs(events.At(e).Attributes(), pol)
				}
				links := span.Links()
				for l := 0; l < links.Len(); l++ {
					v.attrs(links.At(l).Attributes(), pol)
				}
				writeSummary(attrs, &b.c)
			}
		}
	}
	return b.st
}

// Logs redacts resource, scope and log record attributes and log bodies (strings,
// JSON in strings, maps and slices) in place, and writes the summary attribute on each
// record with findings. The content policy applies to GenAI content attributes and to
// the bodies of GenAI events (event name gen_ai.*).
func (r *Redactor) Logs(ld plog.Logs) Stats {
	b := r.newBatch()
	v := &b.v
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		service := genai.Str(rl.Resource().Attributes(), genai.ServiceName)
		b.c.reset()
		v.attrs(rl.Resource().Attributes(), policyFull)
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			sl := sls.At(j)
			v.attrs(sl.Scope().Attributes(), policyFull)
			records := sl.LogRecords()
			for k := 0; k < records.Len(); k++ {
				lr := records.At(k)
				attrs := lr.Attributes()
				pol := r.content.resolve(service, attrs)
				b.c.reset()
				v.attrs(attrs, pol)
				event := lr.EventName()
				if event == "" {
					event = genai.Str(attrs, genai.EventName)
				}
				bodyPol := policyFull
				if strings.HasPrefix(event, "gen_ai.") {
					bodyPol = pol
				}
				v.body(lr.Body(), bodyPol)
				writeSummary(attrs, &b.c)
			}
		}
	}
	return b.st
}

// batch is the state of one Traces or Logs call. Its value context serves every value
// of the call: the JSON walker makes a value context escape to the heap, so one
// allocation per call replaces one per attribute.
type batch struct {
	st Stats
	c  counts // findings of the current span or log record
	v  valueCtx
}

func (r *Redactor) newBatch() *batch {
	b := &batch{}
	b.c.stats = &b.st
	b.v = valueCtx{r: r, c: &b.c}
	return b
}

// resolve picks the policy for a service and the operation of a span or log record
// with attributes attrs: the stricter of the two when both are configured.
func (p contentPolicies) resolve(service string, attrs pcommon.Map) policy {
	sp, sok := p.services[service]
	var op policy
	var ook bool
	if len(p.operations) > 0 { // else the attribute is not looked for
		op, ook = p.operations[genai.Str(attrs, genai.OperationName)]
	}
	switch {
	case sok && ook:
		return stricter(sp, op)
	case sok:
		return sp
	case ook:
		return op
	}
	return p.def
}

// contentKeys are the attributes that hold GenAI content, subject to the content policy.
var contentKeys = map[string]bool{
	genai.InputMessages:         true,
	genai.OutputMessages:        true,
	genai.SystemInstructions:    true,
	genai.ToolCallArguments:     true,
	genai.ToolCallResult:        true,
	genai.RetrievalDocuments:    true,
	genai.RetrievalQueryText:    true,
	genai.EvaluationExplanation: true,
}

// attrs processes an attribute map in place, removing dropped attributes. pol applies
// to the content attributes; in a nested map (a structured body) it applies to every
// member but the structural ones (role, type, ...).
func (v *valueCtx) attrs(m pcommon.Map, pol policy) { v.walkMap(m, pol, false) }

func (v *valueCtx) walkMap(m pcommon.Map, pol policy, nested bool) {
	if m.Len() == 0 {
		return
	}
	m.RemoveIf(func(k string, val pcommon.Value) bool {
		if v.attr(k, val, pol, nested) {
			v.c.stats.AttributesDropped++
			return true
		}
		return false
	})
}

// attr processes one attribute and reports whether to drop it.
func (v *valueCtx) attr(k string, val pcommon.Value, pol policy, nested bool) bool {
	r := v.r
	if _, ok := r.allowedKeys[k]; ok || k == genai.RedactionSummary {
		return false
	}
	v.pol, v.deadline = policyFull, time.Time{}
	if pol != policyFull && (contentKeys[k] || nested && !structuralKeys[k]) {
		v.pol = pol
	}
	if ka, ok := r.keyActions[k]; ok {
		return v.wholeValue(val, ka.label, ka.action)
	}
	if r.isSecretKey(k) {
		return v.wholeValue(val, pii.Secret, r.action(pii.Secret))
	}
	return v.value(val)
}

// value processes any attribute value; maps are walked with their own keys.
func (v *valueCtx) value(val pcommon.Value) bool {
	switch val.Type() {
	case pcommon.ValueTypeStr:
		out, res := v.text(val.Str())
		switch res {
		case dropAttr:
			return true
		case changed:
			val.SetStr(out)
		}
	case pcommon.ValueTypeInt:
		// Cards and phone numbers sent as integers.
		if n := val.Int(); n >= 1e8 || n <= -1e8 {
			out, res := v.plain(strconv.FormatInt(n, 10))
			switch res {
			case dropAttr:
				return true
			case changed:
				val.SetStr(out)
			}
		}
	case pcommon.ValueTypeSlice:
		s := val.Slice()
		for i := 0; i < s.Len(); i++ {
			if v.value(s.At(i)) {
				return true
			}
		}
	case pcommon.ValueTypeMap:
		// The members reuse this context: restore what they change for the rest of
		// a slice.
		pol, deadline := v.pol, v.deadline
		v.walkMap(val.Map(), pol, true)
		v.pol, v.deadline = pol, deadline
	}
	return false
}

// wholeValue applies an action to every scalar in val, whatever it holds.
func (v *valueCtx) wholeValue(val pcommon.Value, e pii.Entity, a Action) bool {
	switch val.Type() {
	case pcommon.ValueTypeStr, pcommon.ValueTypeInt, pcommon.ValueTypeDouble, pcommon.ValueTypeBytes:
		s := val.AsString()
		if s == "" {
			return false
		}
		out, res := v.whole(s, e, a)
		switch res {
		case dropAttr:
			return true
		case changed:
			val.SetStr(out)
		}
	case pcommon.ValueTypeSlice:
		s := val.Slice()
		for i := 0; i < s.Len(); i++ {
			if v.wholeValue(s.At(i), e, a) {
				return true
			}
		}
	case pcommon.ValueTypeMap:
		drop := false
		val.Map().Range(func(_ string, x pcommon.Value) bool {
			drop = v.wholeValue(x, e, a)
			return !drop
		})
		return drop
	}
	return false
}

// body processes a log body. A body is never removed: drop leaves a placeholder.
func (v *valueCtx) body(b pcommon.Value, pol policy) {
	v.pol, v.deadline = pol, time.Time{}
	if b.Type() == pcommon.ValueTypeStr {
		if out, res := v.text(b.Str()); res != unchanged {
			b.SetStr(out)
		}
		return
	}
	if v.value(b) {
		b.SetStr(placeholderDropped)
	}
}

// writeSummary sets the summary attribute: a JSON object of counts per entity type,
// keys sorted, e.g. {"EMAIL":2,"SECRET":1}.
func writeSummary(attrs pcommon.Map, c *counts) {
	if len(c.local) == 0 {
		return
	}
	slices.SortFunc(c.local, func(a, b entityCount) int { return strings.Compare(string(a.entity), string(b.entity)) })
	b := append(c.buf[:0], '{')
	for i, ec := range c.local {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, string(ec.entity))
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(ec.n), 10)
	}
	b = append(b, '}')
	c.buf = b
	attrs.PutStr(genai.RedactionSummary, string(b))
}
