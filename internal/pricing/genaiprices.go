package pricing

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// The pydantic genai-prices format (https://github.com/pydantic/genai-prices, the built
// data.json of v1 and v2): a JSON array of providers, each with models that carry a match
// rule and prices in USD per million tokens. A price is a number or a cliff-tiered
// {base, tiers: [{start, price}]}; a model's prices are one set or a list of conditional
// sets, the last whose constraint holds winning.

type gpProvider struct {
	ID          string    `json:"id"`
	PricingURLs []string  `json:"pricing_urls"`
	Models      []gpModel `json:"models"`
}

type gpModel struct {
	ID     string          `json:"id"`
	Match  json.RawMessage `json:"match"`
	Prices json.RawMessage `json:"prices"`
}

type gpConditional struct {
	Constraint *struct {
		StartDate string `json:"start_date"`
		StartTime string `json:"start_time"`
		EndTime   string `json:"end_time"`
	} `json:"constraint"`
	Prices map[string]json.RawMessage `json:"prices"`
}

type gpTiered struct {
	Base  *float64 `json:"base"`
	Tiers []struct {
		Start *int64   `json:"start"`
		Price *float64 `json:"price"`
	} `json:"tiers"`
}

// gpProviders maps genai-prices provider ids onto gen_ai.provider.name values.
var gpProviders = map[string]string{
	"google": genai.ProviderGCPGemini, "aws": genai.ProviderAWSBedrock,
	"azure": genai.ProviderAzureAIOpenAI, "mistral": genai.ProviderMistralAI,
	"x-ai": genai.ProviderXAI, "moonshotai": genai.ProviderMoonshotAI,
}

func gpProviderName(id string) string {
	if p, ok := gpProviders[id]; ok {
		return p
	}
	p, _ := genai.NormalizeProvider(id)
	return p
}

// gpKinds maps genai-prices price keys onto our token kinds. Other keys (audio, image,
// per-request and per-search prices) are not token kinds of genai.Usage and are ignored.
var gpKinds = map[string]func(*PriceSpec) **float64{
	"input_mtok":            func(s *PriceSpec) **float64 { return &s.Input },
	"output_mtok":           func(s *PriceSpec) **float64 { return &s.Output },
	"cache_read_mtok":       func(s *PriceSpec) **float64 { return &s.CacheRead },
	"cache_write_mtok":      func(s *PriceSpec) **float64 { return &s.CacheWrite },
	"output_reasoning_mtok": func(s *PriceSpec) **float64 { return &s.Reasoning },
}

// parseGenAIPrices reads a genai-prices file. Prices with a start date take effect at now;
// prices that depend on the time of day (off-peak discounts) are not used.
func parseGenAIPrices(data []byte, source string, now time.Time) (*layer, error) {
	if !startsWith(data, '[') {
		return nil, errors.New("not a genai-prices file: want a JSON array of providers")
	}
	var providers []gpProvider
	if err := json.Unmarshal(data, &providers); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	l := newLayer()
	for i, p := range providers {
		if p.ID == "" {
			return nil, fmt.Errorf("providers[%d].id: required", i)
		}
		provider := gpProviderName(p.ID)
		src := source
		if len(p.PricingURLs) > 0 {
			src = p.PricingURLs[0]
		}
		for j, m := range p.Models {
			at := fmt.Sprintf("providers[%d] (%s).models[%d]", i, p.ID, j)
			if m.ID == "" {
				return nil, fmt.Errorf("%s.id: required", at)
			}
			at += " (" + m.ID + ")"
			var cl clause
			if len(m.Match) > 0 {
				var err error
				if cl, err = parseClause(m.Match); err != nil {
					return nil, fmt.Errorf("%s.match: %w", at, err)
				}
			}
			set, windows, err := gpCurrentPrices(m.Prices, now)
			if err != nil {
				return nil, fmt.Errorf("%s.prices%w", at, err)
			}
			prices, tp, inh, err := gpResolve(set)
			if errors.Is(err, errNoTokenPrice) {
				continue // priced per request, image or second: nothing to bill tokens with
			}
			if err != nil {
				return nil, fmt.Errorf("%s.prices%w", at, err)
			}
			e := &Entry{ID: m.ID, Provider: provider, Source: src, Catalog: source, Prices: prices, Tiers: tp, Inherited: inh}
			for _, w := range windows {
				wp, wt, _, err := gpResolve(w.set)
				if err != nil {
					return nil, fmt.Errorf("%s.prices (%s–%s UTC)%w", at, w.from, w.to, err)
				}
				e.Windows = append(e.Windows, TimeWindow{From: w.from, To: w.to, Prices: wp, Tiers: wt})
			}
			// The match rule decides which names the entry prices, as in genai-prices; the
			// id is only a name when there is no rule. (Indexing ids too would let
			// "global.anthropic.claude-…" price the "us." profile, which costs more.)
			if len(m.Match) > 0 {
				l.size++
				l.matchers = append(l.matchers, matcher{clause: cl, entry: e})
			} else {
				l.add(e, m.ID)
			}
		}
	}
	return l, nil
}

