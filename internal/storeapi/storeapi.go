// Package storeapi is the HTTP JSON API over the llmstore database: what the web UI and
// llmctl read. Every endpoint is a GET under /api/v1/; bad query parameters get a 400 with
// the reason, a missing trace or session a 404, a store failure a 500; all errors are
// {"error": "..."}.
package storeapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"time"

	"go.uber.org/zap"

	"github.com/otelcol-llm/otelcol-llm/internal/store"
)

// Options configure the API.
type Options struct {
	// Now is the clock that default windows end at; nil means time.Now.
	Now func() time.Time
	// Logger receives store failures (clients see a 500).
	Logger *zap.Logger
	// Version is reported by /api/v1/status.
	Version string
}

type api struct {
	s    *store.Store
	opts Options
}

// Register adds the API routes to mux.
func Register(mux *http.ServeMux, s *store.Store, opts Options) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	a := &api{s: s, opts: opts}
	mux.HandleFunc("GET /api/v1/status", a.status)
	mux.HandleFunc("GET /api/v1/overview", a.overview)
	mux.HandleFunc("GET /api/v1/traces", a.traces)
	mux.HandleFunc("GET /api/v1/traces/{id}", a.trace)
	mux.HandleFunc("GET /api/v1/sessions", a.sessions)
	mux.HandleFunc("GET /api/v1/sessions/{id}", a.session)
	mux.HandleFunc("GET /api/v1/dependencies", a.dependencies)
	mux.HandleFunc("GET /api/v1/logs", a.logs)
	mux.HandleFunc("GET /api/v1/metrics", a.metrics)
	mux.HandleFunc("GET /api/v1/metrics/{name}", a.metricSeries)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such API endpoint: "+r.Method+" "+r.URL.Path)
	})
}

func (a *api) params(r *http.Request) *params {
	return &params{q: r.URL.Query(), now: a.opts.Now().UTC()}
}

// reply writes v, or the error: parameter errors are the client's (400), ErrNotFound is
// 404, anything else is the store's (500, logged).
func (a *api) reply(w http.ResponseWriter, r *http.Request, v any, err error) {
	var pe *paramError
	switch {
	case err == nil:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		_ = enc.Encode(v)
	case errors.As(err, &pe):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, context.Canceled):
		// the client went away
	default:
		a.opts.Logger.Warn("llmstore query failed", zap.String("path", r.URL.Path), zap.Error(err))
		writeError(w, http.StatusInternalServerError, err.Error())
	}
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// Status is the answer of /api/v1/status.
type Status struct {
	Version string            `json:"version"`
	Time    time.Time         `json:"time"`
	Policy  map[string]string `json:"retention"`
	MaxSize int64             `json:"max_size_bytes"`
	Usage   store.Usage       `json:"usage"`
}

func (a *api) status(w http.ResponseWriter, r *http.Request) {
	u, err := a.s.Usage(r.Context())
	p := a.s.Policy()
	a.reply(w, r, Status{Version: a.opts.Version, Time: a.opts.Now().UTC(), Usage: u, MaxSize: p.MaxSizeBytes,
		Policy: map[string]string{
			"traces": keep(p.Traces), "logs": keep(p.Logs), "metrics": keep(p.Metrics),
			"alerts": keep(p.Alerts), "content": keep(p.Content),
		}}, err)
}

func keep(d time.Duration) string {
	if d == 0 {
		return "forever"
	}
	return FormatDuration(d)
}

func (a *api) overview(w http.ResponseWriter, r *http.Request) {
	p := a.params(r)
	win := p.window(time.Hour)
	step := p.step(win)
	if p.err != nil {
		a.reply(w, r, nil, p.err)
		return
	}
	o, err := a.s.Overview(r.Context(), win, step)
	a.reply(w, r, o, err)
}

