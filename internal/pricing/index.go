package pricing

import (
	"strings"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// layer is the entries of one price source: inline config, one price file, or the embedded
// catalog.
type layer struct {
	// byName maps a canonical name to its entries, one per provider, in source order.
	byName map[string][]*Entry
	// matchers price names by the match rules of a genai-prices file, in file order.
	matchers []matcher
	size     int
}

func newLayer() *layer { return &layer{byName: map[string][]*Entry{}} }

// add indexes e under names (its id and aliases). A second entry for the same provider,
// endpoint and name is ignored: the first one a source lists wins.
func (l *layer) add(e *Entry, names ...string) {
	l.size++
	for _, n := range names {
		n = canonical(n)
		if n == "" || l.has(n, e.Provider, e.Endpoint) {
			continue
		}
		l.byName[n] = append(l.byName[n], e)
	}
}

func (l *layer) has(name, provider, endpoint string) bool {
	for _, e := range l.byName[name] {
		if e.Provider == provider && e.Endpoint == endpoint {
			return true
		}
	}
	return false
}

// find returns the entry of name for provider: the one for the call's endpoint kind if
// there is one, else the one for any endpoint.
func (l *layer) find(name, provider, endpoint string) *Entry {
	var any *Entry
	for _, e := range l.byName[name] {
		if e.Provider != provider {
			continue
		}
		if e.Endpoint == endpoint && endpoint != "" {
			return e
		}
		if e.Endpoint == "" && any == nil {
			any = e
		}
	}
	return any
}

// vendors are the providers that make the models they serve. A call on a host with no
// price of its own (Vertex, Bedrock, Azure, a proxy) is priced at the vendor's price.
var vendors = map[string]bool{
	genai.ProviderOpenAI: true, genai.ProviderAnthropic: true, genai.ProviderGCPGemini: true,
	genai.ProviderMistralAI: true, genai.ProviderCohere: true, genai.ProviderDeepSeek: true,
	genai.ProviderXAI: true, genai.ProviderMoonshotAI: true,
}

// fallback picks, among the entries of a name that fit the call's endpoint kind, the
// vendor's (or failing that the first).
func fallback(es []*Entry, endpoint string) *Entry {
	var first *Entry
	for _, e := range es {
		if e.Endpoint != "" && e.Endpoint != endpoint {
			continue
		}
		if vendors[e.Provider] {
			return e
		}
		if first == nil {
			first = e
		}
	}
	return first
}

// index resolves (provider, model) to an entry over the layers of a catalog, highest
// precedence first.
type index struct {
	layers  []*layer
	aliases map[string]string // lower-case alias → model
}

// resolve finds the entry for a call. The first layer that prices the model wins, and
// within a layer the most specific name wins. A layer prices the model when it has an entry
// for the call's provider or for any provider; only when no layer has one is the model
// priced at its vendor's price (or, for a model only one host serves, at that host's).
func (x *index) resolve(provider, model string) *Entry {
	if p, ok := genai.NormalizeProvider(provider); ok {
		provider = p
	}
	raw := strings.ToLower(strings.TrimSpace(model))
	if target, ok := x.aliases[raw]; ok {
		raw = strings.ToLower(target)
	}
	endpoint := endpointKind(raw)
	var buf [8]string
	names := candidates(buf[:0], canonical(raw))
	for _, l := range x.layers {
		for _, n := range names {
			if e := l.find(n, provider, endpoint); e != nil {
				return e
			}
			if provider != "" {
				if e := l.find(n, "", endpoint); e != nil {
					return e
				}
			}
		}
		if e := l.match(raw, names, func(p string) bool { return p == provider || p == "" }); e != nil {
			return e
		}
	}
	for _, l := range x.layers {
		for _, n := range names {
			if e := fallback(l.byName[n], endpoint); e != nil {
				return e
			}
		}
		if e := l.match(raw, names, isVendor); e != nil {
			return e
		}
		if e := l.match(raw, names, anyProvider); e != nil {
			return e
		}
	}
	return nil
}

func (l *layer) match(raw string, names []string, want func(provider string) bool) *Entry {
	for i := range l.matchers {
		m := &l.matchers[i]
		if !want(m.entry.Provider) {
			continue
		}
		if m.clause.match(raw) {
			return m.entry
		}
		for _, n := range names {
			if m.clause.match(n) {
				return m.entry
			}
		}
	}
	return nil
}

func isVendor(provider string) bool { return vendors[provider] }

func anyProvider(string) bool { return true }
