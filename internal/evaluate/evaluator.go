package evaluate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Source is the otelcol_llm.evaluation.source of the results written here.
const Source = genai.EvaluationSourceBuiltin

// Score labels of failing results. Passing results are labelled LabelPass.
const (
	LabelPass          = genai.QualityLabelPass
	LabelFail          = genai.QualityLabelFail // the combined score below 1; a custom evaluator's failure
	LabelError         = "error"
	LabelTimeout       = "timeout"
	LabelTruncated     = "truncated"
	LabelFiltered      = "filtered"
	LabelRefusal       = "refusal"
	LabelEmpty         = "empty"
	LabelInvalidJSON   = "invalid_json"
	LabelFencedJSON    = "fenced_json"
	LabelSchemaInvalid = "schema_mismatch"
	LabelOverBudget    = "over_budget"
)

// Evaluator ids: the built-ins in the order their results are written, the combined
// score, then the custom evaluators.
const (
	idError = iota
	idTruncation
	idContentFilter
	idRefusal
	idEmptyOutput
	idJSONOutput
	idToolCallArgs
	idOutputLength
	numBuiltins
	idQuality     = numBuiltins
	idFirstCustom = idQuality + 1
	maxEvaluators = idFirstCustom + maxCustom
)

// Evaluator runs the deterministic evaluators on normalized spans. It is safe for
// concurrent use.
type Evaluator struct {
	emitAll bool
	names   []string // by id: the built-ins, quality, the custom evaluators
	order   []int    // the ids in the order results are written: quality last
	enabled [maxEvaluators]bool
	weights [maxEvaluators]float64
	refusal *phraseSet
	custom  []custom
	budget  int64
	schemas schemaCache
	pending sync.Pool // *Pending, for Span
	// passed holds, by evaluator id, the attributes of a passing result, written for every
	// check that passes with emit: all: copied, they cost fewer pdata calls than put.
	passed []pcommon.Map
}

type custom struct {
	regex   *regexp.Regexp
	phrases *phraseSet
	absent  bool // the expectation is that the pattern is absent
	score   float64
}

// New builds an Evaluator; cfg must be valid.
func New(cfg Config) (*Evaluator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e := &Evaluator{emitAll: cfg.Emit == EmitAll, budget: cfg.OutputLength.BudgetTokens}
	e.names = make([]string, idFirstCustom+len(cfg.Custom))
	for id, b := range cfg.builtins() {
		e.names[id], e.enabled[id], e.weights[id] = b.name, b.check.Enabled, b.check.Weight
	}
	e.names[idQuality], e.enabled[idQuality] = genai.EvaluationQuality, true
	phrases := append(append([]string(nil), cfg.Refusal.Phrases...), cfg.Refusal.ExtraPhrases...)
	e.refusal = newPhraseSet(phrases)
	for i, cc := range cfg.Custom {
		id := idFirstCustom + i
		e.names[id], e.enabled[id], e.weights[id] = cc.Name, true, DefaultWeightCustom
		if cc.Weight != nil {
			e.weights[id] = *cc.Weight
		}
		c := custom{absent: cc.Expect == ExpectAbsent, score: cc.Score}
		if cc.Regex != "" {
			c.regex = regexp.MustCompile(cc.Regex) // validated
		} else {
			c.phrases = newPhraseSet(cc.Phrases)
		}
		e.custom = append(e.custom, c)
	}
	for id := range e.names {
		if id != idQuality {
			e.order = append(e.order, id)
		}
	}
	e.order = append(e.order, idQuality)
	e.pending.New = func() any { return new(Pending) }
	e.passed = make([]pcommon.Map, len(e.names))
	for id := range e.names {
		e.passed[id] = pcommon.NewMap()
		putResult(e.passed[id], e.names[id], pendingResult{score: 1, label: LabelPass})
	}
	return e, nil
}

// result is one evaluator's verdict on a span.
type result struct {
	applied     bool
	score       float64
	label       string
	explanation string
}

