package normalize

import (
	"strings"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// maxTokens bounds a plausible token count for one call; larger values are treated as
// corrupt rather than priced.
const maxTokens = 1e10

// Normalizer rewrites spans and log records to GenAI semconv v1.41. It holds no
// per-call state and is safe for concurrent use.
type Normalizer struct {
	keep    bool
	enabled Sources
	custom  []Mapping
}

// New returns a Normalizer for a validated configuration.
func New(cfg Config) (*Normalizer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Normalizer{
		keep:    cfg.KeepOriginals,
		enabled: cfg.Sources.enabled(),
		custom:  append([]Mapping(nil), cfg.CustomMappings...),
	}, nil
}

// Result says what one call did.
type Result struct {
	// Sources are the conventions that changed something: for Span, on that span; for
	// Logs, on any record of the batch (Count gives how many).
	Sources Sources
	// Errors counts values that could not be converted (wrong type, malformed JSON,
	// impossible token counts). Such values are left as they were.
	Errors int
	counts [numSources]int
}

// Count is the number of items (1 for a span; log records or folded groups for Logs)
// that source s changed.
func (r Result) Count(s Source) int {
	if s >= numSources {
		return 0
	}
	return r.counts[s]
}

// Merge adds o to r, for totals over a batch of spans.
func (r *Result) Merge(o Result) {
	r.Sources |= o.Sources
	r.Errors += o.Errors
	for s := range numSources {
		r.counts[s] += o.counts[s]
	}
}

func (r *Result) add(changed Sources, errs int) {
	r.Sources |= changed
	r.Errors += errs
	for s := range changed.All() {
		r.counts[s]++
	}
}

// spanHandlers are the per-convention mappings in the order they run.
var spanHandlers = [...]struct {
	src Source
	fn  func(*state)
}{
	{Vercel, (*state).vercel},
	{OpenInference, (*state).openInference},
	{OpenLLMetry, (*state).openLLMetry},
	{Langfuse, (*state).langfuse},
	{OpenAIJS, (*state).openAIJS},
	{SemconvLegacy, (*state).semconvLegacy},
	{Feedback, (*state).feedback},
}

// Span normalizes one span, its attributes and its events, in place. Malformed values are
// left unchanged and counted; it never panics on any input.
func (n *Normalizer) Span(span ptrace.Span) Result {
	found, genAI := detect(span)
	if found == 0 && !genAI && len(n.custom) == 0 {
		return Result{} // most spans of a pipeline: they cost the key scan and nothing else
	}
	s := states.Get().(*state)
	defer s.release()
	s.n, s.attrs, s.span, s.hasSpan = n, span.Attributes(), span, true
	if len(n.custom) > 0 {
		s.cur = Custom
		s.customMappings()
		if s.changed != 0 {
			found, genAI = detect(span)
		}
	}
	found &= n.enabled
	if found == 0 && !genAI {
		return Result{}
	}
	for _, h := range spanHandlers {
		if found.Has(h.src) {
			s.cur = h.src
			h.fn(s)
		}
	}
	s.cur = Semconv
	s.fixups()
	if other := found &^ (1 << Semconv); s.changed.Has(Semconv) && other != 0 {
		// Fix-ups on a span of a foreign convention belong to that convention.
		s.changed = s.changed&^(1<<Semconv) | other
	}
	s.finish()
	var r Result
	r.add(s.changed, s.errors)
	return r
}

// state is the work on one span (or one log record's attributes).
type state struct {
	n       *Normalizer
	attrs   pcommon.Map
	span    ptrace.Span // valid when hasSpan; log records have no span
	hasSpan bool
	cur     Source
	// kinded is set when a source named the span's kind explicitly; a kind without a
	// semconv operation (a reranker, a guardrail) then gets none by default.
	kinded  bool
	changed Sources
	errors  int
	drop    []string
	dropPfx []string

	// Arenas of the flattened-list helpers (see flat.go).
	fieldArena   []field
	indexedArena []indexedField
	itemArena    []item
	rawArena     []byte // raw JSON values of objectMembers
}

// states recycles span states with their slices: most of a span's small allocations
// were these slices growing from nothing, span after span.
var states = sync.Pool{New: func() any { return new(state) }}

// release clears the state (so that it pins no span) and returns it to the pool.
func (s *state) release() {
	clear(s.drop)
	clear(s.dropPfx)
	clear(s.fieldArena)
	clear(s.indexedArena)
	clear(s.itemArena)
	*s = state{drop: s.drop[:0], dropPfx: s.dropPfx[:0], fieldArena: s.fieldArena[:0],
		indexedArena: s.indexedArena[:0], itemArena: s.itemArena[:0], rawArena: s.rawArena[:0]}
	states.Put(s)
}

func (s *state) touch() { s.changed = s.changed.with(s.cur) }

func (s *state) fail() { s.errors++ }

// consume marks a source attribute as mapped, for removal when originals are not kept.
func (s *state) consume(key string) {
	if !s.n.keep {
		s.drop = append(s.drop, key)
	}
}

// consumePrefix marks a flattened list (prefix + index) as mapped; other names below
// the prefix (gen_ai.prompt.name is not gen_ai.prompt.0.role) are kept.
func (s *state) consumePrefix(prefix string) {
	if !s.n.keep {
		s.dropPfx = append(s.dropPfx, prefix)
	}
}

func (s *state) has(key string) bool { _, ok := s.attrs.Get(key); return ok }

// str reads a string; a present value of another type is counted as an error.
func (s *state) str(key string) (string, bool) {
	v, ok := s.attrs.Get(key)
	if !ok {
		return "", false
	}
	return s.valStr(v)
}

func (s *state) valStr(v pcommon.Value) (string, bool) {
	if v.Type() != pcommon.ValueTypeStr {
		s.fail()
		return "", false
	}
	return v.Str(), v.Str() != ""
}

// count reads a token count; non-integers, negatives and absurd values are errors.
func (s *state) count(key string) (int64, bool) {
	v, ok := s.attrs.Get(key)
	if !ok {
		return 0, false
	}
	return s.valCount(v)
}

func (s *state) valCount(v pcommon.Value) (int64, bool) {
	n, ok := genai.ValueInt(v)
	if !ok || n < 0 || n > maxTokens {
		s.fail()
		return 0, false
	}
	return n, true
}

func (s *state) float(key string) (float64, bool) {
	v, ok := s.attrs.Get(key)
	if !ok {
		return 0, false
	}
	f, ok := genai.ValueFloat(v)
	if !ok {
		s.fail()
	}
	return f, ok
}

func (s *state) setStr(key, v string) bool {
	if v == "" || s.has(key) {
		return false
	}
	s.attrs.PutStr(key, v)
	s.touch()
	return true
}

func (s *state) setInt(key string, v int64) bool {
	if s.has(key) {
		return false
	}
	s.attrs.PutInt(key, v)
	s.touch()
	return true
}

func (s *state) setDouble(key string, v float64) bool {
	if s.has(key) {
		return false
	}
	s.attrs.PutDouble(key, v)
	s.touch()
	return true
}

func (s *state) setBool(key string, v bool) bool {
	if s.has(key) {
		return false
	}
	s.attrs.PutBool(key, v)
	s.touch()
	return true
}

func (s *state) setStrs(key string, vs ...string) bool {
	if len(vs) == 0 || s.has(key) {
		return false
	}
	sl := s.attrs.PutEmptySlice(key)
	sl.EnsureCapacity(len(vs))
	for _, v := range vs {
		sl.AppendEmpty().SetStr(v)
	}
	s.touch()
	return true
}

// putStr overwrites a value that needs a new spelling (provider values, encodings).
func (s *state) putStr(key, v string) {
	if old, ok := s.attrs.Get(key); ok && old.Type() == pcommon.ValueTypeStr && old.Str() == v {
		return
	}
	s.attrs.PutStr(key, v)
	s.touch()
}

func (s *state) renameStr(from, to string) {
	if v, ok := s.str(from); ok {
		s.setStr(to, v)
		s.consume(from)
	}
}

func (s *state) renameCount(from, to string) {
	if v, ok := s.count(from); ok {
		s.setInt(to, v)
		s.consume(from)
	}
}

func (s *state) renameDouble(from, to string) {
	if v, ok := s.float(from); ok {
		s.setDouble(to, v)
		s.consume(from)
	}
}

func (s *state) renameInt(from, to string) {
	v, ok := s.attrs.Get(from)
	if !ok {
		return
	}
	if n, ok := genai.ValueInt(v); ok {
		s.setInt(to, n)
		s.consume(from)
	} else {
		s.fail()
	}
}

// renameKind says how a source value is read and checked.
type renameKind uint8

const (
	asString   renameKind = iota
	asCount               // a token count: an integer from 0 to 1e10
	asInt                 // any integer (a seed)
	asDouble              // a number
	asProvider            // a provider spelling, normalized
)

// rename maps one source attribute to one semconv attribute: most of every convention
// is a table of these.
type rename struct {
	from, to string
	kind     renameKind
}

func (s *state) renames(table []rename) {
	for _, r := range table {
		switch r.kind {
		case asString:
			s.renameStr(r.from, r.to)
		case asCount:
			s.renameCount(r.from, r.to)
		case asInt:
			s.renameInt(r.from, r.to)
		case asDouble:
			s.renameDouble(r.from, r.to)
		case asProvider:
			s.renameProvider(r.from)
		}
	}
}

// renameProvider maps a provider spelling to gen_ai.provider.name.
func (s *state) renameProvider(from string) {
	if v, ok := s.str(from); ok {
		p, _ := genai.NormalizeProvider(v)
		s.setStr(genai.ProviderName, p)
		s.consume(from)
	}
}

func (s *state) customMappings() {
	for _, m := range s.n.custom {
		v, ok := s.attrs.Get(m.From)
		if !ok || s.has(m.To) {
			continue
		}
		v.CopyTo(s.attrs.PutEmpty(m.To))
		s.touch()
		s.consume(m.From)
	}
}

// finish removes consumed originals and records what was done on the span.
func (s *state) finish() {
	if len(s.drop) > 0 || len(s.dropPfx) > 0 {
		s.attrs.RemoveIf(func(k string, _ pcommon.Value) bool {
			for _, d := range s.drop {
				if k == d {
					return true
				}
			}
			for _, p := range s.dropPfx {
				if strings.HasPrefix(k, p) && indexFollows(k, p) {
					return true
				}
			}
			return false
		})
	}
	if s.changed != 0 {
		s.recordSources()
	}
	// A later pass may count fewer errors (it does not re-parse what is already mapped):
	// the first count stays.
	if s.errors > 0 && !s.has(genai.NormalizationErrors) {
		s.attrs.PutInt(genai.NormalizationErrors, int64(s.errors))
	}
}

// recordSources merges the changed sources into otelcol_llm.normalized_from, keeping
// names recorded by an earlier pass.
func (s *state) recordSources() {
	v, ok := s.attrs.Get(genai.NormalizedFrom)
	if !ok || v.Type() != pcommon.ValueTypeSlice {
		sl := s.attrs.PutEmptySlice(genai.NormalizedFrom)
		for src := range s.changed.All() {
			sl.AppendEmpty().SetStr(src.String())
		}
		return
	}
	sl := v.Slice()
	for src := range s.changed.All() {
		name, present := src.String(), false
		for i := range sl.Len() {
			if sl.At(i).Str() == name {
				present = true
				break
			}
		}
		if !present {
			sl.AppendEmpty().SetStr(name)
		}
	}
}
