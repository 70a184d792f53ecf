package pricing

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Price file formats.
const (
	FormatGenAIPrices = "genai-prices"
	FormatLiteLLM     = "litellm"
)

// Config is the pricing section of the llm processor's config.
type Config struct {
	// Prices are inline prices; they win over price files and the embedded catalog.
	Prices []ModelPrice `mapstructure:"prices"`
	// Files are price files, loaded at start and reloaded when they change. A later file
	// wins over an earlier one; all of them win over the embedded catalog.
	Files []PriceFile `mapstructure:"files"`
	// Aliases map a deployment or alias name (an Azure deployment, a gateway route) to the
	// model it serves. Matched case-insensitively against the whole model name.
	Aliases map[string]string `mapstructure:"aliases"`
	// ReloadInterval is how often price files are checked for changes; 0 turns reloading
	// off.
	ReloadInterval time.Duration `mapstructure:"reload_interval"`
	// DisableEmbedded leaves out the embedded catalog, so that only configured prices apply.
	DisableEmbedded bool `mapstructure:"disable_embedded"`
	// CacheSize bounds the number of resolved (provider, model) names kept.
	CacheSize int `mapstructure:"cache_size"`
}

// ModelPrice is an inline price in USD per million tokens.
type ModelPrice struct {
	// Model is the model name the price is for; the matching rules of the catalog apply
	// (dated snapshots and prefixed names of this model get this price).
	Model string `mapstructure:"model"`
	// Provider limits the price to one host (a gen_ai.provider.name value); empty means
	// any host.
	Provider  string `mapstructure:"provider"`
	PriceSpec `mapstructure:",squash"`
	Tiers     []TierSpec `mapstructure:"tiers"`
}

// PriceFile is a price file to load.
type PriceFile struct {
	Path   string `mapstructure:"path"`
	Format string `mapstructure:"format"`
}

// DefaultConfig returns the defaults: the embedded catalog, files checked every 30s.
func DefaultConfig() Config {
	return Config{ReloadInterval: 30 * time.Second, CacheSize: 4096}
}

// Validate reports every mistake with the path of its field.
func (c *Config) Validate() error {
	var errs []error
	for i, p := range c.Prices {
		at := fmt.Sprintf("prices[%d]", i)
		if strings.TrimSpace(p.Model) == "" {
			errs = append(errs, fmt.Errorf("%s.model: required", at))
			continue
		}
		if _, _, _, err := resolve(p.PriceSpec, p.Tiers); err != nil {
			if errors.Is(err, errNoTokenPrice) {
				err = errors.New("needs at least input or output (USD per million tokens)")
				errs = append(errs, fmt.Errorf("%s (%s): %w", at, p.Model, err))
			} else {
				errs = append(errs, fmt.Errorf("%s (%s).%w", at, p.Model, err))
			}
		}
	}
	seen := map[[2]string]int{}
	for i, p := range c.Prices {
		key := [2]string{canonical(p.Model), p.Provider}
		if j, dup := seen[key]; dup && key[0] != "" {
			errs = append(errs, fmt.Errorf("prices[%d]: same model and provider as prices[%d] (%s)", i, j, p.Model))
		} else {
			seen[key] = i
		}
	}
	for i, f := range c.Files {
		at := fmt.Sprintf("files[%d]", i)
		if strings.TrimSpace(f.Path) == "" {
			errs = append(errs, fmt.Errorf("%s.path: required", at))
		}
		if f.Format != FormatGenAIPrices && f.Format != FormatLiteLLM {
			errs = append(errs, fmt.Errorf("%s.format: must be %s or %s, got %q", at, FormatGenAIPrices, FormatLiteLLM, f.Format))
		}
	}
	aliases := make([]string, 0, len(c.Aliases))
	for alias := range c.Aliases {
		aliases = append(aliases, alias)
	}
	sort.Strings(aliases)
	folded := map[string]string{}
	for _, alias := range aliases {
		key := strings.ToLower(strings.TrimSpace(alias))
		switch other, dup := folded[key]; {
		case key == "":
			errs = append(errs, errors.New("aliases: an alias name is empty"))
		case dup:
			errs = append(errs, fmt.Errorf("aliases: %q and %q are the same name (aliases ignore case)", other, alias))
		}
		folded[key] = alias
		if strings.TrimSpace(c.Aliases[alias]) == "" {
			errs = append(errs, fmt.Errorf("aliases.%s: model required", alias))
		}
	}
	if c.ReloadInterval < 0 {
		errs = append(errs, fmt.Errorf("reload_interval: must be >= 0 (0 turns reloading off), got %s", c.ReloadInterval))
	}
	if c.CacheSize < 0 {
		errs = append(errs, fmt.Errorf("cache_size: must be >= 0, got %d", c.CacheSize))
	}
	if c.DisableEmbedded && len(c.Prices) == 0 && len(c.Files) == 0 {
		errs = append(errs, errors.New("disable_embedded: no prices would be left; add prices or files"))
	}
	return errors.Join(errs...)
}
