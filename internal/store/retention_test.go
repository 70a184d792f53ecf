package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Set(t time.Time)     { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }
func (c *fakeClock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

func TestRetentionDropsContentBeforeMetadata(t *testing.T) {
	clock := &fakeClock{now: base}
	s := openStore(t, Options{Policy: DefaultPolicy(), Now: clock.Now})
	ctx := context.Background()
	if err := s.WriteTraces(ctx, storegen.Fixture(base)); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteLogs(ctx, storegen.FixtureLogs(base)); err != nil {
		t.Fatal(err)
	}
	trace1 := storegen.TraceID(1).String()

	clock.Add(6 * day) // inside every retention
	if r, err := s.Enforce(ctx); err != nil || r.Deleted["span_content"] != 0 {
		t.Fatalf("day 6: %+v %v", r, err)
	}

	clock.Add(2 * day) // day 8: content (7 days) expired, metadata (30 days) kept
	r, err := s.Enforce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Deleted["span_content"] != 4 || r.Deleted["spans"] != 0 {
		t.Errorf("day 8 deleted %+v, want the 4 content rows only", r.Deleted)
	}
	d, err := s.Trace(ctx, trace1)
	if err != nil || len(d.Spans) != 4 || d.Spans[1].Content != nil || *d.Spans[1].InputTokens != 120 {
		t.Fatalf("day 8: trace %+v %v", d, err)
	}
	if ts, _ := s.Traces(ctx, TraceFilter{Window: hour, Text: "refund"}); len(ts) != 0 {
		t.Errorf("content search still finds dropped content: %+v", ts)
	}
	sess, err := s.Session(ctx, "sess-alice")
	if err != nil || sess.ContentDropped != 3 {
		t.Errorf("session after content expiry: dropped %d, %v", sess.ContentDropped, err)
	}

	clock.Set(base.Add(31 * day)) // traces expired, logs (90 days) kept
	if r, err = s.Enforce(ctx); err != nil {
		t.Fatal(err)
	}
	if r.Deleted["spans"] != 6 || r.Deleted["traces"] != 3 || r.Deleted["logs"] != 0 {
		t.Errorf("day 31 deleted %+v", r.Deleted)
	}
	if _, err := s.Trace(ctx, trace1); err != ErrNotFound {
		t.Errorf("expired trace: %v", err)
	}
	if logs, _ := s.Logs(ctx, LogFilter{Window: hour}); len(logs) != 2 {
		t.Errorf("logs after day 31: %d", len(logs))
	}
	u, err := s.Usage(ctx)
	if err != nil || u.Rows["spans"] != 0 || u.Rows["logs"] != 2 || u.SchemaVersion != SchemaVersion {
		t.Errorf("usage %+v %v", u, err)
	}
	// Day and week rollups are kept as long as metrics: long windows still show the expired
	// calls. Finer ones (a row per user and hour) went with the spans.
	day3 := Window{From: base.Add(-day), To: base.Add(2 * day)}
	if o, err := s.Overview(ctx, day3, 0); err != nil || o.Requests != 4 || o.ByUser[0].Key != "alice" {
		t.Errorf("overview after the spans expired: %+v %v", o, err)
	}
	var fine, kept int
	s.r.QueryRow(`SELECT count(*) FILTER (WHERE resolution < 86400 AND NOT (dim = 0 AND resolution = 3600)),
		count(*) FILTER (WHERE resolution >= 86400 OR (dim = 0 AND resolution = 3600)) FROM call_rollups`).Scan(&fine, &kept)
	if fine != 0 || kept == 0 || r.Deleted["call_rollups"] == 0 {
		t.Errorf("rollups after day 31: %d finer ones (want 0), %d kept, deleted %d", fine, kept, r.Deleted["call_rollups"])
	}
	clock.Set(base.Add(366 * day))
	if r, err = s.Enforce(ctx); err != nil || r.Deleted["call_rollups"] == 0 {
		t.Errorf("day 366 deleted %+v %v", r.Deleted, err)
	}
	if o, err := s.Overview(ctx, day3, 0); err != nil || o.Requests != 0 {
		t.Errorf("overview after the rollups expired: %+v %v", o.Totals, err)
	}
}

func TestSizeCapEvictsOldestFirst(t *testing.T) {
	clock := &fakeClock{now: base.Add(10 * day)}
	s := openStore(t, Options{Policy: Policy{}, Now: clock.Now})
	ctx := context.Background()
	err := storegen.Generate(storegen.Options{Seed: 1, Start: base, Period: 10 * day, Traces: 4000, Users: 20, Sessions: 200}, 500,
		func(td ptrace.Traces) error { return s.WriteTraces(ctx, td) })
	if err != nil {
		t.Fatal(err)
	}
	before, _ := s.Usage(ctx)
	s.policy.MaxSizeBytes = before.UsedBytes / 2
	r, err := s.Enforce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := s.Usage(ctx)
	if after.UsedBytes > s.policy.MaxSizeBytes {
		t.Errorf("used %d bytes, cap %d", after.UsedBytes, s.policy.MaxSizeBytes)
	}
	if after.FileBytes >= before.FileBytes {
		t.Errorf("file did not shrink: %d → %d bytes", before.FileBytes, after.FileBytes)
	}
	if after.NewestNs != before.NewestNs || after.OldestNs <= before.OldestNs || after.OldestNs < r.EvictedBefore {
		t.Errorf("not oldest first: range %d..%d → %d..%d, evicted before %d",
			before.OldestNs, before.NewestNs, after.OldestNs, after.NewestNs, r.EvictedBefore)
	}
	if after.Rows["spans"] == 0 || after.Rows["spans"] >= before.Rows["spans"] {
		t.Errorf("spans %d → %d", before.Rows["spans"], after.Rows["spans"])
	}
	// Content never outlives its span.
	var orphans int
	s.r.QueryRow("SELECT count(*) FROM span_content c LEFT JOIN spans s ON s.id = c.span_id WHERE s.id IS NULL").Scan(&orphans)
	if orphans != 0 {
		t.Errorf("%d content rows without their span", orphans)
	}
}

func TestMigrationFromSchemaV1(t *testing.T) {
	db, path := databaseAt(t, 1)
	ctx := context.Background()
	_, err := db.Exec(`INSERT INTO traces VALUES ('t1', ?, ?, 'chat', 1, 'svc', 1, 0, 1, 10, 5, 0.5, 'gpt-4o', 'u', 'conv')`,
		base.UnixNano(), base.Add(time.Second).UnixNano())
	if err != nil {
		t.Fatal(err)
	}
	s := openMigrated(t, db, path)
	ts, err := s.Traces(ctx, TraceFilter{Window: hour})
	if err != nil || len(ts) != 1 || ts[0].Cost != 0.5 {
		t.Errorf("trace written at v1: %+v %v", ts, err)
	}
	sess, err := s.Sessions(ctx, SessionFilter{Window: hour})
	if err != nil || len(sess) != 1 || sess[0].ID != "conv" {
		t.Errorf("sessions after migration: %+v %v", sess, err)
	}
	if _, err := s.Enforce(ctx); err != nil { // alert_history exists from v2 on
		t.Errorf("enforce after migration: %v", err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "future.db")
	db, _ := sql.Open("sqlite", "file:"+path)
	if _, err := db.Exec("CREATE TABLE x (a); PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := Open(context.Background(), Options{Path: path})
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "schema version 99") {
		t.Fatalf("err = %v", err)
	}
	db, _ = sql.Open("sqlite", "file:"+path)
	defer db.Close()
	var v int
	db.QueryRow("PRAGMA user_version").Scan(&v)
	if v != 99 {
		t.Errorf("refused file was modified: version %d", v)
	}
}

func TestOpenRefusesCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "corrupt.db")
	garbage := bytes.Repeat([]byte("not a database "), 512)
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), Options{Path: path})
	if err == nil || !strings.Contains(err.Error(), "not a valid llmstore database") || !strings.Contains(err.Error(), "move it aside") {
		t.Fatalf("err = %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, garbage) {
		t.Error("corrupt file was modified")
	}
}

