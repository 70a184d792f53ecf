// Package llmstoreexporter provides the llmstore exporter: it writes traces, logs and
// metrics into the database of an llmstore extension, one transaction per batch, behind
// the standard sending queue and retry so that a busy store never loses data.
package llmstoreexporter

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/extension/llmstoreextension"
	"github.com/otelcol-llm/otelcol-llm/internal/store"
)

type storeExporter struct {
	id  component.ID
	ext *llmstoreextension.Extension
}

// start finds the extension; extensions start before pipelines, so its database is open
// (or known to be unusable) by now.
func (e *storeExporter) start(_ context.Context, host component.Host) error {
	c, ok := host.GetExtensions()[e.id]
	if !ok {
		return fmt.Errorf("extension %q is not configured: add it under extensions: and service.extensions:", e.id)
	}
	ext, ok := c.(*llmstoreextension.Extension)
	if !ok {
		return fmt.Errorf("extension %q is not an llmstore extension", e.id)
	}
	e.ext = ext
	return nil
}

// db returns the store; a database that could not be opened is a permanent error, since
// retrying cannot help until the collector restarts with a usable file.
func (e *storeExporter) db() (*store.Store, error) {
	s, err := e.ext.Store()
	if err != nil {
		return nil, consumererror.NewPermanent(err)
	}
	return s, nil
}

// The write errors that remain (a locked file, a full disk) are transient: the
// exporterhelper retries them from the sending queue.

func (e *storeExporter) pushTraces(ctx context.Context, td ptrace.Traces) error {
	s, err := e.db()
	if err != nil {
		return err
	}
	return s.WriteTraces(ctx, td)
}

func (e *storeExporter) pushLogs(ctx context.Context, ld plog.Logs) error {
	s, err := e.db()
	if err != nil {
		return err
	}
	return s.WriteLogs(ctx, ld)
}

func (e *storeExporter) pushMetrics(ctx context.Context, md pmetric.Metrics) error {
	s, err := e.db()
	if err != nil {
		return err
	}
	return s.WriteMetrics(ctx, md)
}
