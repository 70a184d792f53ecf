package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"strings"
	"time"
)

// Call rollups: per-bucket totals of model calls, maintained in the transaction that
// stores the spans, so that the overview of a long window reads a few thousand rollup
// rows instead of every call. Totals and the time series come from rollups of all calls
// (per minute and per hour); the breakdowns by model, provider, service and user from
// rollups per hour, 6 hours, day and week: a window is covered by the coarsest buckets
// that fit in it, so a 30-day window reads a few weeks, days and hours of each key.

// Rollup dimensions.
const (
	dimAll = iota
	dimModel
	dimProvider
	dimService
	dimUser
	dims
)

// Rollup resolutions in seconds. Each divides the next, and weeks count from the Unix
// epoch (a Thursday), so that a bucket of one resolution never straddles one of the next.
const (
	resMinute  = 60
	resHour    = 3600
	resQuarter = 6 * resHour
	resDay     = 24 * resHour
	resWeek    = 7 * resDay
)

// breakdownResolutions are those of the breakdown rollups, coarsest first.
var breakdownResolutions = []int64{resWeek, resDay, resQuarter, resHour}

// rollupKey is one rollup row.
type rollupKey struct {
	res    int64
	dim    int
	bucket int64 // Unix ns, aligned to res
	key    string
}

// rollupRow accumulates the calls of one rollup row within a batch.
type rollupRow struct {
	calls, errors, in, out int64
	cost                   float64
	buckets                []uint16 // latency bucket of each call
	evaluations, qualities int64
	qualitySum             float64
}

// rollups accumulates a batch's calls; flush writes them.
type rollups map[rollupKey]*rollupRow

// call is what a rollup needs of one model call, or of evaluations of one (isCall false).
type call struct {
	isCall                   bool
	start, duration, in, out int64
	cost                     float64
	isError                  bool
	keys                     [dims]string // dimAll's is ""
	evals                    evalSummary
}

// alignDown is the start of the res-second bucket holding t (floored, also before 1970).
func alignDown(t, res int64) int64 {
	r := t % (res * 1e9)
	if r < 0 {
		r += res * 1e9
	}
	return t - r
}

func (r rollups) add(c call) {
	b := uint16(bucketOf(c.duration))
	add := func(res int64, dim int) {
		k := rollupKey{res: res, dim: dim, bucket: alignDown(c.start, res), key: c.keys[dim]}
		row := r[k]
		if row == nil {
			row = &rollupRow{}
			r[k] = row
		}
		row.evaluations += c.evals.count
		if c.evals.hasQuality {
			row.qualities++
			row.qualitySum += c.evals.quality
		}
		if !c.isCall {
			return
		}
		row.calls++
		if c.isError {
			row.errors++
		}
		row.in += c.in
		row.out += c.out
		row.cost += c.cost
		row.buckets = append(row.buckets, b)
	}
	add(resMinute, dimAll)
	add(resHour, dimAll)
	for dim := dimModel; dim < dims; dim++ {
		for _, res := range breakdownResolutions {
			add(res, dim)
		}
	}
}

var upsertRollups = rowsSQL{head: `INSERT INTO call_rollups (resolution, dim, bucket_ns, key, calls, errors,
	input_tokens, output_tokens, cost, latency, evaluations, quality_count, quality_sum) VALUES `,
	row: `(?,?,?,?,?,?,?,?,?,?,?,?,?)`,
	tail: ` ON CONFLICT (resolution, dim, bucket_ns, key) DO UPDATE SET
		evaluations = evaluations + excluded.evaluations,
		quality_count = quality_count + excluded.quality_count,
		quality_sum = quality_sum + excluded.quality_sum,
		calls = calls + excluded.calls,
		errors = errors + excluded.errors,
		input_tokens = input_tokens + excluded.input_tokens,
		output_tokens = output_tokens + excluded.output_tokens,
		cost = cost + excluded.cost,
		latency = llmstore_hist_merge(latency, excluded.latency)`}

// args are the upsert arguments of the rows (rollupWidth each), in key order
// (neighbours in the b-tree).
func (r rollups) args() []any {
	keys := make([]rollupKey, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b rollupKey) int {
		return cmp.Or(cmp.Compare(a.res, b.res), cmp.Compare(a.dim, b.dim), cmp.Compare(a.bucket, b.bucket), strings.Compare(a.key, b.key))
	})
	// The histograms share one buffer; a row's is never nil, which would bind NULL for a
	// row of evaluations only.
	enc := make([]byte, 0, 8*len(keys))
	ends := make([]int, len(keys))
	for i, k := range keys {
		b := r[k].buckets
		slices.Sort(b)
		prev := -1
		for from := 0; from < len(b); {
			to := from
			for to < len(b) && b[to] == b[from] {
				to++
			}
			enc = appendBucket(enc, int(b[from])-prev, int64(to-from))
			prev = int(b[from])
			from = to
		}
		ends[i] = len(enc)
	}
	out := make([]any, 0, len(keys)*rollupWidth)
	from := 0
	for i, k := range keys {
		row := r[k]
		out = append(out, k.res, int64(k.dim), k.bucket, k.key, row.calls, row.errors, row.in, row.out, row.cost,
			enc[from:ends[i]:ends[i]], row.evaluations, row.qualities, row.qualitySum)
		from = ends[i]
	}
	return out
}

