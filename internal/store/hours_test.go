package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
)

func TestHoursIn(t *testing.T) {
	h := int64(time.Hour)
	at := base.UnixNano() // on the hour
	first := at / h
	for _, c := range []struct {
		name     string
		from, to int64
		want     string
	}{
		{"one hour", at, at + h, "t.start_ns / 3600000000000 IN (" + itoa(first) + ")"},
		{"into the next", at + h/2, at + h + 1, "t.start_ns / 3600000000000 IN (" + itoa(first) + "," + itoa(first+1) + ")"},
		{"a minute", at + 5*int64(time.Minute), at + 6*int64(time.Minute), "t.start_ns / 3600000000000 IN (" + itoa(first) + ")"},
		{"empty", at, at, "1"},
		{"longer than a year", at, at + 367*24*h, "1"},
	} {
		if got := hoursIn("t", c.from, c.to); got != c.want {
			t.Errorf("%s: hoursIn = %q, want %q", c.name, got, c.want)
		}
	}
	if got := hoursIn("t", at, at+30*24*h); strings.Count(got, ",") != 30*24-1 {
		t.Errorf("30 days name %d hours", strings.Count(got, ",")+1)
	}
}

// TestHourIndexesUsed: the queries for a user's or a conversation's traces look them up
// in the hour-first indexes (migration 6), not by reading the window's traces in time
// order; an index expression written differently from hourKey would silently lose them.
func TestHourIndexesUsed(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	if err := s.WriteTraces(ctx, storegen.Fixture(base)); err != nil {
		t.Fatal(err)
	}
	day := hour.To.Add(-24 * time.Hour).UnixNano()
	for index, q := range map[string]string{
		"traces_user": "SELECT " + traceColumns + " FROM traces t WHERE t.start_ns >= ? AND t.start_ns < ? AND t.user_id = 'alice' AND " +
			hoursIn("t", day, hour.To.UnixNano()) + " ORDER BY t.start_ns DESC LIMIT 50",
		"traces_conversation": "SELECT count(*) FROM traces WHERE conversation_id = 'sess-alice' AND " + hoursIn("", day, hour.To.UnixNano()),
	} {
		var plan strings.Builder
		rows, err := s.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, day, hour.To.UnixNano())
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan.WriteString(detail + "\n")
		}
		rows.Close()
		if !strings.Contains(plan.String(), "INDEX "+index+" (<expr>=?") {
			t.Errorf("%s: plan\n%s\ndoes not look hours up in %s", q, plan.String(), index)
		}
	}
	// And they find what they found before.
	ts, err := s.Traces(ctx, TraceFilter{Window: hour, User: "alice"})
	if err != nil || len(ts) == 0 {
		t.Errorf("traces of alice: %+v %v", ts, err)
	}
	ss, err := s.Sessions(ctx, SessionFilter{Window: hour, User: "alice"})
	if err != nil || len(ss) != 1 || ss[0].ID != "sess-alice" {
		t.Errorf("sessions of alice: %+v %v", ss, err)
	}
	d, err := s.Session(ctx, "sess-alice")
	if err != nil || d.Traces == 0 || len(d.Transcript) == 0 {
		t.Errorf("session: %+v %v", d, err)
	}
}
