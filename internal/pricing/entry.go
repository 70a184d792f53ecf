package pricing

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"
)

// Prices are USD per million tokens of each kind.
type Prices struct {
	Input      float64 // uncached input
	Output     float64 // output that is not reasoning
	CacheRead  float64 // input served from the prompt cache
	CacheWrite float64 // input written to the prompt cache
	Reasoning  float64 // reasoning ("thinking") output
}

// Tier replaces the base prices of a call whose input exceeds AboveInputTokens. Providers
// bill long-context calls this way as a cliff: every token of the call pays the tier price.
type Tier struct {
	AboveInputTokens int64
	Prices           Prices
}

// Entry is one priced model as the catalog resolved it.
type Entry struct {
	// ID names the entry (the model's canonical name, e.g. "claude-sonnet-4-5").
	ID string
	// Provider is the gen_ai.provider.name whose bill these prices are; empty means the
	// prices apply on any host.
	Provider string
	// Endpoint limits the entry to calls on one kind of endpoint (EndpointRegional); empty
	// means any.
	Endpoint string
	// Source is the public price page (or the file) the prices come from.
	Source string
	// Catalog names the price source that supplied the entry: the embedded catalog's
	// version, a price file's path, or "config" for inline prices.
	Catalog string
	Prices  Prices
	// Tiers are ordered by ascending threshold.
	Tiers []Tier
	// Inherited records which prices were not given and copy another kind: reasoning is
	// billed as output, cache reads and writes as plain input.
	Inherited Inherited
	// Windows are daily intervals with prices of their own (off-peak discounts); a call in
	// none of them pays Prices and Tiers.
	Windows []TimeWindow
}

// TimeWindow is a daily interval, in UTC, during which other prices apply. From > To wraps
// around midnight.
type TimeWindow struct {
	From, To time.Duration // since midnight UTC
	Prices   Prices
	Tiers    []Tier
}

func (w *TimeWindow) contains(at time.Time) bool {
	at = at.UTC()
	d := time.Duration(at.Hour())*time.Hour + time.Duration(at.Minute())*time.Minute + time.Duration(at.Second())*time.Second
	if w.From <= w.To {
		return d >= w.From && d < w.To
	}
	return d >= w.From || d < w.To
}

// Inherited says which prices of an entry copy another kind because the source did not
// name them, so that a reader can tell "billed as output" from "costs the same as output".
type Inherited struct {
	ReasoningAsOutput, CacheReadAsInput, CacheWriteAsInput bool
}

// PriceSpec is a set of prices as written in the catalog, a price file or the config: a
// nil price is not given and inherits (see Inherited).
type PriceSpec struct {
	Input      *float64 `mapstructure:"input" json:"input,omitempty"`
	Output     *float64 `mapstructure:"output" json:"output,omitempty"`
	CacheRead  *float64 `mapstructure:"cache_read" json:"cache_read,omitempty"`
	CacheWrite *float64 `mapstructure:"cache_write" json:"cache_write,omitempty"`
	Reasoning  *float64 `mapstructure:"reasoning" json:"reasoning,omitempty"`
}

// TierSpec is a price tier as written: prices not given keep the base price of that kind
// (and a base price that was inherited keeps inheriting from the tier's own prices).
type TierSpec struct {
	AboveInputTokens int64 `mapstructure:"above_input_tokens" json:"above_input_tokens"`
	PriceSpec        `mapstructure:",squash"`
}

// validate reports the first bad price with its field name relative to the spec.
func (s PriceSpec) validate() error {
	for _, f := range [...]struct {
		name string
		v    *float64
	}{{"input", s.Input}, {"output", s.Output}, {"cache_read", s.CacheRead}, {"cache_write", s.CacheWrite}, {"reasoning", s.Reasoning}} {
		if f.v != nil && (math.IsNaN(*f.v) || math.IsInf(*f.v, 0) || *f.v < 0) {
			return fmt.Errorf("%s: must be a finite price >= 0, got %v", f.name, *f.v)
		}
	}
	return nil
}

func (s PriceSpec) empty() bool {
	return s.Input == nil && s.Output == nil && s.CacheRead == nil && s.CacheWrite == nil && s.Reasoning == nil
}

// errNoTokenPrice rejects an entry that names neither an input nor an output price: it
// would price every call at zero, which is what "unpriced" exists to prevent.
var errNoTokenPrice = errors.New("needs an input or an output price")

