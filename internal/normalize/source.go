package normalize

import (
	"iter"
	"math/bits"
)

// Source is one telemetry convention the normalizer understands.
type Source uint8

// Source conventions, in the order their mappings run. Earlier sources win when two
// conventions map to the same target: targets are only ever set when absent.
const (
	// Custom is the user's custom_mappings; they run before everything else.
	Custom Source = iota
	Vercel
	OpenInference
	OpenLLMetry
	Langfuse
	OpenAIJS
	SemconvLegacy
	// Feedback is otelcol-llm's own user-feedback attributes (otelcol_llm.feedback.*).
	Feedback
	// Semconv is current GenAI semconv that only needed fix-ups (structured messages
	// encoded, finish reasons wrapped, provider inferred, token invariants restored).
	Semconv
	numSources
)

var sourceNames = [numSources]string{
	Custom:        "custom",
	Vercel:        "vercel",
	OpenInference: "openinference",
	OpenLLMetry:   "openllmetry",
	Langfuse:      "langfuse",
	OpenAIJS:      "openai_js",
	SemconvLegacy: "semconv_legacy",
	Feedback:      "feedback",
	Semconv:       "semconv",
}

// String returns the name used in configuration, telemetry and otelcol_llm.normalized_from.
func (s Source) String() string {
	if s < numSources {
		return sourceNames[s]
	}
	return "unknown"
}

// Sources is a set of conventions: a bitset, so recording it per span costs nothing.
type Sources uint16

func (ss Sources) with(s Source) Sources { return ss | 1<<s }

// Has reports whether s is in the set.
func (ss Sources) Has(s Source) bool { return ss&(1<<s) != 0 }

// Len is the number of sources in the set.
func (ss Sources) Len() int { return bits.OnesCount16(uint16(ss)) }

// All iterates the set in mapping order.
func (ss Sources) All() iter.Seq[Source] {
	return func(yield func(Source) bool) {
		for s := range numSources {
			if ss.Has(s) && !yield(s) {
				return
			}
		}
	}
}

// Names lists the names of the sources in the set, in mapping order.
func (ss Sources) Names() []string {
	names := make([]string, 0, ss.Len())
	for s := range ss.All() {
		names = append(names, s.String())
	}
	return names
}
