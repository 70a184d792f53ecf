package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Policy says how long each signal is kept. A zero duration keeps data forever; a zero
// MaxSizeBytes means no size cap.
type Policy struct {
	Traces  time.Duration
	Logs    time.Duration
	Metrics time.Duration
	Alerts  time.Duration
	// Content is how long message content (prompts, completions, tool arguments and
	// results) is kept; after it the span or log record stays without its content.
	Content      time.Duration
	MaxSizeBytes int64
}

const day = 24 * time.Hour

// DefaultPolicy is the retention a store has unless configured otherwise.
func DefaultPolicy() Policy {
	return Policy{
		Traces:       30 * day,
		Logs:         90 * day,
		Metrics:      365 * day,
		Alerts:       90 * day,
		Content:      7 * day,
		MaxSizeBytes: 1 << 30,
	}
}

// Policy is the retention policy in force.
func (s *Store) Policy() Policy { return s.policy }

// table names one time-ordered table and the retention that applies to it.
type table struct {
	name, timeColumn string
	keep             func(Policy) time.Duration
}

// tables lists content first: under the size cap the oldest rows of every table go
// together, and content must never outlive its metadata.
var tables = []table{
	{"span_content", "start_ns", func(p Policy) time.Duration { return minKeep(p.Content, p.Traces) }},
	{"log_content", "time_ns", func(p Policy) time.Duration { return minKeep(p.Content, p.Logs) }},
	{"spans", "start_ns", func(p Policy) time.Duration { return p.Traces }},
	{"traces", "start_ns", func(p Policy) time.Duration { return p.Traces }},
	{"evaluations", "time_ns", func(p Policy) time.Duration { return p.Traces }},
	{"logs", "time_ns", func(p Policy) time.Duration { return p.Logs }},
	{"metric_points", "time_ns", func(p Policy) time.Duration { return p.Metrics }},
	{"alert_history", "time_ns", func(p Policy) time.Duration { return p.Alerts }},
	// Rollups are metrics derived from the calls: the hours of all calls, and days and
	// weeks by key, keep the overview of long windows after the spans have expired; the
	// finer ones go with the spans (deleteRollupsBefore), as they hold a row per user and
	// hour, or per minute.
	{"call_rollups", "bucket_ns", func(p Policy) time.Duration { return p.Metrics }},
}

// minKeep is the shorter of two retentions, where zero means forever.
func minKeep(a, b time.Duration) time.Duration {
	if a == 0 {
		return b
	}
	if b == 0 {
		return a
	}
	return min(a, b)
}

// EnforceResult says what one run of the retention job removed.
type EnforceResult struct {
	Deleted map[string]int64 `json:"deleted"` // rows per table
	// EvictedBefore is the cutoff the size cap evicted up to (Unix ns), 0 if it did not.
	EvictedBefore int64 `json:"evicted_before_ns"`
}

// deleteChunk bounds one delete statement, so that a large expiry never holds the write
// lock long enough to stall ingestion.
const deleteChunk = 20_000