// gpWindow is a price set that applies during a daily interval.
type gpWindow struct {
	from, to time.Duration
	set      map[string]json.RawMessage
}

// gpCurrentPrices picks the price set in force at now, and the time-of-day sets that can
// replace it. Conditional sets are tried last to first, as genai-prices does: the first
// set without a constraint or with a start date that has passed is the base, and the
// time-of-day sets listed after it apply in their intervals.
func gpCurrentPrices(raw json.RawMessage, now time.Time) (map[string]json.RawMessage, []gpWindow, error) {
	raw = json.RawMessage(strings.TrimSpace(string(raw)))
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil, errors.New(": required")
	}
	if raw[0] == '{' {
		var set map[string]json.RawMessage
		if err := json.Unmarshal(raw, &set); err != nil {
			return nil, nil, fmt.Errorf(": %w", err)
		}
		return set, nil, nil
	}
	var conds []gpConditional
	if err := json.Unmarshal(raw, &conds); err != nil {
		return nil, nil, fmt.Errorf(": want an object of prices or a list of conditional prices: %w", err)
	}
	today := now.UTC().Format(time.DateOnly)
	var windows []gpWindow
	for k := len(conds) - 1; k >= 0; k-- {
		c := conds[k]
		if c.Prices == nil {
			return nil, nil, fmt.Errorf("[%d].prices: required", k)
		}
		switch {
		case c.Constraint == nil:
		case c.Constraint.StartDate != "":
			if _, err := time.Parse(time.DateOnly, c.Constraint.StartDate); err != nil {
				return nil, nil, fmt.Errorf("[%d].constraint.start_date: %w", k, err)
			}
			if c.Constraint.StartDate > today {
				continue
			}
		default:
			from, err := gpTimeOfDay(c.Constraint.StartTime)
			if err != nil {
				return nil, nil, fmt.Errorf("[%d].constraint.start_time: %w", k, err)
			}
			to, err := gpTimeOfDay(c.Constraint.EndTime)
			if err != nil {
				return nil, nil, fmt.Errorf("[%d].constraint.end_time: %w", k, err)
			}
			windows = append([]gpWindow{{from, to, c.Prices}}, windows...)
			continue
		}
		return c.Prices, windows, nil
	}
	return nil, nil, errors.New(": no price set without a time-of-day constraint is in force")
}

// gpTimeOfDay parses "16:30:00Z" (or with an offset, or without a zone meaning UTC) into
// the time since midnight UTC.
func gpTimeOfDay(s string) (time.Duration, error) {
	t, err := time.Parse("15:04:05Z07:00", s)
	if err != nil {
		if t, err = time.Parse("15:04:05", s); err != nil {
			return 0, fmt.Errorf("want HH:MM:SS with a zone, got %q", s)
		}
	}
	t = t.UTC()
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second, nil
}

