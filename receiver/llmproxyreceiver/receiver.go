package llmproxyreceiver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/metadata"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/proxy"
)

type llmProxyReceiver struct {
	cfg  *Config
	set  receiver.Settings
	next consumer.Traces

	parseErrors metric.Int64Counter

	handler    *proxy.Handler
	server     *http.Server
	transports []http.RoundTripper
	serveDone  sync.WaitGroup
}

func newReceiver(cfg *Config, set receiver.Settings, next consumer.Traces) (*llmProxyReceiver, error) {
	counter, err := set.MeterProvider.Meter(metadata.ScopeName).Int64Counter(
		"otelcol_llmproxy_parse_errors",
		metric.WithDescription("Proxied request or response bodies that could not be read as their API documents (forwarded unchanged)."),
		metric.WithUnit("{body}"),
	)
	if err != nil {
		return nil, err
	}
	return &llmProxyReceiver{cfg: cfg, set: set, next: next, parseErrors: counter}, nil
}

func (r *llmProxyReceiver) Start(ctx context.Context, host component.Host) error {
	defaultName, err := r.cfg.defaultUpstream()
	if err != nil {
		return err
	}
	ups := r.cfg.upstreams()
	opts := proxy.Options{
		CaptureContent: r.cfg.CaptureContent,
		MaxCaptureSize: r.cfg.MaxCaptureSize,
		Next:           r.next,
		Logger:         r.set.Logger,
		Scope:          metadata.ScopeName,
		Version:        r.set.BuildInfo.Version,
		ServiceName:    r.cfg.ServiceName,
		OnParseError: func(part string) {
			r.parseErrors.Add(context.Background(), 1, metric.WithAttributes(attribute.String("part", part)))
		},
	}
	for _, name := range sortedNames(ups) {
		up, err := r.buildUpstream(ctx, host, name, ups[name])
		if err != nil {
			return fmt.Errorf("upstreams::%s: %w", name, err)
		}
		opts.Upstreams = append(opts.Upstreams, up)
		if name == defaultName {
			opts.Default = up
		}
	}
	r.handler = proxy.New(opts)

	ln, err := r.cfg.ServerConfig.ToListener(ctx)
	if err != nil {
		return fmt.Errorf("llmproxy cannot listen on %s: %w", r.cfg.NetAddr.Endpoint, err)
	}
	r.server, err = r.cfg.ServerConfig.ToServer(ctx, host.GetExtensions(), r.set.TelemetrySettings, r.handler)
	if err != nil {
		_ = ln.Close()
		return err
	}
	r.set.Logger.Info("llmproxy listening", zap.String("endpoint", ln.Addr().String()), zap.String("default_upstream", defaultName))
	srv := r.server
	r.serveDone.Add(1)
	go func() {
		defer r.serveDone.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(err))
		}
	}()
	return nil
}

func (r *llmProxyReceiver) buildUpstream(ctx context.Context, host component.Host, name string, cfg UpstreamConfig) (*proxy.Upstream, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	client := cfg.ClientConfig
	// A proxy lives on connection reuse: keep-alive on, and enough idle connections per
	// host for the request rate of a busy application.
	if !client.Keepalive.HasValue() {
		client.Keepalive = configoptional.Some(confighttp.NewDefaultKeepaliveClientConfig())
	}
	if ka := client.Keepalive.Get(); ka.MaxIdleConnsPerHost == 0 {
		ka.MaxIdleConnsPerHost = 100
	}
	headerTimeout := client.Timeout
	if headerTimeout == 0 {
		headerTimeout = defaultHeaderTimeout
	}
	client.Timeout = 0 // a whole-exchange deadline would cut streams; see headerTimeout
	// Without a tracer provider ToClient adds no otelhttp transport: it would inject the
	// collector's own trace context into the app's requests, which must pass unchanged.
	tel := r.set.TelemetrySettings
	tel.TracerProvider = nil
	hc, err := client.ToClient(ctx, host.GetExtensions(), tel)
	if err != nil {
		return nil, err
	}
	r.transports = append(r.transports, hc.Transport)
	return &proxy.Upstream{
		Name:          name,
		Provider:      cfg.provider(name),
		URL:           u,
		Transport:     hc.Transport,
		HeaderTimeout: headerTimeout,
	}, nil
}

// Shutdown stops accepting requests and lets in-flight ones (streams) finish within
// shutdown_timeout; then it closes what is left and waits for their spans.
func (r *llmProxyReceiver) Shutdown(ctx context.Context) error {
	srv := r.server
	if srv == nil {
		return nil
	}
	r.server = nil
	drainCtx, cancel := context.WithTimeout(ctx, r.cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(drainCtx)
	if err != nil {
		r.set.Logger.Warn("llmproxy closed requests still in flight after shutdown_timeout", zap.Duration("shutdown_timeout", r.cfg.ShutdownTimeout))
		err = srv.Close()
	}
	r.serveDone.Wait()
	for _, t := range r.transports {
		if c, ok := t.(interface{ CloseIdleConnections() }); ok {
			c.CloseIdleConnections()
		}
	}
	if werr := r.handler.Wait(ctx); werr != nil {
		err = errors.Join(err, werr)
	}
	return err
}