// backfillRollups builds the rollups of the calls already stored, a day at a time (a day
// bucket is complete once its day is read; memory holds one day's calls), in the
// migration's transaction.
func backfillRollups(ctx context.Context, tx *sql.Tx) error {
	up, err := tx.PrepareContext(ctx, upsertRollups.sql(1))
	if err != nil {
		return err
	}
	defer up.Close()
	var first, last sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT (SELECT min(start_ns) FROM spans), (SELECT max(start_ns) FROM spans)").
		Scan(&first, &last); err != nil || !first.Valid {
		return err
	}
	acc := rollups{}
	for day := alignDown(first.Int64, resDay); day <= last.Int64; day += resDay * 1e9 {
		rows, err := tx.QueryContext(ctx, `SELECT start_ns, duration_ns, is_error, coalesce(input_tokens, 0),
			coalesce(output_tokens, 0), coalesce(cost, 0), model, provider, service, user_id
			FROM spans WHERE start_ns >= ? AND start_ns < ? AND operation IN `+inferenceOps, day, day+resDay*1e9)
		if err != nil {
			return err
		}
		for rows.Next() {
			c := call{isCall: true}
			if err := rows.Scan(&c.start, &c.duration, &c.isError, &c.in, &c.out, &c.cost,
				&c.keys[dimModel], &c.keys[dimProvider], &c.keys[dimService], &c.keys[dimUser]); err != nil {
				rows.Close()
				return err
			}
			acc.add(c)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		args := acc.args()
		for i := 0; i < len(args); i += rollupWidth {
			if _, err := up.ExecContext(ctx, args[i:i+rollupWidth]...); err != nil {
				return err
			}
		}
		clear(acc)
	}
	return nil
}

// rollupThreshold is the longest window the overview computes from the spans themselves,
// with exact percentiles; longer windows read rollups.
const rollupThreshold = 2 * time.Hour

// piece is a time range [from, to) in Unix ns read at one resolution; res 0 is raw spans.
type piece struct {
	res, from, to int64
}

// cover splits [from, to) into the longest ranges aligned to each resolution in turn
// (coarsest first), leaving raw spans at both ends for what no resolution covers.
func cover(from, to int64, resolutions ...int64) []piece {
	if from >= to {
		return nil
	}
	if len(resolutions) == 0 {
		return []piece{{0, from, to}}
	}
	r := resolutions[0] * 1e9
	if from > math.MaxInt64-r || from < math.MinInt64+r || to < math.MinInt64+r {
		return cover(from, to, resolutions[1:]...) // no whole bucket this close to the ends of time
	}
	a, b := alignDown(from+r-1, resolutions[0]), alignDown(to, resolutions[0])
	if a >= b {
		return cover(from, to, resolutions[1:]...)
	}
	out := cover(from, a, resolutions[1:]...)
	out = append(out, piece{resolutions[0], a, b})
	return append(out, cover(b, to, resolutions[1:]...)...)
}

// overviewFromRollups fills o for a window longer than rollupThreshold: the series at the
// finest resolution that the step allows, breakdowns from week to hour rollups, and raw
// spans where the window does not cover whole rollup buckets. Percentiles come from the
// rollups' latency histograms (within 3.2% of exact); counts, tokens and cost are exact.
func (s *Store) overviewFromRollups(ctx context.Context, o *Overview, from, to int64, step time.Duration) error {
	// Minutes, and the hours, 6-hour blocks of each key, are kept as long as the spans:
	// older windows are read by the hour and by whole days.
	seriesRes := int64(resMinute)
	if step >= time.Hour || s.policy.Traces > 0 && from < s.now().Add(-s.policy.Traces).UnixNano() {
		seriesRes = resHour
	}
	series := cover(from, to, seriesRes)
	breakdowns := cover(from, to, breakdownResolutions...)

	acc := newOverviewAcc(from, to, step, true)
	inRawSeries := func(t int64) bool {
		for _, p := range series {
			if p.res == 0 && t >= p.from && t < p.to {
				return true
			}
		}
		return false
	}
	// Raw spans at the ends of the breakdown cover; those also at the ends of the series
	// cover count in the series.
	add := func(r rawRow) {
		t, _ := r.at()
		acc.addRaw(r, inRawSeries(t))
	}
	for _, p := range breakdowns {
		if p.res != 0 {
			continue
		}
		if err := s.scanCalls(ctx, p.from, p.to, func(c *rawCall) { add(c) }); err != nil {
			return err
		}
		if err := s.scanEvaluations(ctx, p.from, p.to, func(e *rawEvaluation) { add(e) }); err != nil {
			return err
		}
	}
	for _, p := range series {
		if p.res != 0 {
			if err := s.rollupSeries(ctx, p, acc); err != nil {
				return err
			}
		}
	}
	if err := s.rollupBreakdowns(ctx, breakdowns, acc); err != nil {
		return err
	}
	acc.fill(o)
	return nil
}

// rollupSeries adds the rollups of all calls in p to the totals and the series.
func (s *Store) rollupSeries(ctx context.Context, p piece, acc *overviewAcc) error {
	rows, err := s.r.QueryContext(ctx, `SELECT bucket_ns, `+rollupSumColumns+`, latency FROM call_rollups
		WHERE resolution = ? AND dim = 0 AND bucket_ns >= ? AND bucket_ns < ?`, p.res, p.from, p.to)
	if err != nil {
		return s.describe("querying the overview", err)
	}
	defer rows.Close()
	for rows.Next() {
		var bucket int64
		var r rollupSums
		var hist sql.RawBytes
		if err := rows.Scan(append([]any{&bucket}, append(r.dest(), &hist)...)...); err != nil {
			return s.describe("reading the overview", err)
		}
		for _, a := range []*accumulator{acc.bucket(bucket), &acc.all} {
			if err := a.addRollup(r, hist); err != nil {
				return s.describe("reading the overview", err)
			}
		}
	}
	return s.rowsErr("reading the overview", rows)
}

// rollupSums are the summable columns of rollup rows.
type rollupSums struct {
	calls, errors, in, out int64
	cost                   float64
	evaluations, qualities int64
	qualitySum             float64
}

const rollupSumColumns = `calls, errors, input_tokens, output_tokens, cost, evaluations, quality_count, quality_sum`

func (r *rollupSums) dest() []any {
	return []any{&r.calls, &r.errors, &r.in, &r.out, &r.cost, &r.evaluations, &r.qualities, &r.qualitySum}
}

// rollupBreakdowns adds the rollups of the breakdown cover to groups, in two passes:
// SQLite sums every key's rows (thousands of users' rows come back as one row each),
// then merges the latency histograms of the top keys only, the ones the overview shows.
func (s *Store) rollupBreakdowns(ctx context.Context, breakdowns []piece, acc *overviewAcc) error {
	// union reads columns of the breakdown rollups of the cover, each range with its own
	// index range, filtered by where (with its arguments).
	union := func(columns, where string, whereArgs ...any) (string, []any) {
		var parts []string
		var args []any
		for _, p := range breakdowns {
			if p.res != 0 {
				parts = append(parts, "SELECT "+columns+` FROM call_rollups
					WHERE resolution = ? AND dim IN (1, 2, 3, 4) AND bucket_ns >= ? AND bucket_ns < ?`+where)
				args = append(append(args, p.res, p.from, p.to), whereArgs...)
			}
		}
		return strings.Join(parts, " UNION ALL "), args
	}
	sums, args := union("dim, key, "+rollupSumColumns, "")
	if sums == "" {
		return nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT dim, key, sum(calls), sum(errors), sum(input_tokens), sum(output_tokens),
		sum(cost), sum(evaluations), sum(quality_count), sum(quality_sum) FROM (`+sums+`) GROUP BY dim, key`, args...)
	if err != nil {
		return s.describe("querying the overview", err)
	}
	defer rows.Close()
	for rows.Next() {
		var dim int
		var key string
		var r rollupSums
		if err := rows.Scan(append([]any{&dim, &key}, r.dest()...)...); err != nil {
			return s.describe("reading the overview", err)
		}
		if dim >= dimModel && dim < dims {
			_ = acc.group(dim, key).addRollup(r, nil)
		}
	}
	if err := s.rowsErr("reading the overview", rows); err != nil {
		return err
	}
	rows.Close()

	var values []string
	var keyArgs []any
	for dim := dimModel; dim < dims; dim++ {
		top := topKeys(acc.groups[dim])
		for _, k := range top {
			values = append(values, "(?,?)")
			keyArgs = append(keyArgs, dim, k)
		}
		// Only the top keys are shown: the others need no percentiles.
		for k := range acc.groups[dim] {
			if !slices.Contains(top, k) {
				delete(acc.groups[dim], k)
			}
		}
	}
	if len(values) == 0 {
		return nil
	}
	hists, args := union("dim, key, latency", " AND (dim, key) IN (VALUES "+strings.Join(values, ",")+")", keyArgs...)
	rows, err = s.r.QueryContext(ctx, `SELECT dim, key, llmstore_hist_sum(latency) FROM (`+hists+`) GROUP BY dim, key`, args...)
	if err != nil {
		return s.describe("querying the overview", err)
	}
	defer rows.Close()
	for rows.Next() {
		var dim int
		var key string
		var hist sql.RawBytes
		if err := rows.Scan(&dim, &key, &hist); err != nil {
			return s.describe("reading the overview", err)
		}
		if a := acc.groups[dim][key]; a != nil && dim >= dimModel && dim < dims {
			if err := a.hist.merge(hist); err != nil {
				return s.describe("reading the overview", err)
			}
		}
	}
	return s.rowsErr("reading the overview", rows)
}
