package pricing

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// catalogJSON is the price catalog otelcol-llm ships. Its schema is catalogFile; README.md
// describes it and how to update it.
//
//go:embed catalog.json
var catalogJSON []byte

// catalogFile is the schema of catalog.json.
type catalogFile struct {
	// Version is the date the prices were last checked against the providers' pages.
	Version   string            `json:"version"`
	Unit      string            `json:"unit"`
	Providers []catalogProvider `json:"providers"`
}

type catalogProvider struct {
	// Provider is the gen_ai.provider.name value of the host that bills these prices.
	Provider string `json:"provider"`
	// Source is the public price page the models' prices come from.
	Source string         `json:"source"`
	Models []catalogModel `json:"models"`
}

type catalogModel struct {
	ID string `json:"id"`
	// Aliases are other names of the same model at the same price (names that the snapshot
	// and prefix rules do not already reduce to ID).
	Aliases []string `json:"aliases,omitempty"`
	// Source overrides the provider's price page for this model.
	Source string `json:"source,omitempty"`
	// Endpoint "regional" limits the prices to regional endpoints (Bedrock geography
	// profiles and in-region ids, Vertex regional locations).
	Endpoint string `json:"endpoint,omitempty"`
	PriceSpec
	Tiers []TierSpec `json:"tiers,omitempty"`
}

const catalogUnit = "USD per million tokens"

// parseCatalog reads a catalog in the schema of catalog.json into a layer. name labels the
// entries' Catalog (the version for the embedded catalog).
func parseCatalog(data []byte) (*layer, string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f catalogFile
	if err := dec.Decode(&f); err != nil {
		return nil, "", fmt.Errorf("catalog: %w", err)
	}
	if f.Version == "" {
		return nil, "", fmt.Errorf("catalog: version: required")
	}
	if f.Unit != catalogUnit {
		return nil, "", fmt.Errorf("catalog: unit: must be %q, got %q", catalogUnit, f.Unit)
	}
	l := newLayer()
	seen := map[string]bool{}
	for i, p := range f.Providers {
		if p.Provider == "" {
			return nil, "", fmt.Errorf("catalog: providers[%d].provider: required", i)
		}
		if norm, _ := genai.NormalizeProvider(p.Provider); norm != p.Provider {
			return nil, "", fmt.Errorf("catalog: providers[%d].provider: must be a gen_ai.provider.name value, got %q (use %q)", i, p.Provider, norm)
		}
		for j, m := range p.Models {
			at := fmt.Sprintf("catalog: providers[%d] (%s).models[%d]", i, p.Provider, j)
			if m.ID == "" {
				return nil, "", fmt.Errorf("%s.id: required", at)
			}
			if canonical(m.ID) != m.ID {
				return nil, "", fmt.Errorf("%s.id: must be canonical (lower case, no prefix), got %q", at, m.ID)
			}
			if m.Endpoint != "" && m.Endpoint != EndpointRegional {
				return nil, "", fmt.Errorf("%s (%s).endpoint: must be %q or absent, got %q", at, m.ID, EndpointRegional, m.Endpoint)
			}
			if key := p.Provider + "\x00" + m.Endpoint + "\x00" + m.ID; seen[key] {
				return nil, "", fmt.Errorf("%s.id: %q listed twice", at, m.ID)
			} else {
				seen[key] = true
			}
			prices, tiers, inh, err := resolve(m.PriceSpec, m.Tiers)
			if err != nil {
				return nil, "", fmt.Errorf("%s (%s): %w", at, m.ID, err)
			}
			src := m.Source
			if src == "" {
				src = p.Source
			}
			if !strings.HasPrefix(src, "https://") {
				return nil, "", fmt.Errorf("%s (%s).source: must be an https URL of the price page, got %q", at, m.ID, src)
			}
			e := &Entry{ID: m.ID, Provider: p.Provider, Endpoint: m.Endpoint, Source: src, Catalog: f.Version, Prices: prices, Tiers: tiers, Inherited: inh}
			l.add(e, append([]string{m.ID}, m.Aliases...)...)
		}
	}
	return l, f.Version, nil
}