func (a *api) traces(w http.ResponseWriter, r *http.Request) {
	p := a.params(r)
	f := store.TraceFilter{
		Window:      p.window(time.Hour),
		Model:       p.str("model"),
		Service:     p.str("service"),
		User:        p.str("user"),
		Session:     p.str("session"),
		MinDuration: p.duration("min_duration", 0),
		Text:        p.str("q"),
		ScoreBelow:  p.score("score_below"),
		Limit:       p.limit(50, 1000),
	}
	switch p.oneOf("status", "ok", "error") {
	case "ok":
		f.OKOnly = true
	case "error":
		f.ErrorsOnly = true
	}
	if p.boolean("errors") {
		f.ErrorsOnly = true
	}
	if f.OKOnly && f.ErrorsOnly {
		p.fail("status", "status=ok contradicts errors=true")
	}
	if p.err != nil {
		a.reply(w, r, nil, p.err)
		return
	}
	ts, err := a.s.Traces(r.Context(), f)
	a.reply(w, r, map[string]any{"traces": ts}, err)
}

var traceIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

func (a *api) trace(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !traceIDPattern.MatchString(id) {
		a.reply(w, r, nil, &paramError{name: "trace id", value: id, want: "want 32 lower-case hex digits"})
		return
	}
	d, err := a.s.Trace(r.Context(), id)
	a.reply(w, r, d, err)
}

func (a *api) sessions(w http.ResponseWriter, r *http.Request) {
	p := a.params(r)
	f := store.SessionFilter{Window: p.window(24 * time.Hour), User: p.str("user"), Limit: p.limit(50, 1000)}
	if p.err != nil {
		a.reply(w, r, nil, p.err)
		return
	}
	ss, err := a.s.Sessions(r.Context(), f)
	a.reply(w, r, map[string]any{"sessions": ss}, err)
}

func (a *api) session(w http.ResponseWriter, r *http.Request) {
	d, err := a.s.Session(r.Context(), r.PathValue("id"))
	a.reply(w, r, d, err)
}

func (a *api) dependencies(w http.ResponseWriter, r *http.Request) {
	p := a.params(r)
	win := p.window(time.Hour)
	if p.err != nil {
		a.reply(w, r, nil, p.err)
		return
	}
	d, err := a.s.Dependencies(r.Context(), win)
	a.reply(w, r, d, err)
}

func (a *api) logs(w http.ResponseWriter, r *http.Request) {
	p := a.params(r)
	f := store.LogFilter{
		Window:     p.window(time.Hour),
		Service:    p.str("service"),
		TraceID:    p.str("trace_id"),
		ErrorsOnly: p.boolean("errors"),
		Text:       p.str("q"),
		Limit:      p.limit(100, 1000),
	}
	if v := p.str("severity"); v != "" {
		f.MinSeverity = severity(v)
		if f.MinSeverity == 0 {
			p.fail("severity", "want trace, debug, info, warn, error or fatal")
		}
	}
	if p.err != nil {
		a.reply(w, r, nil, p.err)
		return
	}
	ls, err := a.s.Logs(r.Context(), f)
	a.reply(w, r, map[string]any{"logs": ls}, err)
}

// severity maps a level name to the lowest OpenTelemetry severity number of that level.
func severity(level string) int {
	return map[string]int{"trace": 1, "debug": 5, "info": 9, "warn": 13, "error": 17, "fatal": 21}[level]
}

func (a *api) metrics(w http.ResponseWriter, r *http.Request) {
	p := a.params(r)
	win := p.window(time.Hour)
	if p.err != nil {
		a.reply(w, r, nil, p.err)
		return
	}
	ms, err := a.s.Metrics(r.Context(), win)
	a.reply(w, r, map[string]any{"metrics": ms}, err)
}

func (a *api) metricSeries(w http.ResponseWriter, r *http.Request) {
	p := a.params(r)
	win := p.window(time.Hour)
	step := p.step(win)
	if p.err != nil {
		a.reply(w, r, nil, p.err)
		return
	}
	ms, err := a.s.MetricSeries(r.Context(), r.PathValue("name"), win, step)
	a.reply(w, r, ms, err)
}
