// Package llmproxyreceiver implements the llmproxy receiver: an OpenAI- and
// Anthropic-compatible HTTP proxy that forwards each request to the provider and emits
// one GenAI semantic-convention span per model call.
package llmproxyreceiver

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/metadata"
)

// NewFactory returns the llmproxy receiver factory.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(metadata.Type, createDefaultConfig,
		receiver.WithTraces(createTraces, metadata.TracesStability))
}

func createDefaultConfig() component.Config {
	server := confighttp.NewDefaultServerConfig()
	server.NetAddr.Endpoint = defaultEndpoint
	// Streams last minutes; a write deadline would cut them.
	server.WriteTimeout = 0
	return &Config{
		ServerConfig:    server,
		CaptureContent:  true,
		MaxCaptureSize:  defaultMaxCaptureSize,
		ServiceName:     "llmproxy",
		ShutdownTimeout: defaultShutdownTimeout,
	}
}

func createTraces(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Traces) (receiver.Traces, error) {
	return newReceiver(cfg.(*Config), set, next)
}
