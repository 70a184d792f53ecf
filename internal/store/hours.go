package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"
)

// hourKey is the expression that leads the user and conversation indexes of traces
// (migration 6): the hour a trace started in. It must be written exactly so in queries
// for SQLite to use those indexes.
const hourKey = "start_ns / 3600000000000"

// maxHoursIn bounds the hours a query names one by one: past a year, it reads the traces
// of the window in time order instead.
const maxHoursIn = 366 * 24

// hoursIn is a condition that names each hour of [from, to) (Unix nanoseconds) of the
// traces table, or of its alias: "t.start_ns / 3600000000000 IN (491672,491673)". With
// an equality on user_id or conversation_id, SQLite then looks up each hour in their
// index. It is "1" (true) for an empty window or one too long to name.
func hoursIn(alias string, from, to int64) string {
	first, last := from/int64(time.Hour), (to-1)/int64(time.Hour)
	if to <= from || last-first >= maxHoursIn {
		return "1"
	}
	var b strings.Builder
	if alias != "" {
		b.WriteString(alias + ".")
	}
	b.WriteString(hourKey + " IN (")
	for h := first; h <= last; h++ {
		if h > first {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(h, 10))
	}
	b.WriteByte(')')
	return b.String()
}

// storedHours is hoursIn over every trace stored: for lookups without a window.
func (s *Store) storedHours(ctx context.Context) (string, error) {
	var first, last sql.NullInt64
	// Two subqueries: min and max together would read the whole index, each alone reads
	// one end of it.
	err := s.r.QueryRowContext(ctx, "SELECT (SELECT min(start_ns) FROM traces), (SELECT max(start_ns) FROM traces)").Scan(&first, &last)
	if err != nil {
		return "", s.describe("reading the stored time range", err)
	}
	if !first.Valid {
		return "1", nil
	}
	return hoursIn("", first.Int64, last.Int64+1), nil
}