// work is the scratch state of one evaluation, kept in the batch's Pending so that
// evaluating allocates nothing in the common case.
type work struct {
	choices  []choice
	texts    []text
	calls    []toolCall
	finishes []finishKind
	buf      []byte
	results  [maxEvaluators]result
}

// reset empties w for an evaluator with n evaluators (the results of the others stay empty).
func (w *work) reset(n int) {
	w.choices, w.texts, w.calls, w.finishes = w.choices[:0], w.texts[:0], w.calls[:0], w.finishes[:0]
	clear(w.results[:n])
}

// Span evaluates one span and appends a gen_ai.evaluation.result event per result to
// write: Evaluate and Write in one call.
func (e *Evaluator) Span(span ptrace.Span) Stats {
	p := e.pending.Get().(*Pending)
	var st Stats
	e.Evaluate(span, p, &st)
	e.Write(p)
	e.pending.Put(p)
	return st
}

// Evaluate evaluates one span, keeps the results to write in p and adds what it did to st
// (a batch's counts accumulate in one Stats). Only inference spans that record a response
// or an error are evaluated, and a span that already carries built-in results (a second
// collector in the chain) is left alone. Inputs that cannot be read are counted in st and
// the evaluators that need them are skipped: no score is ever written for what could not
// be read.
func (e *Evaluator) Evaluate(span ptrace.Span, p *Pending, st *Stats) {
	st.names = e.names
	in := readInput(span.Attributes())
	if !genai.IsInference(in.operation) {
		return
	}
	failed := span.Status().Code() == ptrace.StatusCodeError || in.errorType != ""
	if !in.hasOutput() && !failed {
		return
	}
	if in.scored || evaluatedBefore(span.Events()) {
		st.AlreadyEvaluated++
		return
	}
	w := &p.work
	w.reset(len(e.names))

	messages := w.readMessages(&in, st)
	w.readFinishes(&in, messages, st)
	r := &w.results
	if e.enabled[idError] {
		r[idError] = evalError(span.Status(), in.errorType, w.finishes)
	}
	if e.enabled[idTruncation] {
		r[idTruncation] = evalFinish(w.finishes, finishLength, LabelTruncated, "cut off at the output token limit")
	}
	if e.enabled[idContentFilter] {
		r[idContentFilter] = evalFinish(w.finishes, finishContentFilter, LabelFiltered, "stopped by the provider's content filter")
	}
	if e.enabled[idRefusal] {
		r[idRefusal] = e.evalRefusal(w, messages)
	}
	if messages {
		if e.enabled[idEmptyOutput] {
			r[idEmptyOutput] = evalEmpty(w)
		}
		if e.enabled[idJSONOutput] && equalFoldASCII(in.outputType, genai.OutputTypeJSON) {
			r[idJSONOutput] = evalJSON(w)
		}
		if e.enabled[idToolCallArgs] && len(w.calls) > 0 {
			r[idToolCallArgs] = e.evalToolCalls(w, &in, st)
		}
		for i := range e.custom {
			r[idFirstCustom+i] = e.custom[i].eval(w)
		}
	}
	if e.enabled[idOutputLength] && e.budget > 0 && in.has[inOutputTokens] {
		r[idOutputLength] = e.evalLength(in.outputTokens, st)
	}
	e.collect(span, w, st, p)
}

// release drops the span's strings, which w must not keep alive.
func (w *work) release() {
	clear(w.choices)
	clear(w.texts)
	clear(w.calls)
}

// evaluatedBefore reports whether the span carries result events of the built-in
// evaluators, as builds before the combined score became an attribute wrote them.
func evaluatedBefore(events ptrace.SpanEventSlice) bool {
	for i := 0; i < events.Len(); i++ {
		ev := events.At(i)
		if ev.Name() == genai.EventEvaluationResult && genai.Str(ev.Attributes(), genai.EvaluationSource) == Source {
			return true
		}
	}
	return false
}

