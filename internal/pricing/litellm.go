package pricing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// The LiteLLM format (model_prices_and_context_window.json in BerriAI/litellm): a JSON object
// keyed by model name, prices in USD per token, long-context cliffs as extra keys with an
// "_above_<N>k_tokens" suffix, and the host in litellm_provider.

// litellmKinds maps LiteLLM price keys onto our token kinds.
var litellmKinds = map[string]func(*PriceSpec) **float64{
	"input_cost_per_token":            func(s *PriceSpec) **float64 { return &s.Input },
	"output_cost_per_token":           func(s *PriceSpec) **float64 { return &s.Output },
	"cache_read_input_token_cost":     func(s *PriceSpec) **float64 { return &s.CacheRead },
	"cache_creation_input_token_cost": func(s *PriceSpec) **float64 { return &s.CacheWrite },
	"output_cost_per_reasoning_token": func(s *PriceSpec) **float64 { return &s.Reasoning },
}

// litellmProviders maps litellm_provider values onto gen_ai.provider.name values; values
// not listed go through genai.NormalizeProvider.
var litellmProviders = map[string]string{
	"text-completion-openai":    genai.ProviderOpenAI,
	"azure":                     genai.ProviderAzureAIOpenAI,
	"azure_text":                genai.ProviderAzureAIOpenAI,
	"azure_ai":                  genai.ProviderAzureAIInference,
	"bedrock":                   genai.ProviderAWSBedrock,
	"bedrock_converse":          genai.ProviderAWSBedrock,
	"gemini":                    genai.ProviderGCPGemini,
	"mistral":                   genai.ProviderMistralAI,
	"codestral":                 genai.ProviderMistralAI,
	"text-completion-codestral": genai.ProviderMistralAI,
	"cohere":                    genai.ProviderCohere,
	"cohere_chat":               genai.ProviderCohere,
	"xai":                       genai.ProviderXAI,
	"moonshot":                  genai.ProviderMoonshotAI,
}

func litellmProviderName(v string) string {
	v = strings.ToLower(v)
	if p, ok := litellmProviders[v]; ok {
		return p
	}
	if strings.HasPrefix(v, "vertex_ai") {
		return genai.ProviderGCPVertexAI
	}
	p, _ := genai.NormalizeProvider(v)
	return p
}

// parseLiteLLM reads a LiteLLM price file. Entries without a per-token input or output
// price (images, audio seconds, rerank queries) are skipped. Several keys that reduce to the
// same model on the same host (regional Azure and Bedrock duplicates) keep the one with
// the shortest key, which is the host's default endpoint.
func parseLiteLLM(data []byte, source string) (*layer, error) {
	if !startsWith(data, '{') {
		return nil, errors.New("not a LiteLLM file: want a JSON object keyed by model name")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		if k != "sample_spec" {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) < len(keys[j])
		}
		return keys[i] < keys[j]
	})
	l := newLayer()
	for _, k := range keys {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw[k], &fields); err != nil {
			return nil, fmt.Errorf("%q: want an object: %w", k, err)
		}
		base, tiers, err := litellmSpec(fields)
		if err != nil {
			return nil, fmt.Errorf("%q.%w", k, err)
		}
		prices, tp, inh, err := resolve(base, tiers)
		if errors.Is(err, errNoTokenPrice) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%q: %w", k, err)
		}
		var provider string
		if p, ok := fields["litellm_provider"]; ok {
			if err := json.Unmarshal(p, &provider); err != nil {
				return nil, fmt.Errorf("%q.litellm_provider: want a string", k)
			}
			provider = litellmProviderName(provider)
		}
		id := canonical(k)
		if id == "" {
			return nil, fmt.Errorf("%q: not a model name", k)
		}
		e := &Entry{ID: id, Provider: provider, Source: source, Catalog: source, Prices: prices, Tiers: tp, Inherited: inh}
		l.add(e, k)
	}
	return l, nil
}

// litellmSpec reads the per-token prices of one entry and converts them to per million.
func litellmSpec(fields map[string]json.RawMessage) (PriceSpec, []TierSpec, error) {
	var base PriceSpec
	tiers := tierSet{}
	for key, raw := range fields {
		kind, threshold, ok := litellmKey(key)
		if !ok {
			continue
		}
		var perToken float64
		if err := json.Unmarshal(raw, &perToken); err != nil {
			if string(raw) == "null" {
				continue
			}
			return PriceSpec{}, nil, fmt.Errorf("%s: want a number, got %s", key, truncate(string(raw), 40))
		}
		perMillion := perToken * 1e6
		spec := &base
		if threshold > 0 {
			spec = tiers.at(threshold)
		}
		*litellmKinds[kind](spec) = &perMillion
	}
	return base, tiers.list(), nil
}

// litellmKey splits "input_cost_per_token_above_200k_tokens" into its kind and threshold
// (0 for a base price).
func litellmKey(key string) (kind string, threshold int64, ok bool) {
	if _, ok := litellmKinds[key]; ok {
		return key, 0, true
	}
	kind, rest, found := strings.Cut(key, "_above_")
	if !found || litellmKinds[kind] == nil {
		return "", 0, false
	}
	n, found := strings.CutSuffix(rest, "_tokens")
	if !found {
		return "", 0, false // "_above_1hr" and other non-token conditions
	}
	mult := int64(1)
	switch {
	case strings.HasSuffix(n, "k"):
		n, mult = n[:len(n)-1], 1_000
	case strings.HasSuffix(n, "m"):
		n, mult = n[:len(n)-1], 1_000_000
	}
	v, err := strconv.ParseInt(n, 10, 64)
	if err != nil || v <= 0 || v > 1<<40 {
		return "", 0, false
	}
	return kind, v * mult, true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// startsWith reports whether the first non-space byte of data is c.
func startsWith(data []byte, c byte) bool {
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && data[0] == c
}
