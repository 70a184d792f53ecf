// Package metadata holds the llmstore extension's component type and stability. It is
// written by hand: it is what mdatagen would generate from ../../metadata.yaml.
package metadata

import "go.opentelemetry.io/collector/component"

var (
	Type      = component.MustNewType("llmstore")
	ScopeName = "github.com/otelcol-llm/otelcol-llm/extension/llmstoreextension"
)

const ExtensionStability = component.StabilityLevelAlpha
