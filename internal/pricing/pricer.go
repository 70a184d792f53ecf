package pricing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// inlineCatalog is the Catalog name of inline prices.
const inlineCatalog = "config"

// embedded is the embedded catalog, parsed once per process.
var embedded = sync.OnceValues(func() (embeddedCatalog, error) {
	l, version, err := parseCatalog(catalogJSON)
	return embeddedCatalog{l, version}, err
})

type embeddedCatalog struct {
	layer   *layer
	version string
}

// EmbeddedVersion is the version of the embedded price catalog.
func EmbeddedVersion() string {
	c, _ := embedded()
	return c.version
}

// Pricer prices calls. Create it with New; Start begins watching price files.
type Pricer struct {
	cfg    Config
	logger *zap.Logger
	inline *layer
	files  []*watchedFile
	// current is the catalog lookups use, swapped whole on reload.
	current atomic.Pointer[snapshot]

	reloads, reloadFailures atomic.Int64

	stop chan struct{}
	done chan struct{}
}

// snapshot is an immutable catalog with its own resolution cache.
type snapshot struct {
	index index
	cache *cache
}

// watchedFile is a price file and the last good layer read from it.
type watchedFile struct {
	PriceFile
	size  int64
	mtime time.Time
	sum   [sha256.Size]byte
	// day is the UTC date the file was parsed on: genai-prices prices with a start date
	// take effect when the day comes, so an unchanged file is parsed again on a new day.
	day   string
	layer *layer
}

// Stats counts reloads of price files.
type Stats struct {
	Reloads        int64 // successful reloads after start
	ReloadFailures int64 // reloads that failed and kept the last good prices
}

// New builds a Pricer from the embedded catalog, the price files and the inline prices. A
// price file that cannot be read or parsed is an error naming the file.
func New(cfg Config, logger *zap.Logger) (*Pricer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = zap.NewNop()
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = DefaultConfig().CacheSize
	}
	p := &Pricer{cfg: cfg, logger: logger}
	inline, err := inlineLayer(cfg.Prices)
	if err != nil {
		return nil, err
	}
	p.inline = inline
	for _, f := range cfg.Files {
		w := &watchedFile{PriceFile: f}
		if _, err := w.load(time.Now()); err != nil {
			return nil, err
		}
		p.files = append(p.files, w)
	}
	if err := p.publish(); err != nil {
		return nil, err
	}
	return p, nil
}

func inlineLayer(prices []ModelPrice) (*layer, error) {
	l := newLayer()
	for i, mp := range prices {
		prov := mp.Provider
		if norm, ok := genai.NormalizeProvider(prov); ok {
			prov = norm
		}
		base, tiers, inh, err := resolve(mp.PriceSpec, mp.Tiers)
		if err != nil {
			return nil, fmt.Errorf("prices[%d] (%s): %w", i, mp.Model, err)
		}
		id := canonical(mp.Model)
		l.add(&Entry{ID: id, Provider: prov, Source: inlineCatalog, Catalog: inlineCatalog, Prices: base, Tiers: tiers, Inherited: inh}, mp.Model)
	}
	return l, nil
}

// publish builds a snapshot from the current layers and makes it the one lookups use.
func (p *Pricer) publish() error {
	layers := []*layer{p.inline}
	for i := len(p.files) - 1; i >= 0; i-- {
		layers = append(layers, p.files[i].layer)
	}
	if !p.cfg.DisableEmbedded {
		c, err := embedded()
		if err != nil {
			return fmt.Errorf("embedded price catalog: %w", err)
		}
		layers = append(layers, c.layer)
	}
	aliases := make(map[string]string, len(p.cfg.Aliases))
	for a, m := range p.cfg.Aliases {
		aliases[strings.ToLower(strings.TrimSpace(a))] = strings.TrimSpace(m)
	}
	p.current.Store(&snapshot{index: index{layers: layers, aliases: aliases}, cache: newCache(p.cfg.CacheSize)})
	return nil
}

