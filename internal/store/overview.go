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
	// Evaluations counts the evaluation results of these calls.
	Evaluations int64 `json:"evaluations"`
	// Quality is the mean of the calls' combined quality scores (0–1; absent when none
	// was scored), QualityScores how many there were.
	Quality       *float64 `json:"quality,omitempty"`
	QualityScores int64    `json:"quality_scores"`
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

// accumulator gathers totals and what their percentiles are computed from: the exact
// durations of raw calls, and, over rollups, a latency histogram.
type accumulator struct {
	t          Totals
	qualitySum float64
	durations  []int64
	hist       *histogram // nil: percentiles are exact
}

// rawRow is a model call or a detached evaluation result read for an overview.
type rawRow interface {
	// at is when it counts; keys are its model, provider, service and user.
	at() (int64, *[4]sql.RawBytes)
	addTo(a *accumulator)
}

// rawCall is one model call read from the spans.
type rawCall struct {
	start, dur, in, out int64
	isErr               bool
	cost                float64
	evaluations         int64
	quality             sql.NullFloat64
	// RawBytes: the group keys repeat on most rows, and a map lookup with string(bytes)
	// does not allocate; only a new key is copied.
	keys [4]sql.RawBytes
}

func (c *rawCall) at() (int64, *[4]sql.RawBytes) { return c.start, &c.keys }

func (c *rawCall) addTo(a *accumulator) {
	a.t.Requests++
	if c.isErr {
		a.t.Errors++
	}
	a.t.InputTokens += c.in
	a.t.OutputTokens += c.out
	a.t.Cost += c.cost
	a.durations = append(a.durations, c.dur)
	a.t.Evaluations += c.evaluations
	if c.quality.Valid {
		a.t.QualityScores++
		a.qualitySum += c.quality.Float64
	}
}

// rawEvaluation is one detached evaluation result read from the evaluations table.
type rawEvaluation struct {
	time  int64
	name  string
	score sql.NullFloat64
	keys  [4]sql.RawBytes
}

func (e *rawEvaluation) at() (int64, *[4]sql.RawBytes) { return e.time, &e.keys }

func (e *rawEvaluation) addTo(a *accumulator) {
	a.t.Evaluations++
	if e.name == genai.EvaluationQuality && e.score.Valid {
		a.t.QualityScores++
		a.qualitySum += e.score.Float64
	}
}

// addRollup adds a rollup row (or a sum of them) and its histogram, if any.
func (a *accumulator) addRollup(r rollupSums, hist []byte) error {
	a.t.Requests += r.calls
	a.t.Errors += r.errors
	a.t.InputTokens += r.in
	a.t.OutputTokens += r.out
	a.t.Cost += r.cost
	a.t.Evaluations += r.evaluations
	a.t.QualityScores += r.qualities
	a.qualitySum += r.qualitySum
	return a.hist.merge(hist)
}

