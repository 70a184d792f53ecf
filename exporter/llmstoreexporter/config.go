package llmstoreexporter

import (
	"errors"

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

// defaultQueueConfig batches by default: every batch is one SQLite transaction, and a
// commit costs as much as writing a few hundred spans, so the small requests SDKs send
// (one per span, or a few dozen) are merged into batches of a few thousand items first.
func defaultQueueConfig() exporterhelper.QueueBatchConfig {
	q := exporterhelper.NewDefaultQueueConfig()
	b := exporterhelper.NewDefaultBatchConfig() // items, flushed after 200ms at the latest
	b.MinSize, b.MaxSize = 2000, 10000
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
