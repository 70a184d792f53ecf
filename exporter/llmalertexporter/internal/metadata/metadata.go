// Package metadata holds what mdatagen would generate for the llmalert exporter: its type,
// stability and internal telemetry. It is written by hand because mdatagen is not part of
// this build.
package metadata

import "go.opentelemetry.io/collector/component"

var (
	// Type is the exporter's type in collector configuration.
	Type = component.MustNewType("llmalert")
	// ScopeName is the instrumentation scope of the exporter's internal telemetry.
	ScopeName = "github.com/otelcol-llm/otelcol-llm/exporter/llmalertexporter"
)

// MetricsStability is the stability of the metrics exporter.
const MetricsStability = component.StabilityLevelDevelopment
