package aggregate

import "go.opentelemetry.io/collector/pdata/pcommon"

// Series is one attribute set of a metric family and its instruments.
type Series[S any] struct {
	// Key is the encoded attribute set; "" for the overflow series.
	Key   string
	Value S
	// Start is when the series was created: the start time of cumulative points.
	Start pcommon.Timestamp
	// Updated reports an observation since the last flush.
	Updated  bool
	lastSeen pcommon.Timestamp
}

// Overflow reports whether this is the series that carries points over the limit.
func (s *Series[S]) Overflow() bool { return s.Key == "" }

// Table is the set of series of one metric family. It holds at most limit series plus one
// overflow series, and forgets series that have been idle, so its memory is bounded
// however many distinct attribute sets the input has.
type Table[S any] struct {
	limit    int
	series   map[string]*Series[S]
	overflow *Series[S]
	// epoch changes whenever a series is removed, invalidating pointers held by callers.
	epoch uint64
}

// NewTable returns a table that holds at most limit series besides the overflow series.
func NewTable[S any](limit int) *Table[S] {
	return &Table[S]{limit: limit, series: make(map[string]*Series[S])}
}

// Get returns the series for key, creating it if there is room, or else the overflow
// series (overflowed is then true).
func (t *Table[S]) Get(key []byte, now pcommon.Timestamp) (s *Series[S], overflowed bool) {
	s, ok := t.series[string(key)]
	if !ok {
		if len(t.series) >= t.limit {
			if t.overflow == nil {
				t.overflow = &Series[S]{Start: now}
			}
			s, overflowed = t.overflow, true
		} else {
			s = &Series[S]{Key: string(key), Start: now}
			t.series[s.Key] = s
		}
	}
	t.Touch(s, now)
	return s, overflowed
}

// Touch marks a series returned by Get as updated at now, for callers that keep the
// pointer while Epoch is unchanged instead of looking the key up again.
func (t *Table[S]) Touch(s *Series[S], now pcommon.Timestamp) {
	s.Updated = true
	s.lastSeen = now
}

// Epoch changes whenever Expire removes a series.
func (t *Table[S]) Epoch() uint64 { return t.epoch }

// Len is the number of series, overflow series included.
func (t *Table[S]) Len() int {
	if t.overflow != nil {
		return len(t.series) + 1
	}
	return len(t.series)
}

// Range calls f for every series, the overflow series last.
func (t *Table[S]) Range(f func(*Series[S])) {
	for _, s := range t.series {
		f(s)
	}
	if t.overflow != nil {
		f(t.overflow)
	}
}

// Expire removes the series not seen since before, and returns how many it removed.
func (t *Table[S]) Expire(before pcommon.Timestamp) int {
	n := 0
	for k, s := range t.series {
		if s.lastSeen < before {
			delete(t.series, k)
			n++
		}
	}
	if t.overflow != nil && t.overflow.lastSeen < before {
		t.overflow = nil
		n++
	}
	if n > 0 {
		t.epoch++
	}
	return n
}
