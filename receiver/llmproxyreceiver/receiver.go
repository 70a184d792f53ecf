package llmproxyreceiver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/metadata"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/proxy"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/upstream"
)

type llmProxyReceiver struct {
	cfg  *Config
	set  receiver.Settings
	next consumer.Traces

	parseErrors  metric.Int64Counter
	droppedSpans metric.Int64Counter

	handler    *proxy.Handler
	server     *http.Server
	transports []http.RoundTripper
	serveDone  sync.WaitGroup
}

func newReceiver(cfg *Config, set receiver.Settings, next consumer.Traces) (*llmProxyReceiver, error) {
	meter := set.MeterProvider.Meter(metadata.ScopeName)
	parseErrors, err := meter.Int64Counter(
		"otelcol_llmproxy_parse_errors",
		metric.WithDescription("Proxied request or response bodies that could not be read as their API documents (forwarded unchanged)."),
		metric.WithUnit("{body}"),
	)
	if err != nil {
		return nil, err
	}
	droppedSpans, err := meter.Int64Counter(
		"otelcol_llmproxy_dropped_spans",
		metric.WithDescription("Proxied calls whose span was dropped because the pipeline did not keep up (the calls themselves were served)."),
		metric.WithUnit("{span}"),
	)
	if err != nil {
		return nil, err
	}
	return &llmProxyReceiver{cfg: cfg, set: set, next: next, parseErrors: parseErrors, droppedSpans: droppedSpans}, nil
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
		OnDrop: func() { r.droppedSpans.Add(context.Background(), 1) },
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
	r.server, err = r.newServer(ctx, host)
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

// defaultMaxRequestBodySize is confighttp's default for max_request_body_size.
const defaultMaxRequestBodySize = 20 << 20

// newServer returns the HTTP server of the proxy. Unless the configuration asks for
// confighttp's request middleware (auth, cors, middlewares, response_headers), it is a
// plain http.Server with the configured timeouts and body limit: confighttp's stack
// (client info, otelhttp instrumentation, request decompression) adds 40–80 µs to every
// proxied call on a loaded 2-core machine (docs/benchmarks.md), more than the proxy's
// own work, and a proxy forwards request bodies as the client encoded them.
func (r *llmProxyReceiver) newServer(ctx context.Context, host component.Host) (*http.Server, error) {
	sc := &r.cfg.ServerConfig
	if sc.Auth.HasValue() || len(sc.Middlewares) > 0 || sc.ResponseHeaders != nil ||
		(sc.CORS.HasValue() && len(sc.CORS.Get().AllowedOrigins) > 0) {
		return sc.ToServer(ctx, host.GetExtensions(), r.set.TelemetrySettings, r.handler)
	}
	limit := sc.MaxRequestBodySize
	if limit <= 0 {
		limit = defaultMaxRequestBodySize
	}
	var idleTimeout time.Duration
	if ka := sc.Keepalive.Get(); ka != nil {
		idleTimeout = ka.IdleTimeout
	}
	errorLog, err := zap.NewStdLogAt(r.set.Logger, zapcore.ErrorLevel)
	if err != nil {
		return nil, err
	}
	return &http.Server{
		Handler:           http.MaxBytesHandler(r.handler, limit),
		ReadTimeout:       sc.ReadTimeout,
		ReadHeaderTimeout: sc.ReadHeaderTimeout,
		WriteTimeout:      sc.WriteTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          errorLog,
	}, nil
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
	transport := hc.Transport
	if t, ok := transport.(*http.Transport); ok {
		// The client's Accept-Encoding goes upstream as it is: the transport must not
		// ask for gzip on its own and then unzip (and re-frame) the answer.
		t.DisableCompression = true
		if why := needsStandardTransport(&client, u); why != "" {
			r.set.Logger.Debug("llmproxy upstream uses Go's standard HTTP transport", zap.String("upstream", name), zap.String("because", why))
		} else {
			transport = newSynchronousTransport(client.Keepalive.Get(), &client, t)
		}
	}
	r.transports = append(r.transports, transport)
	return &proxy.Upstream{
		Name:          name,
		Provider:      cfg.provider(name),
		URL:           u,
		Transport:     transport,
		HeaderTimeout: headerTimeout,
	}, nil
}

// needsStandardTransport names the client setting the synchronous upstream client
// (internal/upstream) does not implement, or returns "" when it can serve the upstream.
// Those settings are served by confighttp's client, on Go's http.Transport.
func needsStandardTransport(c *confighttp.ClientConfig, u *url.URL) string {
	switch {
	case c.ProxyURL != "":
		return "proxy_url"
	case c.Auth.HasValue():
		return "auth"
	case len(c.Middlewares) > 0:
		return "middlewares"
	case len(c.Headers) > 0:
		return "headers"
	case c.Compression.IsCompressed():
		return "compression"
	case c.Cookies.HasValue():
		return "cookies"
	case c.DialerMiddleware.HasValue():
		return "dialer_middleware"
	case c.MaxConnsPerHost > 0:
		return "max_conns_per_host"
	case u.Scheme == "https" && (c.ForceAttemptHTTP2 || c.HTTP2ReadIdleTimeout > 0):
		return "force_attempt_http2 (HTTP/2)"
	}
	if p, err := http.ProxyFromEnvironment(&http.Request{URL: u}); err != nil || p != nil {
		return "an HTTP(S)_PROXY environment variable"
	}
	return ""
}

// newSynchronousTransport returns the upstream client that writes requests and reads
// responses on the handler's goroutine; std, the configured http.Transport, sends what
// it leaves aside (streamed or large request bodies, protocol upgrades).
func newSynchronousTransport(ka *confighttp.KeepaliveClientConfig, c *confighttp.ClientConfig, std *http.Transport) *upstream.Transport {
	maxIdle := ka.MaxIdleConnsPerHost
	if ka.MaxIdleConns > 0 && ka.MaxIdleConns < maxIdle {
		maxIdle = ka.MaxIdleConns
	}
	return upstream.New(upstream.Options{
		Fallback:            std,
		TLS:                 std.TLSClientConfig,
		MaxIdleConnsPerHost: maxIdle,
		IdleConnTimeout:     ka.IdleConnTimeout,
		ReadBufferSize:      c.ReadBufferSize,
		WriteBufferSize:     c.WriteBufferSize,
	})
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
