package redact

import (
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
)

func TestDefaultConfigIsValid(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if !cfg.FailClosed || cfg.DefaultAction != ActionRedact || cfg.Content.Default != "full" || cfg.ScanCacheEntries != 1<<16 {
		t.Errorf("DefaultConfig() = %+v", cfg)
	}
}

func TestValidateErrors(t *testing.T) {
	key := strings.Repeat("k", 32)
	tests := []struct {
		name   string
		mutate func(*Config)
		want   []string // substrings of the error, each naming the field and the fix
	}{
		{"unknown detector", func(c *Config) { c.Detectors = map[string]bool{"EMIAL": false} }, []string{"detectors.EMIAL: unknown entity type; use one of EMAIL"}},
		{"bad action", func(c *Config) { c.Actions = map[string]Action{"EMAIL": "erase"} }, []string{`actions.EMAIL: "erase" is not an action`}},
		{"action for unknown entity", func(c *Config) { c.Actions = map[string]Action{"NAME": ActionMask} }, []string{"actions.NAME: unknown entity type"}},
		{"bad default action", func(c *Config) { c.DefaultAction = "nuke" }, []string{`default_action: "nuke" is not an action`}},
		{"keep as key action", func(c *Config) { c.KeyActions = map[string]Action{"user.id": ActionKeep} }, []string{"key_actions.user.id: keep is what allowed_keys is for"}},
		{"hash without key", func(c *Config) { c.Actions = map[string]Action{"EMAIL": ActionHash} }, []string{"hash_key: the hash action needs a secret key of at least 32 bytes (have 0)"}},
		{"hash key too short", func(c *Config) { c.KeyActions = map[string]Action{"user.id": ActionHash}; c.HashKey = "short" }, []string{"(have 5)"}},
		{"bad policy", func(c *Config) { c.Content.Services = map[string]string{"checkout": "partial"} }, []string{`content.services.checkout: "partial" is not a content policy; use full, none or "truncate: N"`}},
		{"bad truncate", func(c *Config) { c.Content.Operations = map[string]string{"chat": "truncate: -4"} }, []string{"content.operations.chat:", "must be a positive number"}},
		{"allow everything", func(c *Config) { c.AllowedValues = []string{"*"} }, []string{"allowed_values[0]"}},
		{"negative scan cache", func(c *Config) { c.ScanCacheEntries = -1 }, []string{"scan_cache_entries: -1 is out of range; use 0 to turn the cache off, or 8 to 16777216 entries"}},
		{"scan cache below one set", func(c *Config) { c.ScanCacheEntries = 4 }, []string{"scan_cache_entries: 4 is out of range"}},
		{"scan cache too large", func(c *Config) { c.ScanCacheEntries = 1 << 30 }, []string{"scan_cache_entries: 1073741824 is out of range"}},
		{"negative limits", func(c *Config) { c.Limits = Limits{MaxValueBytes: -1, MaxJSONDepth: -1, TimeBudget: -time.Second} }, []string{"limits.max_value_bytes", "limits.max_json_depth", "limits.time_budget"}},
		{"custom: empty-matching regex", func(c *Config) {
			c.CustomDetectors = []CustomDetector{{Name: "EMP", Regex: "EMP-[0-9]*|"}}
		}, []string{"custom_detectors[0]: regex: pattern matches the empty string"}},
		{"custom: star only", func(c *Config) { c.CustomDetectors = []CustomDetector{{Name: "X", Regex: "[0-9]*"}} }, []string{"use + instead of *"}},
		{"custom: huge repetition", func(c *Config) { c.CustomDetectors = []CustomDetector{{Name: "X", Regex: "a{500}"}} }, []string{"repetition count 500 is larger than 256"}},
		{"custom: too long", func(c *Config) { c.CustomDetectors = []CustomDetector{{Name: "X", Regex: strings.Repeat("a", 2000)}} }, []string{"pattern is 2000 characters long"}},
		{"custom: nested blowup", func(c *Config) {
			c.CustomDetectors = []CustomDetector{{Name: "X", Regex: "((a{1,200}){1,200}){1,200}x"}}
		}, []string{"custom_detectors[0]: regex:"}},
		{"custom: does not compile", func(c *Config) { c.CustomDetectors = []CustomDetector{{Name: "X", Regex: "(a"}} }, []string{"does not compile"}},
		{"custom: bad validator and name", func(c *Config) {
			c.CustomDetectors = []CustomDetector{{Name: "EMAIL", Regex: "x+", Validator: "crc"}, {Name: "has space", Regex: "y+"}}
		}, []string{`name: "EMAIL" is a built-in entity type`, `validator: "crc" is unknown; use luhn, mod97`, `custom_detectors[1]: name: "has space" must be letters, digits and underscores`}},
		{"custom: duplicate", func(c *Config) {
			c.CustomDetectors = []CustomDetector{{Name: "EMP", Regex: "x+"}, {Name: "EMP", Regex: "y+"}}
		}, []string{`custom_detectors[1].name: "EMP" is used twice`}},
		{"custom: empty keyword", func(c *Config) {
			c.CustomDetectors = []CustomDetector{{Name: "EMP", Regex: "x+", Keywords: []string{""}}}
		}, []string{"keywords[0]: empty keyword"}},
		{"valid hash", func(c *Config) {
			c.Actions = map[string]Action{"EMAIL": ActionHash}
			c.HashKey = configopaque.String(key)
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.mutate(&cfg)
			err := cfg.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
			if _, nerr := New(cfg); nerr == nil {
				t.Error("New accepted an invalid config")
			}
		})
	}
}

// TestUnmarshal reads the section the way the collector does (confmap, mapstructure).
func TestUnmarshal(t *testing.T) {
	conf := confmap.NewFromStringMap(map[string]any{
		"detectors":      map[string]any{"IP_ADDRESS": false},
		"actions":        map[string]any{"CREDIT_CARD": "mask", "EMAIL": "hash"},
		"key_actions":    map[string]any{"user.id": "hash"},
		"secret_keys":    []any{"pin"},
		"allowed_keys":   []any{"gen_ai.response.id"},
		"allowed_values": []any{"support@example.com"},
		"custom_detectors": []any{map[string]any{
			"name": "EMPLOYEE_ID", "regex": "EMP-[0-9]{6}", "keywords": []any{"emp-"},
		}},
		"content":            map[string]any{"default": "full", "services": map[string]any{"billing": "none"}, "operations": map[string]any{"embeddings": "truncate: 100"}},
		"fail_closed":        false,
		"hash_key":           strings.Repeat("s", 32),
		"limits":             map[string]any{"max_value_bytes": 1024, "time_budget": "20ms"},
		"scan_cache_entries": 0,
	})
	cfg := DefaultConfig()
	if err := conf.Unmarshal(&cfg); err != nil {
		t.Fatal(err)
	}
	if err := confmap.Validate(&cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Actions["CREDIT_CARD"] != ActionMask || cfg.KeyActions["user.id"] != ActionHash || cfg.Detectors["IP_ADDRESS"] ||
		cfg.CustomDetectors[0].Keywords[0] != "emp-" || cfg.Content.Operations["embeddings"] != "truncate: 100" ||
		cfg.FailClosed || string(cfg.HashKey) != strings.Repeat("s", 32) || cfg.Limits.MaxValueBytes != 1024 ||
		cfg.Limits.TimeBudget != 20*time.Millisecond || cfg.Limits.MaxJSONDepth != 64 || cfg.ScanCacheEntries != 0 {
		t.Errorf("unmarshalled %+v", cfg)
	}
}
