package llmmetricsconnector

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-llm/otelcol-llm/connector/llmmetricsconnector/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	tests := []struct {
		id      string
		want    *Config
		wantErr string
	}{
		{id: "", want: createDefaultConfig()},
		{id: "full", want: &Config{
			Dimensions:         []string{"user.id", "gen_ai.conversation.id"},
			ResourceDimensions: []string{"service.name", "deployment.environment"},
			Temporality:        TemporalityDelta,
			FlushInterval:      30 * time.Second,
			CardinalityLimit:   200,
			SeriesExpiration:   10 * time.Minute,
			Exemplars:          ExemplarsConfig{Enabled: true, MaxPerDataPoint: 3},
		}},
		{id: "invalid", wantErr: `resource_dimensions[1]: "service.name" is already listed at resource_dimensions[0]; list each attribute once
dimensions[0]: attribute name is empty; remove the entry or name an attribute
dimensions[2]: "user.id" is already listed at dimensions[1]; list each attribute once
dimensions[3]: "gen_ai.request.model" is always a dimension of the GenAI metrics; remove it
temporality: "DELTA" is not supported; use "cumulative" or "delta"
flush_interval: must be positive, got 0s
cardinality_limit: must be at least 1, got 0
series_expiration: must not be negative, got -1s; use 0 to keep series
exemplars.max_per_data_point: must be at least 1 when exemplars are enabled, got 0`},
		{id: "short_expiration", wantErr: "series_expiration: 30s is shorter than flush_interval 1m0s, so series would expire before they are emitted; raise it or use 0"},
		{id: "resource_and_span", wantErr: `dimensions[0]: "service.name" is already listed at resource_dimensions[0]; list each attribute once`},
	}
	for _, tt := range tests {
		t.Run("llmmetrics/"+tt.id, func(t *testing.T) {
			id := component.NewID(metadata.Type)
			if tt.id != "" {
				id = component.NewIDWithName(metadata.Type, tt.id)
			}
			sub, err := cm.Sub(id.String())
			require.NoError(t, err)
			cfg := NewFactory().CreateDefaultConfig()
			require.NoError(t, sub.Unmarshal(cfg))
			err = confmap.Validate(cfg)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg)
		})
	}
}

func TestConfigStruct(t *testing.T) {
	require.NoError(t, componenttest.CheckConfigStruct(NewFactory().CreateDefaultConfig()))
}
