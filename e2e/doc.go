// Package e2e holds end-to-end tests that run the built otelcol-llm binary (bin/otelcol-llm,
// produced by `make build`) against real peers: the OpenTelemetry Go SDK sending spans,
// Prometheus scraping, Alertmanager receiving, all on 127.0.0.1 with free ports.
package e2e
