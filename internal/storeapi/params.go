package storeapi

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/store"
)

// paramError is a bad query parameter: the API answers 400 with its text.
type paramError struct{ name, value, want string }

func (e *paramError) Error() string {
	return fmt.Sprintf("query parameter %s=%q: %s", e.name, e.value, e.want)
}

// params reads query parameters, keeping the first error.
type params struct {
	q   url.Values
	now time.Time
	err error
}

func (p *params) fail(name, want string) {
	if p.err == nil {
		p.err = &paramError{name: name, value: p.q.Get(name), want: want}
	}
}

func (p *params) str(name string) string { return strings.TrimSpace(p.q.Get(name)) }

// duration accepts Go durations plus a "d" suffix for days ("7d", "1.5d").
func (p *params) duration(name string, def time.Duration) time.Duration {
	v := p.str(name)
	if v == "" {
		return def
	}
	d, err := ParseDuration(v)
	if err != nil || d <= 0 {
		p.fail(name, `want a positive duration such as "15m", "24h" or "7d"`)
		return def
	}
	return d
}

// ParseDuration parses a Go duration or a number of days ("7d").
func ParseDuration(v string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(v, "d"); ok {
		f, err := strconv.ParseFloat(days, 64)
		if err != nil {
			return 0, err
		}
		return time.Duration(f * float64(24*time.Hour)), nil
	}
	return time.ParseDuration(v)
}

// FormatDuration writes whole days as "30d", anything else as Go does.
func FormatDuration(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	}
	return d.String()
}

// timestamp accepts RFC 3339 or Unix milliseconds.
func (p *params) timestamp(name string, def time.Time) time.Time {
	v := p.str(name)
	if v == "" {
		return def
	}
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC()
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		p.fail(name, "want an RFC 3339 time (2026-03-01T12:00:00Z) or Unix milliseconds")
		return def
	}
	return t
}

// earliest and latest bound the times the store keeps: nanoseconds since 1970 in 64 bits.
var earliest, latest = time.Unix(0, 0).UTC(), time.Unix(0, math.MaxInt64).UTC()

// window reads from/to, or window (a duration ending at to, default now); default 1h.
func (p *params) window(def time.Duration) store.Window {
	to := p.timestamp("to", p.now)
	from := p.timestamp("from", to.Add(-p.duration("window", def)))
	if p.str("from") != "" && p.str("window") != "" {
		p.fail("window", "give either from or window, not both")
	}
	const inRange = "want a time from 1970-01-01 to 2262-04-11"
	switch {
	case to.Before(earliest) || to.After(latest):
		p.fail("to", inRange)
	case from.Before(earliest) || from.After(latest):
		if p.str("from") == "" {
			p.fail("window", "reaches back before 1970-01-01: want a shorter window")
		} else {
			p.fail("from", inRange)
		}
	case !from.Before(to):
		p.fail("from", "must be before to")
	}
	return store.Window{From: from, To: to}
}

func (p *params) boolean(name string) bool {
	v := p.str(name)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(name, "want true or false")
	}
	return b
}

func (p *params) limit(def, maxLimit int) int {
	v := p.str("limit")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxLimit {
		p.fail("limit", fmt.Sprintf("want a whole number from 1 to %d", maxLimit))
		return def
	}
	return n
}

func (p *params) oneOf(name string, allowed ...string) string {
	v := p.str(name)
	if v == "" {
		return ""
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.fail(name, "want one of "+strings.Join(allowed, ", "))
	return ""
}

// stepFor rejects steps that would make more than maxBuckets buckets.
func (p *params) step(w store.Window) time.Duration {
	step := p.duration("step", 0)
	const maxBuckets = 2000
	if step > 0 && w.To.Sub(w.From)/step > maxBuckets {
		p.fail("step", fmt.Sprintf("too small for the window: at most %d steps", maxBuckets))
	}
	return step
}

// score reads an evaluation score threshold: above 0, at most 1.
func (p *params) score(name string) float64 {
	v := p.str(name)
	if v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0 && f <= 1) {
		p.fail(name, "want a score above 0 and at most 1, such as 0.5")
		return 0
	}
	return f
}