// resolve turns written prices into an entry's prices and tiers.
func resolve(base PriceSpec, tiers []TierSpec) (Prices, []Tier, Inherited, error) {
	if err := base.validate(); err != nil {
		return Prices{}, nil, Inherited{}, err
	}
	if base.Input == nil && base.Output == nil {
		return Prices{}, nil, Inherited{}, errNoTokenPrice
	}
	inh := Inherited{
		ReasoningAsOutput: base.Reasoning == nil,
		CacheReadAsInput:  base.CacheRead == nil,
		CacheWriteAsInput: base.CacheWrite == nil,
	}
	p := Prices{Input: val(base.Input), Output: val(base.Output)}
	p.CacheRead = orElse(base.CacheRead, p.Input)
	p.CacheWrite = orElse(base.CacheWrite, p.Input)
	p.Reasoning = orElse(base.Reasoning, p.Output)

	out := make([]Tier, 0, len(tiers))
	for i, t := range tiers {
		if err := t.validate(); err != nil {
			return Prices{}, nil, Inherited{}, fmt.Errorf("tiers[%d].%w", i, err)
		}
		if t.AboveInputTokens <= 0 {
			return Prices{}, nil, Inherited{}, fmt.Errorf("tiers[%d].above_input_tokens: must be > 0, got %d", i, t.AboveInputTokens)
		}
		if t.empty() {
			return Prices{}, nil, Inherited{}, fmt.Errorf("tiers[%d]: needs at least one price", i)
		}
		tp := Prices{Input: orElse(t.Input, p.Input), Output: orElse(t.Output, p.Output)}
		tp.CacheRead = tierKind(t.CacheRead, inh.CacheReadAsInput, tp.Input, p.CacheRead)
		tp.CacheWrite = tierKind(t.CacheWrite, inh.CacheWriteAsInput, tp.Input, p.CacheWrite)
		tp.Reasoning = tierKind(t.Reasoning, inh.ReasoningAsOutput, tp.Output, p.Reasoning)
		out = append(out, Tier{AboveInputTokens: t.AboveInputTokens, Prices: tp})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].AboveInputTokens < out[j].AboveInputTokens })
	for i := 1; i < len(out); i++ {
		if out[i].AboveInputTokens == out[i-1].AboveInputTokens {
			return Prices{}, nil, Inherited{}, fmt.Errorf("tiers: two tiers above %d input tokens", out[i].AboveInputTokens)
		}
	}
	if len(out) == 0 {
		out = nil
	}
	return p, out, inh, nil
}

func val(v *float64) float64 {
	if v == nil {
		return 0
	}
	return *v
}

func orElse(v *float64, def float64) float64 {
	if v == nil {
		return def
	}
	return *v
}

// tierKind prices a kind inside a tier: given, else inherited from the tier's own input or
// output when the base inherited too, else the base price of the kind.
func tierKind(v *float64, inherited bool, tierFrom, base float64) float64 {
	switch {
	case v != nil:
		return *v
	case inherited:
		return tierFrom
	default:
		return base
	}
}

// pricesAt returns the prices of a call made at a time with inputTokens of input.
func (e *Entry) pricesAt(inputTokens int64, at time.Time) *Prices {
	base, tiers := &e.Prices, e.Tiers
	for i := len(e.Windows) - 1; i >= 0; i-- {
		if w := &e.Windows[i]; w.contains(at) {
			base, tiers = &w.Prices, w.Tiers
			break
		}
	}
	p := base
	for i := range tiers {
		if inputTokens > tiers[i].AboveInputTokens {
			p = &tiers[i].Prices
		}
	}
	return p
}

// tierSet collects the tiers of a price file entry, where each kind names its thresholds.
type tierSet map[int64]*TierSpec

// at returns the prices of the tier above threshold, creating it.
func (s tierSet) at(threshold int64) *PriceSpec {
	t := s[threshold]
	if t == nil {
		t = &TierSpec{AboveInputTokens: threshold}
		s[threshold] = t
	}
	return &t.PriceSpec
}

// list returns the tiers; resolve orders them.
func (s tierSet) list() []TierSpec {
	out := make([]TierSpec, 0, len(s))
	for _, t := range s {
		out = append(out, *t)
	}
	return out
}