// Enforce applies the policy once: expired rows of each table are deleted, then, while
// the database is over its size cap, the oldest data of every signal is evicted.
func (s *Store) Enforce(ctx context.Context) (EnforceResult, error) {
	res := EnforceResult{Deleted: map[string]int64{}}
	now := s.now().UnixNano()
	for _, t := range tables {
		keep := t.keep(s.policy)
		if keep == 0 {
			continue
		}
		n, err := s.deleteBefore(ctx, t, now-int64(keep))
		res.Deleted[t.name] += n
		if err != nil {
			return res, err
		}
	}
	if s.policy.MaxSizeBytes > 0 {
		if err := s.evict(ctx, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

func (s *Store) deleteBefore(ctx context.Context, t table, cutoff int64) (int64, error) {
	q := fmt.Sprintf("DELETE FROM %s WHERE rowid IN (SELECT rowid FROM %s WHERE %s < ? LIMIT %d)",
		t.name, t.name, t.timeColumn, deleteChunk)
	if t.name == "call_rollups" { // WITHOUT ROWID, keyed by resolution and dimension first
		return s.deleteRollupsBefore(ctx, cutoff)
	}
	var total int64
	for {
		r, err := s.w.ExecContext(ctx, q, cutoff)
		if err != nil {
			return total, s.describe("deleting expired "+t.name, err)
		}
		n, _ := r.RowsAffected()
		total += n
		if n < deleteChunk {
			return total, nil
		}
	}
}

func (s *Store) deleteRollupsBefore(ctx context.Context, cutoff int64) (int64, error) {
	fine := cutoff
	if s.policy.Traces > 0 {
		fine = max(cutoff, s.now().UnixNano()-int64(s.policy.Traces))
	}
	var total int64
	for _, res := range append([]int64{resMinute}, breakdownResolutions...) { // all calls: minute and hour
		for dim := dimAll; dim < dims; dim++ {
			before := cutoff
			if res < resDay && !(dim == dimAll && res == resHour) { // hours of all calls: one row per hour
				before = fine
			}
			r, err := s.w.ExecContext(ctx, "DELETE FROM call_rollups WHERE resolution = ? AND dim = ? AND bucket_ns < ?", res, dim, before)
			if err != nil {
				return total, s.describe("deleting expired call_rollups", err)
			}
			n, _ := r.RowsAffected()
			total += n
		}
	}
	return total, nil
}

// evict deletes the oldest 5% of the stored time range of all signals at a time until
// the used size is under the cap, then gives the freed pages back to the file system.
func (s *Store) evict(ctx context.Context, res *EnforceResult) error {
	for {
		used, err := s.usedBytes(ctx, s.w)
		if err != nil {
			return err
		}
		if used <= s.policy.MaxSizeBytes {
			break
		}
		oldest, newest, err := s.timeRange(ctx, s.w)
		if err != nil {
			return err
		}
		if oldest >= newest {
			break // one instant left: nothing older to evict
		}
		cutoff := oldest + max((newest-oldest)/20, int64(time.Second))
		for _, t := range tables {
			n, err := s.deleteBefore(ctx, t, cutoff)
			res.Deleted[t.name] += n
			if err != nil {
				return err
			}
		}
		res.EvictedBefore = cutoff
	}
	if res.EvictedBefore != 0 {
		if _, err := s.w.ExecContext(ctx, "PRAGMA incremental_vacuum"); err != nil {
			return s.describe("returning evicted pages", err)
		}
	}
	return nil
}

// usedBytes is the size of the pages in use: freed pages are reused before the file grows.
func (s *Store) usedBytes(ctx context.Context, db *sql.DB) (int64, error) {
	var pages, free, size int64
	err := db.QueryRowContext(ctx, "SELECT (SELECT page_count FROM pragma_page_count), "+
		"(SELECT freelist_count FROM pragma_freelist_count), (SELECT page_size FROM pragma_page_size)").
		Scan(&pages, &free, &size)
	if err != nil {
		return 0, s.describe("measuring size", err)
	}
	return (pages - free) * size, nil
}

// timeRange is the oldest and newest timestamp over the signal tables.
func (s *Store) timeRange(ctx context.Context, db *sql.DB) (oldest, newest int64, err error) {
	// One min or max per subquery: SQLite reads it from the end of the time index, where
	// min and max together would scan the whole table.
	err = db.QueryRowContext(ctx, `SELECT coalesce(min(lo), 0), coalesce(max(hi), 0) FROM (
		SELECT (SELECT min(start_ns) FROM spans) lo, (SELECT max(start_ns) FROM spans) hi
		UNION ALL SELECT (SELECT min(time_ns) FROM logs), (SELECT max(time_ns) FROM logs)
		UNION ALL SELECT (SELECT min(time_ns) FROM metric_points), (SELECT max(time_ns) FROM metric_points)
		UNION ALL SELECT (SELECT min(time_ns) FROM alert_history), (SELECT max(time_ns) FROM alert_history))`).Scan(&oldest, &newest)
	if err != nil {
		err = s.describe("reading the stored time range", err)
	}
	return
}

// RunRetention enforces the policy now and then every interval until ctx ends, and
// reports each run to report. A failed run is reported and retried next time.
func (s *Store) RunRetention(ctx context.Context, interval time.Duration, report func(EnforceResult, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if res, err := s.Enforce(ctx); ctx.Err() == nil {
			report(res, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// UsedBytes is the size of the pages in use: cheap enough to read often, unlike Usage.
func (s *Store) UsedBytes(ctx context.Context) (int64, error) { return s.usedBytes(ctx, s.r) }

// Usage is what the store holds.
type Usage struct {
	SchemaVersion int              `json:"schema_version"`
	Path          string           `json:"path"`
	FileBytes     int64            `json:"file_bytes"`
	UsedBytes     int64            `json:"used_bytes"`
	Rows          map[string]int64 `json:"rows"`
	OldestNs      int64            `json:"oldest_ns"`
	NewestNs      int64            `json:"newest_ns"`
}

// Usage counts rows per table and measures the file.
func (s *Store) Usage(ctx context.Context) (Usage, error) {
	u := Usage{SchemaVersion: SchemaVersion, Path: s.path, Rows: map[string]int64{}}
	for _, t := range tables {
		var n int64
		if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM "+t.name).Scan(&n); err != nil {
			return u, s.describe("counting "+t.name, err)
		}
		u.Rows[t.name] = n
	}
	var err error
	if u.UsedBytes, err = s.usedBytes(ctx, s.r); err != nil {
		return u, err
	}
	var pages, size int64
	if err := s.r.QueryRowContext(ctx, "SELECT (SELECT page_count FROM pragma_page_count), (SELECT page_size FROM pragma_page_size)").Scan(&pages, &size); err != nil {
		return u, s.describe("measuring the file", err)
	}
	u.FileBytes = pages * size
	if u.OldestNs, u.NewestNs, err = s.timeRange(ctx, s.r); err != nil {
		return u, err
	}
	return u, nil
}
