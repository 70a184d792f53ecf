// Package metadata holds the component metadata mdatagen would generate.
package metadata

import "go.opentelemetry.io/collector/component"

var (
	// Type is the receiver's type name in collector configuration.
	Type = component.MustNewType("llmproxy")
	// ScopeName is the instrumentation scope of the receiver's spans and telemetry.
	ScopeName = "github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver"
)

// TracesStability is the stability of the traces signal.
const TracesStability = component.StabilityLevelAlpha
