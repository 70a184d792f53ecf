package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// inferenceOps is the SQL list of operations whose spans are model calls: agent and tool
// spans repeat their children's usage and must not be counted twice (genai.IsInference).
var inferenceOps = "('" + strings.Join([]string{genai.OpChat, genai.OpGenerateContent, genai.OpTextCompletion, genai.OpEmbeddings}, "','") + "')"

// Window is a half-open time range [From, To).
type Window struct {
	From, To time.Time
}

// Latency holds latency percentiles in milliseconds.
type Latency struct {
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
}

// Totals are the figures of a set of model calls.
type Totals struct {
	Requests     int64   `json:"requests"`
	Errors       int64   `json:"errors"`
	ErrorRate    float64 `json:"error_rate"`
	InputTokens  int64   `json:"input_tokens"`
	OutputTokens int64   `json:"output_tokens"`
	Cost         float64 `json:"cost_usd"`
	Latency      Latency `json:"latency"`
}

// Group is the totals of one model, provider, service or user.
type Group struct {
	Key string `json:"key"`
	Totals
}

// Bucket is the totals of one step of the window.
type Bucket struct {
	Time time.Time `json:"time"`
	Totals
}

// Overview summarises the model calls of a window.
type Overview struct {
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	StepSecond int64     `json:"step_seconds"`
	Totals
	Series     []Bucket `json:"series"`
	ByModel    []Group  `json:"by_model"`
	ByProvider []Group  `json:"by_provider"`
	ByService  []Group  `json:"by_service"`
	ByUser     []Group  `json:"by_user"`
}

// accumulator gathers totals and the durations their percentiles are computed from.
type accumulator struct {
	t         Totals
	durations []int64
}

func (a *accumulator) add(dur int64, isErr bool, in, out int64, cost float64) {
	a.t.Requests++
	if isErr {
		a.t.Errors++
	}
	a.t.InputTokens += in
	a.t.OutputTokens += out
	a.t.Cost += cost
	a.durations = append(a.durations, dur)
}

func (a *accumulator) totals() Totals {
	t := a.t
	if t.Requests > 0 {
		t.ErrorRate = float64(t.Errors) / float64(t.Requests)
	}
	slices.Sort(a.durations)
	t.Latency = Latency{P50: quantileMs(a.durations, 0.50), P95: quantileMs(a.durations, 0.95), P99: quantileMs(a.durations, 0.99)}
	return t
}

// quantileMs is the nearest-rank quantile of sorted durations (ns), in milliseconds.
func quantileMs(sorted []int64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	i = max(0, min(i, len(sorted)-1))
	return float64(sorted[i]) / 1e6
}

// groupLimit bounds each breakdown: the top entries by cost, then by requests.
const groupLimit = 10

// Overview computes totals, a time series with step buckets and the top models,
// providers, services and users by cost over the model calls started in w.
func (s *Store) Overview(ctx context.Context, w Window, step time.Duration) (Overview, error) {
	from, to := w.From.UnixNano(), w.To.UnixNano()
	if step <= 0 {
		step = w.To.Sub(w.From) / 60
	}
	step = max(step, time.Second)
	o := Overview{From: w.From, To: w.To, StepSecond: int64(step / time.Second)}
	rows, err := s.r.QueryContext(ctx, `SELECT start_ns, duration_ns, is_error, coalesce(input_tokens, 0),
		coalesce(output_tokens, 0), coalesce(cost, 0), model, provider, service, user_id
		FROM spans WHERE start_ns >= ? AND start_ns < ? AND operation IN `+inferenceOps, from, to)
	if err != nil {
		return o, s.describe("querying the overview", err)
	}
	defer rows.Close()
	var all accumulator
	buckets := make([]accumulator, (to-from+int64(step)-1)/int64(step))
	groups := [4]map[string]*accumulator{{}, {}, {}, {}}
	for rows.Next() {
		var start, dur, in, out, isErr int64
		var cost float64
		// RawBytes: the group keys repeat on most rows, and a map lookup with
		// string(bytes) does not allocate; only a new key is copied.
		var keys [4]sql.RawBytes
		if err := rows.Scan(&start, &dur, &isErr, &in, &out, &cost, &keys[0], &keys[1], &keys[2], &keys[3]); err != nil {
			return o, s.describe("reading the overview", err)
		}
		all.add(dur, isErr != 0, in, out, cost)
		buckets[(start-from)/int64(step)].add(dur, isErr != 0, in, out, cost)
		for i, k := range keys {
			a := groups[i][string(k)]
			if a == nil {
				a = &accumulator{}
				groups[i][string(k)] = a
			}
			a.add(dur, isErr != 0, in, out, cost)
		}
	}
	if err := rows.Err(); err != nil {
		return o, s.describe("reading the overview", err)
	}
	o.Totals = all.totals()
	o.Series = make([]Bucket, len(buckets))
	for i := range buckets {
		o.Series[i] = Bucket{Time: time.Unix(0, from+int64(i)*int64(step)).UTC(), Totals: buckets[i].totals()}
	}
	o.ByModel, o.ByProvider, o.ByService, o.ByUser = top(groups[0]), top(groups[1]), top(groups[2]), top(groups[3])
	return o, nil
}

func top(m map[string]*accumulator) []Group {
	out := make([]Group, 0, len(m))
	for k, a := range m {
		out = append(out, Group{Key: k, Totals: a.totals()})
	}
	slices.SortFunc(out, func(a, b Group) int {
		return cmp.Or(cmp.Compare(b.Cost, a.Cost), cmp.Compare(b.Requests, a.Requests), strings.Compare(a.Key, b.Key))
	})
	return out[:min(len(out), groupLimit)]
}
