// Package metadata holds the llm processor's component type and stability levels. It is
// written by hand: it is what mdatagen would generate from ../../metadata.yaml.
package metadata

import "go.opentelemetry.io/collector/component"

var (
	Type      = component.MustNewType("llm")
	ScopeName = "github.com/otelcol-llm/otelcol-llm/processor/llmprocessor"
)

const (
	TracesStability = component.StabilityLevelAlpha
	LogsStability   = component.StabilityLevelAlpha
)
