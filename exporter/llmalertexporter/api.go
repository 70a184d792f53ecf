package llmalertexporter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"

	"github.com/otelcol-llm/otelcol-llm/extension/llmstoreextension"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/labels"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/route"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/rules"
)

// APIAlert is one alert as the API lists it.
type APIAlert struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	State       string            `json:"state"`
	Value       float64           `json:"value"`
	ActiveAt    time.Time         `json:"activeAt"`
	FiredAt     time.Time         `json:"firedAt,omitzero"`
	ResolvedAt  time.Time         `json:"resolvedAt,omitzero"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	route.AlertStatus
}

// APIRule is one rule with its last evaluation.
type APIRule struct {
	Name           string       `json:"name"`
	Kind           string       `json:"kind"`
	Severity       string       `json:"severity,omitempty"`
	Expr           string       `json:"expr,omitempty"`
	For            string       `json:"for,omitempty"`
	LastEvaluation time.Time    `json:"lastEvaluation,omitzero"`
	EvaluationTime float64      `json:"evaluationTimeSeconds"`
	Health         string       `json:"health"`
	LastError      string       `json:"lastError,omitempty"`
	Warnings       any          `json:"warnings"`
	Active         int          `json:"active"`
	Rule           rules.Config `json:"rule"`
}

// routes is the API, served on its own listener and, with api.store, by the llmstore.
func (e *alertExporter) routes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET /api/v1/alerts":               e.listAlerts,
		"POST /api/v1/alerts/{id}/ack":     e.ackAlert,
		"POST /api/v1/alerts/{id}/resolve": e.resolveAlert,
		"GET /api/v1/silences":             e.listSilences,
		"POST /api/v1/silences":            e.createSilence,
		"DELETE /api/v1/silences/{id}":     e.expireSilence,
		"GET /api/v1/rules":                e.listRules,
	}
}

func (e *alertExporter) startAPI(ctx context.Context, host component.Host) error {
	mux := http.NewServeMux()
	for pattern, h := range e.routes() {
		mux.HandleFunc(pattern, h)
	}
	ln, err := e.cfg.API.ToListener(ctx)
	if err != nil {
		return err
	}
	srv, err := e.cfg.API.ToServer(ctx, host.GetExtensions(), e.set.TelemetrySettings, mux)
	if err != nil {
		ln.Close()
		return err
	}
	e.server = srv
	e.apiAddr = ln.Addr().String()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.logger.Error("llmalert API stopped", zap.Error(err))
		}
	}()
	return nil
}

// mountOnStore serves the API on the llmstore extension named by api.store, so that its
// web UI lists, acknowledges and silences alerts. Extensions start before exporters.
func (e *alertExporter) mountOnStore(host component.Host) (err error) {
	id := *e.cfg.API.Store
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return fmt.Errorf("api.store: extension %q not found; add it under extensions and service.extensions", id)
	}
	store, ok := ext.(*llmstoreextension.Extension)
	if !ok {
		return fmt.Errorf("api.store: extension %q is not an llmstore extension", id)
	}
	defer func() { // http.ServeMux panics on a second registration of a pattern
		if r := recover(); r != nil {
			err = fmt.Errorf("api.store: extension %q already serves an alerts API; only one llmalert exporter can name it: %v", id, r)
		}
	}()
	for pattern, h := range e.routes() {
		store.Handle(pattern, h)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

func (e *alertExporter) listAlerts(w http.ResponseWriter, _ *http.Request) {
	alerts := e.manager().Alerts()
	out := make([]APIAlert, 0, len(alerts))
	for _, a := range alerts {
		n := e.notifyAlert(&a)
		api := APIAlert{ID: n.Fingerprint, Name: a.Labels.Get(labels.AlertName), State: a.State.String(), Value: a.Value,
			ActiveAt: a.ActiveAt, FiredAt: a.FiredAt, ResolvedAt: a.ResolvedAt, Labels: n.Labels, Annotations: a.Annotations}
		if a.Resolved() {
			api.State = "resolved"
		}
		if e.disp != nil {
			api.AlertStatus = e.disp.Status(n.Fingerprint, labels.FromMap(n.Labels))
		}
		out = append(out, api)
	}
	writeJSON(w, http.StatusOK, out)
}

type ackRequest struct {
	By      string `json:"by"`
	Comment string `json:"comment"`
}

func (e *alertExporter) ackAlert(w http.ResponseWriter, r *http.Request) {
	if e.disp == nil {
		writeError(w, http.StatusConflict, "no receivers are configured: nothing to acknowledge")
		return
	}
	var req ackRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "body: want JSON {\"by\": \"name\", \"comment\": \"...\"}: "+err.Error())
		return
	}
	if err := e.disp.Acknowledge(r.PathValue("id"), req.By, req.Comment); err != nil {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "acknowledged"})
}

func (e *alertExporter) resolveAlert(w http.ResponseWriter, r *http.Request) {
	// The API speaks external-label fingerprints; rules know their own labels.
	id := r.PathValue("id")
	for _, a := range e.manager().Alerts() {
		if e.notifyAlert(&a).Fingerprint == id {
			id = a.ID()
			break
		}
	}
	if !e.manager().Resolve(id, e.now()) {
		writeError(w, http.StatusNotFound, "no pending or firing alert with id "+r.PathValue("id"))
		return
	}
	e.requestPersist()
	writeJSON(w, http.StatusOK, map[string]string{"status": "resolved"})
}

func (e *alertExporter) listSilences(w http.ResponseWriter, _ *http.Request) {
	if e.disp == nil {
		writeJSON(w, http.StatusOK, []route.Silence{})
		return
	}
	writeJSON(w, http.StatusOK, e.disp.Silences())
}

func (e *alertExporter) createSilence(w http.ResponseWriter, r *http.Request) {
	if e.disp == nil {
		writeError(w, http.StatusConflict, "no receivers are configured: nothing to silence")
		return
	}
	var s route.Silence
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&s); err != nil {
		writeError(w, http.StatusBadRequest, "body: want an Alertmanager v2 silence: "+err.Error())
		return
	}
	id, err := e.disp.CreateSilence(s)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"silenceID": id})
}

func (e *alertExporter) expireSilence(w http.ResponseWriter, r *http.Request) {
	if e.disp == nil {
		writeError(w, http.StatusNotFound, "no silences")
		return
	}
	if err := e.disp.ExpireSilence(r.PathValue("id")); err != nil {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "expired"})
}

func (e *alertExporter) listRules(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	var out []APIRule
	for _, rs := range e.manager().Rules() {
		if name != "" && rs.Config.Alert != name {
			continue
		}
		kind := rs.Config.Kind
		if kind == "" {
			kind = rules.KindThreshold
		}
		health := "unknown"
		switch {
		case rs.Health.LastError != "":
			health = "err"
		case rs.Health.Evaluations > 0:
			health = "ok"
		}
		ar := APIRule{Name: rs.Config.Alert, Kind: kind, Severity: rs.Config.Severity, Expr: rs.Config.Expr,
			LastEvaluation: rs.Health.LastEvaluation, EvaluationTime: rs.Health.EvaluationTime.Seconds(),
			Health: health, LastError: rs.Health.LastError, Warnings: rs.Health.Warnings, Active: rs.Active, Rule: rs.Config}
		if rs.Config.For > 0 {
			ar.For = rs.Config.For.String()
		}
		out = append(out, ar)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	writeJSON(w, http.StatusOK, out)
}