// readMessages reads gen_ai.output.messages into w, and reports whether it could.
func (w *work) readMessages(in *spanInput, st *Stats) bool {
	if !in.has[inOutputMessages] {
		return false
	}
	s, ok := jsonText(in.output)
	if ok && w.readOutput(s) {
		return true
	}
	st.malformed[inOutputMessages]++
	return false
}

// readFinishes collects one finish reason per choice: from gen_ai.response.finish_reasons,
// else from the output messages.
func (w *work) readFinishes(in *spanInput, messages bool, st *Stats) {
	if in.has[inFinishReasons] {
		switch v := in.finish; v.Type() {
		case pcommon.ValueTypeStr:
			w.finishes = append(w.finishes, classifyReason(v.Str()))
			return
		case pcommon.ValueTypeSlice:
			ok := true
			for i := 0; i < v.Slice().Len(); i++ {
				item := v.Slice().At(i)
				if item.Type() != pcommon.ValueTypeStr {
					ok = false
					break
				}
				w.finishes = append(w.finishes, classifyReason(item.Str()))
			}
			if ok {
				return
			}
			w.finishes = w.finishes[:0]
		}
		st.malformed[inFinishReasons]++
	}
	if messages {
		for _, c := range w.choices {
			if c.hasFinish {
				w.finishes = append(w.finishes, c.finishReason)
			}
		}
	}
}

// fraction builds the result of a check over n choices of which bad failed; what says
// what a failed choice was.
func fraction(bad, n int, label, what string) result {
	if bad == 0 {
		return result{applied: true, score: 1, label: LabelPass}
	}
	return result{applied: true, score: 1 - float64(bad)/float64(n), label: label, explanation: ofChoices(bad, n, what)}
}

func evalError(status ptrace.Status, errorType string, finishes []finishKind) result {
	failed := status.Code() == ptrace.StatusCodeError || errorType != ""
	for _, f := range finishes {
		failed = failed || f == finishError
	}
	switch {
	case !failed:
		return result{applied: true, score: 1, label: LabelPass}
	case isTimeout(errorType) || isTimeout(status.Message()):
		return result{applied: true, label: LabelTimeout, explanation: "the call timed out"}
	}
	return result{applied: true, label: LabelError, explanation: "the call failed; error.type and the span status say why"}
}

// isTimeout recognises timeouts as SDKs and HTTP spell them in error.type or the status
// message: APITimeoutError, ReadTimeout, context deadline exceeded, DEADLINE_EXCEEDED, 408, 504.
func isTimeout(s string) bool {
	if s == "408" || s == "504" {
		return true
	}
	for _, t := range [...]string{"timeout", "timed out", "timed_out", "timedout", "deadline exceeded", "deadline_exceeded", "deadlineexceeded"} {
		if containsFoldASCII(s, t) {
			return true
		}
	}
	return false
}

func evalFinish(finishes []finishKind, kind finishKind, label, what string) result {
	if len(finishes) == 0 {
		return result{}
	}
	bad := 0
	for _, f := range finishes {
		if f == kind {
			bad++
		}
	}
	return fraction(bad, len(finishes), label, what)
}

// evalRefusal counts choices that refuse: a refusal part, the finish reason refusal, or a
// refusal phrase near the start of the first text. Choices that hold only tool calls or
// nothing are not counted; without output messages only a refusal finish reason counts.
func (e *Evaluator) evalRefusal(w *work, messages bool) result {
	if !messages {
		bad := 0
		for _, f := range w.finishes {
			if f == finishRefusal {
				bad++
			}
		}
		if bad == 0 {
			return result{}
		}
		return fraction(bad, len(w.finishes), LabelRefusal, "a refusal (finish reason)")
	}
	bad, n := 0, 0
	for _, c := range w.choices {
		first, hasText := w.firstText(c)
		refused := c.refusalPart || c.finishReason == finishRefusal
		if !hasText && !refused {
			continue
		}
		n++
		if refused || hasText && e.refusal.find(first, refusalWindow) {
			bad++
		}
	}
	if n == 0 {
		return result{}
	}
	return fraction(bad, n, LabelRefusal, "a refusal")
}