// TestWriteReplacesOrphanedContent: retention deletes content and metadata in separate
// statements, so a batch written between them (late or replayed data) can leave content
// rows whose spans and logs are gone, and new rows may reuse their ids. Writes must still
// succeed and carry their own content; before the fix such a batch failed on the content
// key and was retried until the exporter dropped it.
func TestWriteReplacesOrphanedContent(t *testing.T) {
	s := openStore(t, Options{Policy: DefaultPolicy()})
	ctx := context.Background()
	if err := s.WriteTraces(ctx, storegen.Fixture(base)); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteLogs(ctx, storegen.FixtureLogs(base)); err != nil {
		t.Fatal(err)
	}
	// What the race leaves: metadata deleted, content still there.
	for _, q := range []string{"DELETE FROM spans", "DELETE FROM traces", "DELETE FROM logs"} {
		if _, err := s.w.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.WriteTraces(ctx, storegen.Fixture(base)); err != nil {
		t.Fatalf("writing spans over orphaned content: %v", err)
	}
	if err := s.WriteLogs(ctx, storegen.FixtureLogs(base)); err != nil {
		t.Fatalf("writing logs over orphaned content: %v", err)
	}
	var spans, contents int
	_ = s.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM spans`).Scan(&spans)
	_ = s.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM span_content`).Scan(&contents)
	if spans == 0 || contents == 0 {
		t.Fatalf("nothing stored: %d spans, %d content rows", spans, contents)
	}
}