// gpResolve resolves one price set. Errors start with the path below "prices".
func gpResolve(set map[string]json.RawMessage) (Prices, []Tier, Inherited, error) {
	base, tiers, err := gpSpec(set)
	if err != nil {
		return Prices{}, nil, Inherited{}, fmt.Errorf(".%w", err)
	}
	p, t, inh, err := resolve(base, tiers)
	if err != nil {
		err = fmt.Errorf(": %w", err)
	}
	return p, t, inh, err
}

// gpSpec turns one genai-prices price set into base prices and tiers.
func gpSpec(set map[string]json.RawMessage) (PriceSpec, []TierSpec, error) {
	var base PriceSpec
	tiers := tierSet{}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		field, ok := gpKinds[k]
		if !ok {
			continue
		}
		raw := set[k]
		var n float64
		if err := json.Unmarshal(raw, &n); err == nil {
			*field(&base) = &n
			continue
		}
		var t gpTiered
		if err := json.Unmarshal(raw, &t); err != nil || t.Base == nil {
			return PriceSpec{}, nil, fmt.Errorf("%s: want a number or {base, tiers}", k)
		}
		*field(&base) = t.Base
		for i, tier := range t.Tiers {
			if tier.Start == nil || tier.Price == nil {
				return PriceSpec{}, nil, fmt.Errorf("%s.tiers[%d]: start and price are required", k, i)
			}
			*field(tiers.at(*tier.Start)) = tier.Price
		}
	}
	return base, tiers.list(), nil
}

// matcher prices the names a genai-prices match rule accepts.
type matcher struct {
	clause clause
	entry  *Entry
}

// clause is a genai-prices match rule: equals, starts_with, ends_with, contains, regex,
// or a list under or/and. Text is compared in lower case, as model names are.
type clause struct {
	op   string
	text string
	re   *regexp.Regexp
	sub  []clause
}

// maxClauseDepth bounds the nesting of or/and, so that a hostile file cannot exhaust the
// stack.
const maxClauseDepth = 32

func parseClause(raw json.RawMessage) (clause, error) { return parseClauseDepth(raw, 0) }

func parseClauseDepth(raw json.RawMessage, depth int) (clause, error) {
	if depth > maxClauseDepth {
		return clause{}, fmt.Errorf("nested deeper than %d", maxClauseDepth)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return clause{}, fmt.Errorf("want an object: %w", err)
	}
	if len(obj) != 1 {
		return clause{}, fmt.Errorf("want exactly one of equals, starts_with, ends_with, contains, regex, or, and; got %d keys", len(obj))
	}
	var op string
	var v json.RawMessage
	for op, v = range obj {
	}
	switch op {
	case "equals", "starts_with", "ends_with", "contains", "regex":
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return clause{}, fmt.Errorf("%s: want a string", op)
		}
		c := clause{op: op, text: strings.ToLower(s)}
		if op == "regex" {
			re, err := regexp.Compile(s)
			if err != nil {
				return clause{}, fmt.Errorf("regex: %w", err)
			}
			c.re = re
		}
		return c, nil
	case "or", "and":
		var items []json.RawMessage
		if err := json.Unmarshal(v, &items); err != nil {
			return clause{}, fmt.Errorf("%s: want a list of clauses", op)
		}
		c := clause{op: op, sub: make([]clause, 0, len(items))}
		for i, it := range items {
			s, err := parseClauseDepth(it, depth+1)
			if err != nil {
				return clause{}, fmt.Errorf("%s[%d].%w", op, i, err)
			}
			c.sub = append(c.sub, s)
		}
		return c, nil
	default:
		return clause{}, fmt.Errorf("unknown clause %q", op)
	}
}

func (c *clause) match(s string) bool {
	switch c.op {
	case "equals":
		return s == c.text
	case "starts_with":
		return strings.HasPrefix(s, c.text)
	case "ends_with":
		return strings.HasSuffix(s, c.text)
	case "contains":
		return strings.Contains(s, c.text)
	case "regex":
		return c.re.MatchString(s)
	case "or":
		for i := range c.sub {
			if c.sub[i].match(s) {
				return true
			}
		}
		return false
	case "and":
		for i := range c.sub {
			if !c.sub[i].match(s) {
				return false
			}
		}
		return len(c.sub) > 0
	}
	return false
}
