package llmprocessor

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/processor"
)

// instances shares one llmProcessor between the traces and logs pipelines of the same
// component ID, so the price catalog is loaded and watched once and the redaction hash key
// and internal counters are the same for both signals.
var instances = &registry{byConfig: map[*Config]*llmProcessor{}}

type registry struct {
	mu       sync.Mutex
	byConfig map[*Config]*llmProcessor
}

func (r *registry) acquire(set processor.Settings, cfg *Config) (*llmProcessor, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.byConfig[cfg]; ok {
		return p, nil
	}
	p, err := newLLMProcessor(set, cfg)
	if err != nil {
		return nil, err
	}
	p.release = func() {
		r.mu.Lock()
		delete(r.byConfig, cfg)
		r.mu.Unlock()
	}
	r.byConfig[cfg] = p
	return p, nil
}

// lifecycle counts starts so that shared resources start with the first pipeline and stop
// with the last.
type lifecycle struct {
	mu      sync.Mutex
	running int
}

func (l *lifecycle) start(ctx context.Context, host component.Host, first func(context.Context, component.Host) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.running++
	if l.running > 1 {
		return nil
	}
	return first(ctx, host)
}

func (l *lifecycle) shutdown(ctx context.Context, last func(context.Context) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.running == 0 {
		return nil
	}
	l.running--
	if l.running > 0 {
		return nil
	}
	return last(ctx)
}
