package llmalertexporter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-llm/otelcol-llm/exporter/llmalertexporter/internal/metadata"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/labels"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/notify"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/route"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/rules"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/series"
)

// Storage keys.
const (
	keyRules    = "rules"
	keyDispatch = "dispatch"
)

type alertExporter struct {
	cfg    *Config
	set    exporter.Settings
	logger *zap.Logger
	tel    *metadata.Telemetry

	store *series.Store
	mgrMu sync.RWMutex // guards mgr, swapped on rules-file reload
	mgr   *rules.Manager
	disp  *route.Dispatcher
	am    *notify.AlertmanagerClient

	client    storage.Client
	persistCh chan struct{}
	server    *http.Server
	apiAddr   string
	cancel    context.CancelFunc
	wg        sync.WaitGroup

	ruleFiles map[string]time.Time // modification times of the rules files
	lastStats series.Stats
	now       func() time.Time
}

func newAlertExporter(cfg *Config, set exporter.Settings) (*alertExporter, error) {
	tel, err := metadata.NewTelemetry(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &alertExporter{cfg: cfg, set: set, logger: set.Logger, tel: tel, now: time.Now,
		persistCh: make(chan struct{}, 1), ruleFiles: map[string]time.Time{}}, nil
}

func (e *alertExporter) externalURL() string {
	if e.cfg.ExternalURL != "" {
		return strings.TrimSuffix(e.cfg.ExternalURL, "/")
	}
	if e.cfg.API.NetAddr.Endpoint != "" {
		return "http://" + e.cfg.API.NetAddr.Endpoint
	}
	return ""
}

// buildManager resolves and compiles the rules and sizes the store for them.
func (e *alertExporter) buildManager() (*rules.Manager, error) {
	cfgs, err := e.cfg.ruleSet().Resolve()
	if err != nil {
		return nil, err
	}
	rs := make([]*rules.Rule, 0, len(cfgs))
	for _, c := range cfgs {
		r, err := rules.Compile(c, rules.Catalog)
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	return rules.NewManager(rs, e.store, e.cfg.Lookback, rules.External{Labels: e.cfg.ExternalLabels, URL: e.externalURL()})
}

func (e *alertExporter) start(ctx context.Context, host component.Host) error {
	e.store = series.NewStore(e.cfg.Lookback, e.cfg.MaxClockSkew, e.now) // sized for the rules below
	mgr, err := e.buildManager()
	if err != nil {
		return err
	}
	e.mgr = mgr
	e.store.SetRetention(e.retentionFor(mgr))
	e.statRuleFiles()
	e.disp, err = e.cfg.dispatcher(e.cfg.Retry, route.Options{
		Now:         e.now,
		ExternalURL: e.externalURL(),
		OnResult:    e.onResult,
		OnChange:    e.requestPersist,
	})
	if err != nil {
		return err
	}
	e.am = notify.NewAlertmanagerClient(e.cfg.Alertmanager)
	if e.cfg.Storage != nil {
		if err := e.openStorage(ctx, host); err != nil {
			return err
		}
	}
	runCtx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	if e.cfg.API.NetAddr.Endpoint != "" {
		if err := e.startAPI(ctx, host); err != nil {
			cancel()
			if e.client != nil {
				_ = e.client.Close(ctx)
			}
			return fmt.Errorf("api: %w", err)
		}
	}
	if e.cfg.API.Store != nil {
		if err := e.mountOnStore(host); err != nil {
			cancel()
			if e.server != nil {
				_ = e.server.Close()
			}
			if e.client != nil {
				_ = e.client.Close(ctx)
			}
			return err
		}
	}
	if e.disp != nil {
		e.wg.Add(1)
		go func() { defer e.wg.Done(); e.disp.Run(runCtx) }()
	}
	e.wg.Add(2)
	go func() { defer e.wg.Done(); e.evaluateLoop(runCtx) }()
	go func() { defer e.wg.Done(); e.persistLoop(runCtx) }()
	return nil
}

// retentionFor is how long the store keeps points: the longest window any rule reads (at
// least the lookback) and one interval of slack. Anomaly history lives in the rules.
func (e *alertExporter) retentionFor(mgr *rules.Manager) time.Duration {
	return max(mgr.MaxRange(), e.cfg.Lookback) + e.cfg.EvaluationInterval
}

func (e *alertExporter) openStorage(ctx context.Context, host component.Host) error {
	ext, ok := host.GetExtensions()[*e.cfg.Storage]
	if !ok {
		return fmt.Errorf("storage: extension %q not found; add it under extensions and service.extensions", e.cfg.Storage)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return fmt.Errorf("storage: extension %q is not a storage extension", e.cfg.Storage)
	}
	client, err := se.GetClient(ctx, component.KindExporter, e.set.ID, "")
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	e.client = client
	if b, err := client.Get(ctx, keyRules); err != nil {
		return fmt.Errorf("storage: reading alert state: %w", err)
	} else if b != nil {
		if err := e.mgr.Restore(b, e.now()); err != nil {
			e.logger.Warn("Ignoring unreadable alert state", zap.Error(err))
		}
	}
	if e.disp != nil {
		if b, err := client.Get(ctx, keyDispatch); err != nil {
			return fmt.Errorf("storage: reading notification state: %w", err)
		} else if b != nil {
			if err := e.disp.Restore(b); err != nil {
				e.logger.Warn("Ignoring unreadable notification state", zap.Error(err))
			}
		}
	}
	return nil
}

func (e *alertExporter) consume(_ context.Context, md pmetric.Metrics) error {
	e.store.Ingest(md)
	return nil
}

func (e *alertExporter) evaluateLoop(ctx context.Context) {
	t := time.NewTicker(e.cfg.EvaluationInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			e.cycle(ctx, e.now())
		}
	}
}

// cycle is one evaluation: compact the windows, evaluate every rule, hand alerts to the
// dispatcher and to Alertmanager, persist.
func (e *alertExporter) cycle(ctx context.Context, now time.Time) {
	e.reloadRuleFiles()
	e.store.Compact()
	e.mgrMu.RLock()
	mgr := e.mgr
	e.mgrMu.RUnlock()
	start := time.Now()
	errs := mgr.Evaluate(now)
	e.tel.EvaluationDuration.Record(ctx, time.Since(start).Seconds())
	for _, rs := range mgr.Rules() {
		attrs := metric.WithAttributes(attribute.String("rule", rs.Config.Alert))
		e.tel.Evaluations.Add(ctx, 1, attrs)
		if errs[rs.Config.Alert] != nil {
			e.tel.EvaluationFailures.Add(ctx, 1, attrs)
		}
	}
	for name, err := range errs {
		e.logger.Debug("Rule evaluation failed", zap.String("rule", name), zap.Error(err))
	}
	alerts := mgr.Alerts()
	if e.disp != nil {
		e.disp.Put(e.toNotify(alerts))
	}
	if e.am != nil {
		e.pushAlertmanager(ctx, mgr, alerts, now)
	}
	e.reportIngest(ctx)
	e.requestPersist()
}

// toNotify converts firing and resolved alerts (pending ones are never notified).
func (e *alertExporter) toNotify(alerts []rules.Alert) []notify.Alert {
	out := make([]notify.Alert, 0, len(alerts))
	for i := range alerts {
		a := &alerts[i]
		if a.State == rules.StatePending {
			continue
		}
		out = append(out, e.notifyAlert(a))
	}
	return out
}

func (e *alertExporter) notifyAlert(a *rules.Alert) notify.Alert {
	ls := a.Labels
	if len(e.cfg.ExternalLabels) > 0 {
		b := labels.NewBuilder(nil)
		for k, v := range e.cfg.ExternalLabels {
			b.Set(k, v)
		}
		for _, l := range a.Labels {
			b.Set(l.Name, l.Value)
		}
		ls = b.Labels()
	}
	n := notify.Alert{Status: notify.StatusFiring, Labels: ls.Map(), Annotations: a.Annotations, StartsAt: a.StartsAt(),
		EndsAt: a.EndsAt(), Fingerprint: ls.ID(),
		GeneratorURL: e.externalURL() + "/api/v1/rules?name=" + ls.Get(labels.AlertName)}
	if a.Resolved() {
		n.Status = notify.StatusResolved
	}
	return n
}

// pushAlertmanager sends what Prometheus would: firing alerts every resend_delay with
// endsAt = now + 4·max(interval, resend_delay), resolutions until they are 15m old.
func (e *alertExporter) pushAlertmanager(ctx context.Context, mgr *rules.Manager, alerts []rules.Alert, now time.Time) {
	resend := e.cfg.Alertmanager.ResendDelay
	validUntil := now.Add(4 * max(e.cfg.EvaluationInterval, resend))
	var batch []notify.PostableAlert
	ids := map[string]bool{}
	for i := range alerts {
		a := &alerts[i]
		if !a.NeedsSending(now, resend) {
			continue
		}
		if !a.Resolved() {
			a.ValidUntil = validUntil
		}
		n := e.notifyAlert(a)
		batch = append(batch, notify.PostableAlert{Labels: n.Labels, Annotations: n.Annotations, StartsAt: n.StartsAt, EndsAt: n.EndsAt, GeneratorURL: n.GeneratorURL})
		ids[a.ID()] = true
	}
	if len(batch) == 0 {
		return
	}
	pctx, cancel := context.WithTimeout(ctx, e.cfg.EvaluationInterval)
	defer cancel()
	err := e.am.Push(pctx, batch)
	var partial *notify.PartialError
	if errors.As(err, &partial) {
		e.logger.Warn("Alertmanager rejected some alerts", zap.Error(err))
		err = nil
	}
	if err != nil {
		e.tel.AlertmanagerPushes.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", "failed")))
		e.logger.Warn("Pushing alerts to Alertmanager failed; retrying at the next evaluation", zap.Error(err))
		return
	}
	e.tel.AlertmanagerPushes.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", "sent")))
	mgr.MarkSent(ids, now, validUntil)
}

func (e *alertExporter) onResult(r route.Result) {
	outcome := "sent"
	if r.Err != nil {
		outcome = "failed"
		e.logger.Warn("Notification failed", zap.String("receiver", r.Receiver), zap.String("integration", r.Integration),
			zap.String("reason", r.Reason), zap.Int("attempts", r.Attempts), zap.Error(r.Err))
	}
	attrs := metric.WithAttributes(attribute.String("receiver", r.Receiver), attribute.String("integration", r.Integration), attribute.String("outcome", outcome))
	e.tel.Notifications.Add(context.Background(), 1, attrs)
	e.tel.NotificationLatency.Record(context.Background(), r.Latency.Seconds(), attrs)
}

func (e *alertExporter) reportIngest(ctx context.Context) {
	st := e.store.Stats()
	prev := e.lastStats
	e.lastStats = st
	for _, c := range []struct {
		reason    string
		now, prev int64
	}{
		{"kind_mismatch", st.KindMismatch, prev.KindMismatch}, {"non_finite", st.NonFinite, prev.NonFinite},
		{"out_of_order", st.OutOfOrder, prev.OutOfOrder}, {"clock_skew", st.FutureSkew, prev.FutureSkew},
		{"too_old", st.TooOld, prev.TooOld}, {"unsupported", st.Unsupported, prev.Unsupported},
	} {
		if d := c.now - c.prev; d > 0 {
			e.tel.PointsRejected.Add(ctx, d, metric.WithAttributes(attribute.String("reason", c.reason)))
		}
	}
}

// statRuleFiles records the modification times of the rules files.
func (e *alertExporter) statRuleFiles() bool {
	changed := false
	for _, p := range e.cfg.RuleFiles {
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		if !fi.ModTime().Equal(e.ruleFiles[p]) {
			changed = true
			e.ruleFiles[p] = fi.ModTime()
		}
	}
	return changed
}

// reloadRuleFiles swaps in the rules when a rules file changed; alert state carries over.
// An invalid file is logged and the running rules stay.
func (e *alertExporter) reloadRuleFiles() {
	if len(e.cfg.RuleFiles) == 0 || !e.statRuleFiles() {
		return
	}
	mgr, err := e.buildManager()
	if err != nil {
		e.logger.Error("Rules file changed but is invalid; keeping the running rules", zap.Error(err))
		return
	}
	e.mgrMu.Lock()
	defer e.mgrMu.Unlock()
	if snap, err := e.mgr.Snapshot(); err == nil {
		_ = mgr.Restore(snap, time.Time{})
	}
	e.store.SetRetention(e.retentionFor(mgr))
	e.mgr = mgr
	e.logger.Info("Reloaded alert rules", zap.Int("rules", len(mgr.Rules())))
}

func (e *alertExporter) manager() *rules.Manager {
	e.mgrMu.RLock()
	defer e.mgrMu.RUnlock()
	return e.mgr
}

func (e *alertExporter) requestPersist() {
	select {
	case e.persistCh <- struct{}{}:
	default:
	}
}

func (e *alertExporter) persistLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.persistCh:
			e.persist(ctx)
		}
	}
}

func (e *alertExporter) persist(ctx context.Context) {
	if e.client == nil {
		return
	}
	ops := []*storage.Operation{}
	if b, err := e.manager().Snapshot(); err == nil {
		ops = append(ops, storage.SetOperation(keyRules, b))
	}
	if e.disp != nil {
		if b, err := e.disp.Snapshot(); err == nil {
			ops = append(ops, storage.SetOperation(keyDispatch, b))
		}
	}
	if err := e.client.Batch(ctx, ops...); err != nil {
		e.logger.Warn("Persisting alert state failed", zap.Error(err))
	}
}

func (e *alertExporter) shutdown(ctx context.Context) error {
	if e.cancel != nil {
		e.cancel()
	}
	var errs []error
	if e.server != nil {
		errs = append(errs, e.server.Shutdown(ctx))
	}
	e.wg.Wait()
	if e.client != nil {
		e.persist(ctx)
		errs = append(errs, e.client.Close(ctx))
	}
	return errors.Join(errs...)
}