func (a *accumulator) totals() Totals {
	t := a.t
	if t.Requests > 0 {
		t.ErrorRate = float64(t.Errors) / float64(t.Requests)
	}
	if t.QualityScores > 0 {
		q := a.qualitySum / float64(t.QualityScores)
		t.Quality = &q
	}
	if a.hist != nil {
		for _, d := range a.durations {
			a.hist.add(d)
		}
		t.Latency = Latency{P50: a.hist.quantileMs(0.50), P95: a.hist.quantileMs(0.95), P99: a.hist.quantileMs(0.99)}
		return t
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
// providers, services and users by cost over the model calls started in w. Windows up to
// rollupThreshold are computed from the calls themselves; longer ones from rollups.
func (s *Store) Overview(ctx context.Context, w Window, step time.Duration) (Overview, error) {
	from, to := w.From.UnixNano(), w.To.UnixNano()
	if step <= 0 {
		step = w.To.Sub(w.From) / 60
	}
	step = max(step, time.Second)
	o := Overview{From: w.From, To: w.To, StepSecond: int64(step / time.Second)}
	if w.To.Sub(w.From) > rollupThreshold {
		return o, s.overviewFromRollups(ctx, &o, from, to, step)
	}
	return o, s.overviewFromSpans(ctx, &o, from, to, step)
}

// overviewFromSpans fills o from every call of the window, with exact percentiles.
func (s *Store) overviewFromSpans(ctx context.Context, o *Overview, from, to int64, step time.Duration) error {
	acc := newOverviewAcc(from, to, step, false)
	add := func(r rawRow) { acc.addRaw(r, true) }
	if err := s.scanCalls(ctx, from, to, func(c *rawCall) { add(c) }); err != nil {
		return err
	}
	if err := s.scanEvaluations(ctx, from, to, func(e *rawEvaluation) { add(e) }); err != nil {
		return err
	}
	acc.fill(o)
	return nil
}

// overviewAcc gathers an overview: totals, the series and the breakdowns by dimension.
type overviewAcc struct {
	from, step int64
	all        accumulator
	buckets    []accumulator
	groups     [dims]map[string]*accumulator
	// fromRollups: percentiles come from histograms, rollups' or built from durations.
	fromRollups bool
}

func newOverviewAcc(from, to int64, step time.Duration, fromRollups bool) *overviewAcc {
	o := &overviewAcc{from: from, step: int64(step), fromRollups: fromRollups,
		buckets: make([]accumulator, (to-from+int64(step)-1)/int64(step))}
	for dim := dimModel; dim < dims; dim++ {
		o.groups[dim] = map[string]*accumulator{}
	}
	if fromRollups {
		o.all.hist = &histogram{}
		for i := range o.buckets {
			o.buckets[i].hist = &histogram{}
		}
	}
	return o
}

// bucket is the series step that t falls in.
func (o *overviewAcc) bucket(t int64) *accumulator {
	return &o.buckets[min(max((t-o.from)/o.step, 0), int64(len(o.buckets)-1))]
}

func (o *overviewAcc) group(dim int, key string) *accumulator {
	a := o.groups[dim][key]
	if a == nil {
		a = &accumulator{}
		if o.fromRollups {
			a.hist = &histogram{}
		}
		o.groups[dim][key] = a
	}
	return a
}

// addRaw adds a raw row to its groups and, if inSeries, to the totals and its step.
func (o *overviewAcc) addRaw(r rawRow, inSeries bool) {
	t, keys := r.at()
	for dim := dimModel; dim < dims; dim++ {
		r.addTo(o.group(dim, string(keys[dim-1])))
	}
	if inSeries {
		r.addTo(o.bucket(t))
		r.addTo(&o.all)
	}
}

func (o *overviewAcc) fill(ov *Overview) {
	ov.Totals = o.all.totals()
	ov.Series = make([]Bucket, len(o.buckets))
	for i := range o.buckets {
		ov.Series[i] = Bucket{Time: time.Unix(0, o.from+int64(i)*o.step).UTC(), Totals: o.buckets[i].totals()}
	}
	ov.ByModel, ov.ByProvider = top(o.groups[dimModel]), top(o.groups[dimProvider])
	ov.ByService, ov.ByUser = top(o.groups[dimService]), top(o.groups[dimUser])
}

// scanCalls calls f for each model call started in [from, to); c is reused between calls.
func (s *Store) scanCalls(ctx context.Context, from, to int64, f func(c *rawCall)) error {
	rows, err := s.r.QueryContext(ctx, `SELECT start_ns, duration_ns, is_error, coalesce(input_tokens, 0),
		coalesce(output_tokens, 0), coalesce(cost, 0), evaluations, quality, model, provider, service, user_id
		FROM spans WHERE start_ns >= ? AND start_ns < ? AND operation IN `+inferenceOps, from, to)
	if err != nil {
		return s.describe("querying the overview", err)
	}
	defer rows.Close()
	var c rawCall
	for rows.Next() {
		if err := rows.Scan(&c.start, &c.dur, &c.isErr, &c.in, &c.out, &c.cost, &c.evaluations, &c.quality,
			&c.keys[0], &c.keys[1], &c.keys[2], &c.keys[3]); err != nil {
			return s.describe("reading the overview", err)
		}
		f(&c)
	}
	return s.rowsErr("reading the overview", rows)
}

// scanEvaluations calls f for each detached evaluation result of [from, to).
func (s *Store) scanEvaluations(ctx context.Context, from, to int64, f func(e *rawEvaluation)) error {
	rows, err := s.r.QueryContext(ctx, `SELECT time_ns, name, score, model, provider, service, user_id
		FROM evaluations WHERE time_ns >= ? AND time_ns < ?`, from, to)
	if err != nil {
		return s.describe("querying evaluations", err)
	}
	defer rows.Close()
	var e rawEvaluation
	for rows.Next() {
		if err := rows.Scan(&e.time, &e.name, &e.score, &e.keys[0], &e.keys[1], &e.keys[2], &e.keys[3]); err != nil {
			return s.describe("reading evaluations", err)
		}
		f(&e)
	}
	return s.rowsErr("reading evaluations", rows)
}

func top(m map[string]*accumulator) []Group {
	out := make([]Group, 0, min(len(m), groupLimit))
	for _, k := range topKeys(m) {
		out = append(out, Group{Key: k, Totals: m[k].totals()})
	}
	return out
}

// topKeys are the groupLimit keys with the highest cost, then requests.
func topKeys(m map[string]*accumulator) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		x, y := m[a].t, m[b].t
		return cmp.Or(cmp.Compare(y.Cost, x.Cost), cmp.Compare(y.Requests, x.Requests), strings.Compare(a, b))
	})
	return keys[:min(len(keys), groupLimit)]
}
