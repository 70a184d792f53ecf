// Package metadata holds the llmstore exporter's component type and stability levels. It
// is written by hand: it is what mdatagen would generate from ../../metadata.yaml.
package metadata

import "go.opentelemetry.io/collector/component"

var (
	Type      = component.MustNewType("llmstore")
	ScopeName = "github.com/otelcol-llm/otelcol-llm/exporter/llmstoreexporter"
)

const (
	TracesStability  = component.StabilityLevelAlpha
	LogsStability    = component.StabilityLevelAlpha
	MetricsStability = component.StabilityLevelAlpha
)
