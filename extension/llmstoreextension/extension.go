// Package llmstoreextension provides the llmstore extension: it owns otelcol-llm's embedded
// database (retention enforced in the background) and serves its HTTP JSON API and web UI.
// The llmstore exporter writes into it; llmctl reads from it.
package llmstoreextension

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/extension"
	"go.uber.org/zap"

	"github.com/otelcol-llm/otelcol-llm/internal/store"
	"github.com/otelcol-llm/otelcol-llm/internal/storeapi"
	"github.com/otelcol-llm/otelcol-llm/internal/ui"
)

// Extension is the running llmstore extension.
type Extension struct {
	cfg *Config
	set extension.Settings
	mux *http.ServeMux

	mu      sync.RWMutex
	store   *store.Store
	openErr error

	server    *http.Server
	telemetry *telemetry
	cancel    context.CancelFunc
	wg        sync.WaitGroup
}

var _ extension.Extension = (*Extension)(nil)

func newExtension(cfg *Config, set extension.Settings) *Extension {
	return &Extension{cfg: cfg, set: set, mux: http.NewServeMux()}
}

// Store returns the open database, or why it could not be opened.
func (e *Extension) Store() (*store.Store, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.store == nil {
		if e.openErr != nil {
			return nil, e.openErr
		}
		return nil, errors.New("llmstore extension has not started")
	}
	return e.store, nil
}

// Handle mounts h on the extension's server, so that another component (the llmalert
// exporter's alerts API) is served beside the store's API and UI.
func (e *Extension) Handle(pattern string, h http.Handler) {
	e.mux.Handle(pattern, h)
}

// Start opens the database and starts the server. A database that cannot be opened
// (corrupt, locked, from a newer version) does not stop the collector: the error is
// logged and reported as the extension's status, the API answers 503 with the reason,
// and other pipelines run on.
func (e *Extension) Start(ctx context.Context, host component.Host) error {
	tel, err := newTelemetry(e)
	if err != nil {
		return fmt.Errorf("llmstore: creating telemetry: %w", err)
	}
	e.telemetry = tel
	s, err := store.Open(ctx, store.Options{Path: e.cfg.Path, Policy: e.cfg.policy()})
	e.mu.Lock()
	e.store, e.openErr = s, err
	e.mu.Unlock()
	if err != nil {
		e.set.Logger.Error("llmstore database unavailable; the API answers 503 until the collector restarts with a usable file",
			zap.String("path", e.cfg.Path), zap.Error(err))
		componentstatus.ReportStatus(host, componentstatus.NewPermanentErrorEvent(err))
		reason, _ := json.Marshal(map[string]string{"error": "llmstore unavailable: " + err.Error()})
		e.mux.HandleFunc("/api/", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write(reason)
		})
	} else {
		storeapi.Register(e.mux, s, storeapi.Options{Logger: e.set.Logger, Version: e.set.BuildInfo.Version})
		runCtx, cancel := context.WithCancel(context.Background())
		e.cancel = cancel
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			s.RunRetention(runCtx, e.cfg.Retention.CheckInterval, func(res store.EnforceResult, err error) {
				tel.retentionRun(e.set.Logger, res, err)
			})
		}()
	}
	e.mux.Handle("/", ui.Handler())

	ln, err := e.cfg.ToListener(ctx)
	if err != nil {
		return fmt.Errorf("llmstore: listening on %s: %w", e.cfg.NetAddr.Endpoint, err)
	}
	e.server, err = e.cfg.ToServer(ctx, host.GetExtensions(), e.set.TelemetrySettings, e.mux)
	if err != nil {
		ln.Close()
		return fmt.Errorf("llmstore: creating the HTTP server: %w", err)
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if err := e.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(err))
		}
	}()
	e.set.Logger.Info("llmstore API and web UI listening", zap.String("endpoint", ln.Addr().String()), zap.String("path", e.cfg.Path))
	return nil
}

// Shutdown stops the server and the retention job, then closes the database.
func (e *Extension) Shutdown(ctx context.Context) error {
	var errs []error
	if e.server != nil {
		errs = append(errs, e.server.Shutdown(ctx))
	}
	if e.cancel != nil {
		e.cancel()
	}
	e.wg.Wait()
	if e.telemetry != nil {
		errs = append(errs, e.telemetry.shutdown())
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.store != nil {
		errs = append(errs, e.store.Close())
		e.store = nil
	}
	return errors.Join(errs...)
}