// firstText returns the first text of a choice that is not blank.
func (w *work) firstText(c choice) (text, bool) {
	for _, t := range w.texts[c.textLo:c.textHi] {
		if !t.blank() {
			return t, true
		}
	}
	return text{}, false
}

// evalEmpty fails choices without any content: no tool call, no image or file, and text
// that is empty or whitespace. A choice that was refused or filtered is not counted as
// empty: the refusal and content_filter results already say why it has no text. No choice
// at all is an empty output.
func evalEmpty(w *work) result {
	if len(w.choices) == 0 {
		return result{applied: true, label: LabelEmpty, explanation: "the output has no message"}
	}
	bad := 0
	for _, c := range w.choices {
		explained := c.refusalPart || c.finishReason == finishRefusal || c.finishReason == finishContentFilter
		if _, hasText := w.firstText(c); !hasText && c.callHi == c.callLo && !c.nonText && !explained {
			bad++
		}
	}
	return fraction(bad, len(w.choices), LabelEmpty, "empty (no text and no tool call)")
}

// joinTexts unescapes the texts of a choice into w.buf. Text parts of one message are
// pieces of one answer (providers split it around citations and tool use), so they are
// joined as they are.
func (w *work) joinTexts(c choice) []byte {
	w.buf = w.buf[:0]
	for _, t := range w.texts[c.textLo:c.textHi] {
		w.buf = unescape(w.buf, t.raw, t.escaped)
	}
	return w.buf
}

// evalJSON checks that each choice's text is JSON, when JSON output was requested. A choice
// that answered with tool calls only is not counted. JSON inside one Markdown code fence
// (```json … ```) scores 0.5: a person reads it, a strict parser rejects it.
func evalJSON(w *work) result {
	var sum float64
	n, invalid, fenced := 0, 0, 0
	for _, c := range w.choices {
		_, hasText := w.firstText(c)
		if !hasText && c.callHi > c.callLo {
			continue
		}
		n++
		out := bytes.TrimSpace(w.joinTexts(c))
		switch {
		case json.Valid(out):
			sum++
		case isFencedJSON(out):
			fenced++
			sum += 0.5
		default:
			invalid++
		}
	}
	switch {
	case n == 0:
		return result{}
	case invalid > 0:
		return result{applied: true, score: sum / float64(n), label: LabelInvalidJSON,
			explanation: ofChoices(invalid, n, "not valid JSON although JSON output was requested")}
	case fenced > 0:
		return result{applied: true, score: sum / float64(n), label: LabelFencedJSON,
			explanation: ofChoices(fenced, n, "JSON inside a Markdown code fence, which strict parsers reject")}
	}
	return result{applied: true, score: 1, label: LabelPass}
}

// ofChoices phrases an explanation about bad of n choices.
func ofChoices(bad, n int, what string) string {
	if n == 1 {
		return "the output was " + what
	}
	return fmt.Sprintf("%d of %d choices were %s", bad, n, what)
}

func isFencedJSON(b []byte) bool {
	const fence = "```"
	if len(b) < 2*len(fence) || !bytes.HasPrefix(b, []byte(fence)) || !bytes.HasSuffix(b, []byte(fence)) {
		return false
	}
	inner := b[len(fence) : len(b)-len(fence)]
	nl := bytes.IndexByte(inner, '\n')
	if nl < 0 {
		return false
	}
	if tag := bytes.TrimSpace(inner[:nl]); len(tag) > 0 && !bytes.EqualFold(tag, []byte("json")) {
		return false
	}
	return json.Valid(inner[nl+1:])
}

