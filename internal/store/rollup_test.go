package store

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
)

func TestCover(t *testing.T) {
	at := func(s string) int64 {
		ts, err := time.Parse("01-02 15:04:05", s)
		if err != nil {
			t.Fatal(err)
		}
		return ts.AddDate(2026-ts.Year(), 0, 0).UnixNano()
	}
	str := func(ps []piece) string {
		out := ""
		for _, p := range ps {
			out += fmt.Sprintf("%d:%s-%s ", p.res, time.Unix(0, p.from).UTC().Format("01-02 15:04:05"), time.Unix(0, p.to).UTC().Format("01-02 15:04:05"))
		}
		return out
	}
	for _, tc := range []struct {
		from, to string
		res      []int64
		want     string
	}{
		{"03-01 10:20:30", "03-04 07:05:00", []int64{resDay, resHour},
			"0:03-01 10:20:30-03-01 11:00:00 3600:03-01 11:00:00-03-02 00:00:00 86400:03-02 00:00:00-03-04 00:00:00 3600:03-04 00:00:00-03-04 07:00:00 0:03-04 07:00:00-03-04 07:05:00 "},
		// Weeks start on Thursdays (the Unix epoch's weekday): 2026-03-05 is one.
		{"03-01 10:20:30", "03-14 07:05:00", breakdownResolutions,
			"0:03-01 10:20:30-03-01 11:00:00 3600:03-01 11:00:00-03-01 12:00:00 21600:03-01 12:00:00-03-02 00:00:00 " +
				"86400:03-02 00:00:00-03-05 00:00:00 604800:03-05 00:00:00-03-12 00:00:00 86400:03-12 00:00:00-03-14 00:00:00 " +
				"21600:03-14 00:00:00-03-14 06:00:00 3600:03-14 06:00:00-03-14 07:00:00 0:03-14 07:00:00-03-14 07:05:00 "},
		{"03-01 10:00:00", "03-01 12:00:00", []int64{resDay, resHour}, "3600:03-01 10:00:00-03-01 12:00:00 "},
		{"03-01 10:20:30", "03-01 10:50:00", []int64{resDay, resHour}, "0:03-01 10:20:30-03-01 10:50:00 "},
		{"03-01 10:20:30", "03-01 12:00:10", []int64{resMinute}, "0:03-01 10:20:30-03-01 10:21:00 60:03-01 10:21:00-03-01 12:00:00 0:03-01 12:00:00-03-01 12:00:10 "},
	} {
		if got := str(cover(at(tc.from), at(tc.to), tc.res...)); got != tc.want {
			t.Errorf("cover %s..%s %v:\n got %s\nwant %s", tc.from, tc.to, tc.res, got, tc.want)
		}
	}
}

// TestOverviewFromRollups: over windows longer than the threshold the overview comes from
// rollups; counts, tokens and cost must equal those computed from every call, and
// percentiles must be within the histogram's 1/32.
func TestOverviewFromRollups(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	err := storegen.Generate(storegen.Options{Seed: 3, Start: base, Period: 10 * day, Traces: 6000, Users: 40, Sessions: 300}, 500,
		func(td ptrace.Traces) error { return s.WriteTraces(ctx, td) })
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		from, to   time.Time
		step       time.Duration
		sameSeries bool // window and step aligned to the series resolution
	}{
		{"aligned hours", base, base.Add(48 * time.Hour), time.Hour, true},
		{"aligned minutes", base.Add(-30 * time.Minute), base.Add(5 * time.Hour), 15 * time.Minute, true},
		{"unaligned, default step", base.Add(17*time.Minute + 13*time.Second), base.Add(50*time.Hour + 7*time.Minute), 0, false},
		{"unaligned, minute series", base.Add(3*time.Hour + 59*time.Second), base.Add(40*time.Hour + 1234*time.Millisecond), 20 * time.Minute, false},
		{"a week and more, unaligned", base.Add(7*time.Hour + 3*time.Minute), base.Add(9*day + 5*time.Hour), 0, false},
		{"whole data set", base.Add(-day), base.Add(11 * day), 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Overview(ctx, Window{From: tc.from, To: tc.to}, tc.step)
			if err != nil {
				t.Fatal(err)
			}
			want := Overview{}
			step := tc.step
			if step == 0 {
				step = tc.to.Sub(tc.from) / 60
			}
			if err := s.overviewFromSpans(ctx, &want, tc.from.UnixNano(), tc.to.UnixNano(), step); err != nil {
				t.Fatal(err)
			}
			if want.Requests < 100 {
				t.Fatalf("only %d calls in the window: the test data does not cover it", want.Requests)
			}
			sameTotals(t, "totals", got.Totals, want.Totals)
			if len(got.Series) != len(want.Series) {
				t.Fatalf("%d series buckets, want %d", len(got.Series), len(want.Series))
			}
			var sum int64
			for i := range got.Series {
				sum += got.Series[i].Requests
				if tc.sameSeries {
					sameTotals(t, fmt.Sprint("bucket ", i), got.Series[i].Totals, want.Series[i].Totals)
				}
			}
			if sum != want.Requests {
				t.Errorf("series sums to %d requests, want %d", sum, want.Requests)
			}
			for _, g := range []struct {
				name      string
				got, want []Group
			}{{"model", got.ByModel, want.ByModel}, {"provider", got.ByProvider, want.ByProvider},
				{"service", got.ByService, want.ByService}, {"user", got.ByUser, want.ByUser}} {
				if len(g.got) != len(g.want) {
					t.Errorf("by %s: %d groups, want %d", g.name, len(g.got), len(g.want))
					continue
				}
				for i := range g.got {
					if g.got[i].Key != g.want[i].Key {
						t.Errorf("by %s #%d: %q, want %q", g.name, i, g.got[i].Key, g.want[i].Key)
					}
					sameTotals(t, "by "+g.name+" "+g.got[i].Key, g.got[i].Totals, g.want[i].Totals)
				}
			}
		})
	}
}

