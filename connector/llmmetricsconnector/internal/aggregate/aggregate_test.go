package aggregate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestKeyRoundTrip(t *testing.T) {
	schema := Schema{{Name: "a"}, {Name: "port", Int: true}, {Name: "b"}, {Name: "absent_port", Int: true}, {Name: "empty"}}
	var k Key
	k.Str("x\x00y") // separators inside values must not confuse decoding
	k.Int(-443, true)
	k.Str(string(make([]byte, 300))) // a length over one varint byte
	k.Int(0, false)
	k.Str("")
	got := pcommon.NewMap()
	schema.Decode(string(k.Bytes()), got)
	assert.Equal(t, map[string]any{"a": "x\x00y", "port": int64(-443), "b": string(make([]byte, 300))}, got.AsRaw())

	// Values that concatenate to the same bytes are different keys.
	var k1, k2 Key
	k1.Str("ab")
	k1.Str("c")
	k2.Str("a")
	k2.Str("bc")
	assert.NotEqual(t, string(k1.Bytes()), string(k2.Bytes()))
}

func TestHistogramBuckets(t *testing.T) {
	bounds := []float64{1, 2, 4}
	var h Histogram
	for _, v := range []float64{0, 1, 1.5, 2, 4, 4.01, 100} {
		h.Observe(bounds, v, nil, 0)
	}
	// Buckets are (-inf,1], (1,2], (2,4], (4,+inf): a value equal to a bound belongs to it.
	assert.Equal(t, []uint64{2, 2, 1, 2}, h.Counts)
	assert.Equal(t, uint64(7), h.Count)
	assert.InDelta(t, 112.51, h.Total, 1e-9)
	assert.Equal(t, 0.0, h.Min)
	assert.Equal(t, 100.0, h.Max)
	h.Reset()
	assert.Equal(t, []uint64{0, 0, 0, 0}, h.Counts)
	assert.Zero(t, h.Count)
}

func TestExemplarsKeepFirstMax(t *testing.T) {
	var s Sum
	for i := range 5 {
		s.Add(1, &Sample{SpanID: pcommon.SpanID{byte(i)}}, 2)
	}
	assert.Len(t, s.exemplars, 2)
	assert.Equal(t, pcommon.SpanID{0}, s.exemplars[0].SpanID)
	s.ClearExemplars()
	assert.Empty(t, s.exemplars)
	assert.Equal(t, 5.0, s.Value)
}

func TestTableLimitOverflowAndExpiry(t *testing.T) {
	tbl := NewTable[int](2)
	get := func(key string, now pcommon.Timestamp) (*Series[int], bool) { return tbl.Get([]byte(key), now) }
	a, of := get("a", 1)
	assert.False(t, of)
	_, of = get("b", 2)
	assert.False(t, of)
	o, of := get("c", 3)
	assert.True(t, of)
	assert.True(t, o.Overflow())
	again, of := get("a", 4)
	assert.False(t, of, "known series keep their place at the limit")
	assert.Same(t, a, again)
	assert.Equal(t, 3, tbl.Len())

	epoch := tbl.Epoch()
	assert.Equal(t, 2, tbl.Expire(4), "b (seen at 2) and the overflow series (3) expire; a was seen at 4")
	assert.NotEqual(t, epoch, tbl.Epoch())
	assert.Equal(t, 1, tbl.Len())
	_, of = get("c", 5)
	assert.False(t, of, "expiry frees room under the limit")
	epoch = tbl.Epoch()
	assert.Zero(t, tbl.Expire(1))
	assert.Equal(t, epoch, tbl.Epoch(), "nothing removed, cached pointers stay valid")
}