// evalToolCalls checks that the arguments of each tool call are a JSON object and, when
// gen_ai.tool.definitions declares the tool's parameters, that they match the schema.
func (e *Evaluator) evalToolCalls(w *work, in *spanInput, st *Stats) result {
	var tools toolSchemas
	if in.has[inToolDefinitions] {
		s, ok := jsonText(in.definitions)
		if ok {
			tools, ok = e.schemas.get(s)
		}
		if !ok {
			st.malformed[inToolDefinitions]++
		}
	}
	bad, invalid := 0, false
	var first string
	for i, call := range w.calls {
		var sch *schema
		if tools != nil && !call.name.escaped {
			sch = tools[call.name.raw]
		}
		problem, isJSON := w.checkArguments(call.args, sch)
		if problem == "" {
			continue
		}
		bad++
		invalid = invalid || !isJSON
		if first == "" {
			if sch != nil {
				first = fmt.Sprintf("tool call %q: %s", call.name.raw, problem) // a declared name, not model output
			} else {
				first = fmt.Sprintf("tool call %d: %s", i+1, problem)
			}
		}
	}
	if bad == 0 {
		return result{applied: true, score: 1, label: LabelPass}
	}
	label := LabelSchemaInvalid
	if invalid {
		label = LabelInvalidJSON
	}
	explanation := first
	if len(w.calls) > 1 {
		explanation = fmt.Sprintf("%d of %d tool calls have bad arguments; first: %s", bad, len(w.calls), first)
	}
	return result{applied: true, score: 1 - float64(bad)/float64(len(w.calls)), label: label, explanation: explanation}
}

// checkArguments returns what is wrong with a tool call's arguments ("" when nothing), and
// whether they are at least a JSON object. Arguments recorded as a string (the provider's
// own form) are decoded first; absent, null or empty arguments are an empty object.
func (w *work) checkArguments(args string, sch *schema) (problem string, isJSON bool) {
	if args != "" && args[0] == '"' {
		w.buf = unescape(w.buf[:0], args[1:len(args)-1], true)
		args = string(w.buf) // allocates: the scanner reads strings
	}
	if strings.TrimSpace(args) == "" || args == "null" {
		args = "{}"
	}
	sc := scanner{s: args}
	if sc.peek() != '{' {
		if sc.value(); sc.end() {
			return "arguments are not a JSON object", false
		}
		return "arguments are not valid JSON", false
	}
	var m *mismatch
	if sch != nil {
		m = check(&sc, sch)
	} else {
		sc.value()
	}
	if !sc.end() {
		return "arguments are not valid JSON", false
	}
	if m != nil {
		return m.String(), true
	}
	return "", true
}

func (c *custom) eval(w *work) result {
	var sum float64
	n := 0
	for _, ch := range w.choices {
		if _, hasText := w.firstText(ch); !hasText {
			continue
		}
		n++
		var present bool
		if c.regex != nil {
			present = c.regex.Match(w.joinTexts(ch))
		} else {
			for _, t := range w.texts[ch.textLo:ch.textHi] {
				if present = c.phrases.find(t, -1); present {
					break
				}
			}
		}
		if present != c.absent {
			sum++
		} else {
			sum += c.score
		}
	}
	switch {
	case n == 0:
		return result{}
	case sum == float64(n):
		return result{applied: true, score: 1, label: LabelPass}
	}
	what := "the output does not contain the expected pattern"
	if c.absent {
		what = "the output contains a pattern it must not contain"
	}
	return result{applied: true, score: sum / float64(n), label: LabelFail, explanation: what}
}

func (e *Evaluator) evalLength(v pcommon.Value, st *Stats) result {
	tokens, ok := genai.ValueInt(v)
	if !ok || tokens < 0 {
		st.malformed[inOutputTokens]++
		return result{}
	}
	if tokens <= e.budget {
		return result{applied: true, score: 1, label: LabelPass}
	}
	return result{applied: true, score: float64(e.budget) / float64(tokens), label: LabelOverBudget,
		explanation: fmt.Sprintf("%d output tokens, over the budget of %d", tokens, e.budget)}
}