// load reads the file if it changed since the last good read and reports whether it did.
// On error the last good layer is kept.
func (w *watchedFile) load(now time.Time) (bool, error) {
	st, err := os.Stat(w.Path)
	if err != nil {
		return false, fmt.Errorf("price file %s: %w", w.Path, err)
	}
	day := now.UTC().Format(time.DateOnly)
	dated := w.Format == FormatGenAIPrices && day != w.day
	if w.layer != nil && !dated && st.Size() == w.size && st.ModTime().Equal(w.mtime) {
		return false, nil
	}
	data, err := os.ReadFile(w.Path)
	if err != nil {
		return false, fmt.Errorf("price file %s: %w", w.Path, err)
	}
	sum := sha256.Sum256(data)
	if w.layer != nil && !dated && bytes.Equal(sum[:], w.sum[:]) {
		w.size, w.mtime = st.Size(), st.ModTime()
		return false, nil
	}
	var l *layer
	switch w.Format {
	case FormatGenAIPrices:
		l, err = parseGenAIPrices(data, w.Path, now)
	case FormatLiteLLM:
		l, err = parseLiteLLM(data, w.Path)
	default:
		err = fmt.Errorf("unknown format %q", w.Format)
	}
	if err == nil && l.size == 0 {
		err = errors.New("no token prices found")
	}
	if err != nil {
		return false, fmt.Errorf("price file %s (%s): %w", w.Path, w.Format, err)
	}
	w.size, w.mtime, w.sum, w.day, w.layer = st.Size(), st.ModTime(), sum, day, l
	return true, nil
}

// Start checks the price files for changes every ReloadInterval until Shutdown.
func (p *Pricer) Start(context.Context) error {
	if len(p.files) == 0 || p.cfg.ReloadInterval <= 0 || p.stop != nil {
		return nil
	}
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	go p.watch(p.cfg.ReloadInterval)
	return nil
}

// Shutdown stops the reload loop.
func (p *Pricer) Shutdown(ctx context.Context) error {
	if p.stop == nil {
		return nil
	}
	close(p.stop)
	select {
	case <-p.done:
		p.stop = nil
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *Pricer) watch(every time.Duration) {
	defer close(p.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case now := <-t.C:
			p.reload(now)
		}
	}
}

// reload re-reads changed files. A file that fails keeps its last good prices; the
// failure is logged with the reason and counted.
func (p *Pricer) reload(now time.Time) {
	changed := false
	for _, f := range p.files {
		ok, err := f.load(now)
		if err != nil {
			p.reloadFailures.Add(1)
			p.logger.Warn("Price file reload failed; keeping the last good prices", zap.String("path", f.Path), zap.Error(err))
			continue
		}
		if ok {
			changed = true
			p.logger.Info("Price file reloaded", zap.String("path", f.Path), zap.Int("models", f.layer.size))
		}
	}
	if !changed {
		return
	}
	if err := p.publish(); err != nil {
		p.reloadFailures.Add(1)
		p.logger.Warn("Price catalog rebuild failed; keeping the last good prices", zap.Error(err))
		return
	}
	p.reloads.Add(1)
}

// Stats returns the reload counters.
func (p *Pricer) Stats() Stats {
	return Stats{Reloads: p.reloads.Load(), ReloadFailures: p.reloadFailures.Load()}
}

// Lookup returns the entry that prices model on provider (a gen_ai.provider.name value or
// a spelling NormalizeProvider knows; empty when unknown). The entry is shared: read it,
// never modify it.
func (p *Pricer) Lookup(provider, model string) (*Entry, bool) {
	s := p.current.Load()
	k := cacheKey{provider, model}
	e, ok := s.cache.get(k)
	if !ok {
		e = s.index.resolve(provider, model)
		s.cache.put(k, e)
	}
	return e, e != nil
}

// Cost prices one call. ok is false when the model has no price: the caller marks the call
// unpriced rather than reporting a cost of zero.
func (p *Pricer) Cost(provider, model string, u genai.Usage) (Cost, bool) {
	e, ok := p.Lookup(provider, model)
	if !ok {
		return Cost{}, false
	}
	return e.Compute(u), true
}