func sameTotals(t *testing.T, what string, got, want Totals) {
	t.Helper()
	if got.Requests != want.Requests || got.Errors != want.Errors || got.InputTokens != want.InputTokens ||
		got.OutputTokens != want.OutputTokens || math.Abs(got.Cost-want.Cost) > 1e-9*math.Max(1, want.Cost) {
		t.Errorf("%s: %+v, want %+v", what, got, want)
		return
	}
	for _, q := range [][2]float64{{got.Latency.P50, want.Latency.P50}, {got.Latency.P95, want.Latency.P95}, {got.Latency.P99, want.Latency.P99}} {
		if math.Abs(q[0]-q[1]) > q[1]/32+0.001 {
			t.Errorf("%s: latency %+v, want %+v within 1/32", what, got.Latency, want.Latency)
			return
		}
	}
}

// TestMigrationBuildsRollups: a database written by schema 2 gets rollups of the calls it
// already holds, so long windows show them right after the upgrade.
func TestMigrationBuildsRollups(t *testing.T) {
	db, path := databaseAt(t, 2)
	ctx := context.Background()
	insert := func(id, op, model, user string, start time.Time, dur time.Duration, isErr int, cost float64) {
		t.Helper()
		_, err := db.Exec(`INSERT INTO spans (trace_id, span_id, parent_span_id, name, kind, service, resource_id, scope,
			start_ns, end_ns, duration_ns, status_code, status_message, is_error, operation, provider, request_model,
			response_model, model, input_tokens, output_tokens, cost, user_id, conversation_id, error_type, agent_name,
			tool_name, attributes, events) VALUES ('t', ?, '', ?, 3, 'svc', 1, '', ?, ?, ?, 0, '', ?, ?, 'openai', ?, ?, ?,
			10, 5, ?, ?, '', '', '', '', '{}', '[]')`,
			id, op, start.UnixNano(), start.Add(dur).UnixNano(), int64(dur), isErr, op, model, model, model, cost, user)
		if err != nil {
			t.Fatal(err)
		}
	}
	insert("a", "invoke_agent", "", "u1", base, 3*time.Second, 0, 0)
	insert("b", "chat", "gpt-4o", "u1", base.Add(time.Second), 800*time.Millisecond, 0, 0.5)
	insert("c", "chat", "gpt-4o", "u2", base.Add(26*time.Hour), 1200*time.Millisecond, 1, 0.25)
	insert("d", "embeddings", "text-embedding-3-small", "u2", base.Add(50*time.Hour), 50*time.Millisecond, 0, 0.01)
	s := openMigrated(t, db, path)
	o, err := s.Overview(ctx, Window{From: base.Add(-time.Hour), To: base.Add(3 * day)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if o.Requests != 3 || o.Errors != 1 || o.InputTokens != 30 || !near(o.Cost, 0.76) {
		t.Errorf("after migration: %+v", o.Totals)
	}
	if len(o.ByModel) != 2 || o.ByModel[0].Key != "gpt-4o" || o.ByModel[0].Requests != 2 || len(o.ByUser) != 2 {
		t.Errorf("by model %+v, by user %+v", o.ByModel, o.ByUser)
	}
	if p99 := o.Latency.P99; math.Abs(p99-1200) > 1200.0/32 {
		t.Errorf("p99 %v ms, want 1200 within 1/32", p99)
	}
}