// round keeps float noise (0.35000000000000003) out of what users read.
func round(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// collect rounds the results, computes the combined score over the evaluators that
// applied — max(0, 1 − Σ weight × (1 − score)) — counts every result and keeps the ones to
// write in p, in one pass in the order they are written (quality last). A span on which
// no evaluator applied is not evaluated.
func (e *Evaluator) collect(span ptrace.Span, w *work, st *Stats, p *Pending) {
	first := len(p.results)
	penalty := 0.0
	applied := false
	var failing []string
	for _, id := range e.order[:len(e.order)-1] {
		r := &w.results[id]
		if !r.applied {
			continue
		}
		applied = true
		st.results[id]++
		if r.score != 1 {
			r.score = round(r.score)
		}
		if r.score < 1 {
			penalty += e.weights[id] * (1 - r.score)
			failing = append(failing, e.names[id])
			st.failures[id]++
		}
		if r.score < 1 || e.emitAll {
			p.results = append(p.results, pendingResult{id: id, score: r.score, label: r.label, explanation: r.explanation})
		}
	}
	if !applied {
		return
	}
	q := pendingResult{id: idQuality, score: 1, label: LabelPass}
	if penalty > 0 {
		q.score = round(math.Max(0, 1-penalty))
	}
	st.results[idQuality]++
	if q.score < 1 {
		q.label = LabelFail
		st.failures[idQuality]++
	}
	if len(failing) > 0 { // also with a score of 1, when only weight-0 checks failed
		q.explanation = strings.Join(failing, ", ") // written as genai.QualityFailing
	}
	p.results = append(p.results, q)
	st.Spans++
	ts := span.EndTimestamp()
	if ts == 0 {
		ts = span.StartTimestamp()
	}
	p.spans = append(p.spans, pendingSpan{span: span, ts: ts, first: first, end: len(p.results)})
}

// Pending holds the results of evaluated spans until they are written. The llm processor
// evaluates a batch before redaction, on the content as the model wrote it, and writes the
// results after redaction: the events cost redaction nothing, and since they never quote
// content there is nothing in them to redact.
type Pending struct {
	spans   []pendingSpan
	results []pendingResult
	work    work // of the span being evaluated
}

type pendingSpan struct {
	span       ptrace.Span
	ts         pcommon.Timestamp
	first, end int
}

type pendingResult struct {
	id                 int
	score              float64
	label, explanation string
}

// Write appends the results of every span in p, then empties p (keeping its memory): an
// event per result, and the combined score, the last result, as attributes
// (genai.QualityScore).
func (e *Evaluator) Write(p *Pending) {
	for _, ps := range p.spans {
		q := p.results[ps.end-1]
		attrs := ps.span.Attributes()
		attrs.PutDouble(genai.QualityScore, q.score)
		if q.explanation != "" {
			attrs.PutStr(genai.QualityFailing, q.explanation)
		}
		if ps.end-1 == ps.first {
			continue // every check passed
		}
		events := ps.span.Events()
		events.EnsureCapacity(events.Len() + ps.end - 1 - ps.first) // one growth for all results
		for _, r := range p.results[ps.first : ps.end-1] {
			ev := events.AppendEmpty()
			ev.SetName(genai.EventEvaluationResult)
			ev.SetTimestamp(ps.ts)
			if r.score == 1 && r.label == LabelPass && r.explanation == "" {
				e.passed[r.id].CopyTo(ev.Attributes())
			} else {
				putResult(ev.Attributes(), e.names[r.id], r)
			}
		}
	}
	p.Reset()
}

// putResult writes the attributes of a result into the empty attrs.
func putResult(attrs pcommon.Map, name string, r pendingResult) {
	n := 4
	if r.explanation != "" {
		n++
	}
	attrs.EnsureCapacity(n)
	attrs.PutStr(genai.EvaluationName, name)
	attrs.PutDouble(genai.EvaluationScoreValue, r.score)
	attrs.PutStr(genai.EvaluationScoreLabel, r.label)
	if r.explanation != "" {
		attrs.PutStr(genai.EvaluationExplanation, r.explanation)
	}
	attrs.PutStr(genai.EvaluationSource, Source)
}

// Reset empties p without writing, keeping its memory.
func (p *Pending) Reset() {
	clear(p.spans) // do not pin the batch
	clear(p.results)
	p.work.release()
	p.spans, p.results = p.spans[:0], p.results[:0]
}
