package llmstoreexporter

import (
	"errors"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

// Config is the llmstore exporter's configuration.
type Config struct {
	// Extension is the ID of the llmstore extension that owns the database.
	Extension component.ID `mapstructure:"extension"`

	exporterhelper.TimeoutConfig `mapstructure:",squash"`
	QueueConfig                  configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	RetryConfig                  configretry.BackOffConfig                                `mapstructure:"retry_on_failure"`
}

func createDefaultConfig() component.Config {
	return &Config{
		Extension:     component.MustNewID("llmstore"),
		TimeoutConfig: exporterhelper.NewDefaultTimeoutConfig(),
		QueueConfig:   configoptional.Some(defaultQueueConfig()),
		RetryConfig:   configretry.NewDefaultBackOffConfig(),
	}
}

// defaultQueueConfig batches by default: every batch is one SQLite transaction, and part
// of its cost is per batch, not per span (the commit, a rollup row per user and model at
// each resolution, the trace index pages per user and session), so the small requests
// SDKs send (one per span, or a few dozen) are merged into batches of several thousand
// items first: from 2,000 to 8,000 spans, the writer spends about a sixth less per span.
func defaultQueueConfig() exporterhelper.QueueBatchConfig {
	q := exporterhelper.NewDefaultQueueConfig()
	// The store has one writer: a second consumer encodes the next batch while the first
	// writes, and more would only hold batches in memory waiting for the writer, long
	// enough to time out under overload.
	q.NumConsumers = 2
	b := exporterhelper.NewDefaultBatchConfig() // sized in items
	b.MinSize, b.MaxSize = 8000, 16000
	b.FlushTimeout = 500 * time.Millisecond
	q.Batch = configoptional.Some(b)
	return q
}

// Validate checks the options the exporter owns; the queue and retry settings validate
// themselves.
func (c *Config) Validate() error {
	if c.Extension.Type().String() == "" {
		return errors.New(`extension must name the llmstore extension, e.g. "llmstore"`)
	}
	return nil
}
