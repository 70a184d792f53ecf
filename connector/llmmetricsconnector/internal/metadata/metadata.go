// Package metadata holds what mdatagen would generate for the llmmetrics connector: its
// type, stability and internal telemetry. It is written by hand because mdatagen is not
// part of this build.
package metadata

import "go.opentelemetry.io/collector/component"

var (
	// Type is the connector's type in collector configuration.
	Type = component.MustNewType("llmmetrics")
	// ScopeName is the instrumentation scope of the metrics the connector emits and of its
	// internal telemetry.
	ScopeName = "github.com/otelcol-llm/otelcol-llm/connector/llmmetricsconnector"
)

// TracesToMetricsStability is the stability of the traces to metrics pipeline.
const TracesToMetricsStability = component.StabilityLevelAlpha

// LogsToMetricsStability is the stability of the logs to metrics pipeline, which counts
// evaluation results sent as log records.
const LogsToMetricsStability = component.StabilityLevelAlpha
