package store

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestHistogramRelativeError: a percentile read from the histogram is within 1/32 of the
// exact nearest-rank value (plus the microsecond the buckets are counted in), at every
// scale from microseconds to hours: the bound docs/benchmarks.md and the API promise.
func TestHistogramRelativeError(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, scale := range []time.Duration{time.Microsecond, time.Millisecond, time.Second, time.Hour} {
		var h histogram
		var durations []int64
		for range 5000 {
			d := int64(r.ExpFloat64() * float64(100*scale))
			durations = append(durations, d)
			h.add(d)
		}
		slices.Sort(durations)
		for _, q := range []float64{0.5, 0.95, 0.99, 1} {
			exact := quantileMs(durations, q)
			got := h.quantileMs(q)
			if math.Abs(got-exact) > exact/32+0.001 {
				t.Errorf("scale %s q%.2f: histogram %.6f ms, exact %.6f ms (error %.2f%%)", scale, q, got, exact, 100*math.Abs(got-exact)/exact)
			}
		}
	}
}

func TestBucketsAreContiguous(t *testing.T) {
	// Every microsecond value falls in a bucket whose midpoint is within 1/32 of it, and
	// bucket indexes never decrease as the value grows.
	prev := 0
	for us := int64(0); us < 1<<22; us += 1 + us/97 {
		i := bucketOf(us * 1000)
		if i < prev || i >= histBuckets {
			t.Fatalf("%d µs: bucket %d after %d", us, i, prev)
		}
		prev = i
		if mid := bucketMidNs(i) / 1000; math.Abs(mid-float64(us)) > float64(us)/32+0.5 {
			t.Fatalf("%d µs: bucket %d midpoint %.1f µs", us, i, mid)
		}
	}
	if i := bucketOf(math.MaxInt64); i >= histBuckets {
		t.Errorf("largest duration in bucket %d of %d", i, histBuckets)
	}
	if i := bucketOf(-5); i != 0 {
		t.Errorf("negative duration in bucket %d", i)
	}
}

func TestHistogramEncodingAndMerge(t *testing.T) {
	var a, b, both histogram
	for i, d := range []int64{0, 999, 1500, 1500, 250e6, 250e6, 7e9, 3600e9} {
		both.add(d)
		if i%2 == 0 {
			a.add(d)
		} else {
			b.add(d)
		}
	}
	merged, err := mergeEncoded(a.appendEncoded(nil), b.appendEncoded(nil))
	if err != nil {
		t.Fatal(err)
	}
	if string(merged) != string(both.appendEncoded(nil)) {
		t.Errorf("merged %x, want %x", merged, both.appendEncoded(nil))
	}
	var back histogram
	if err := back.merge(merged); err != nil || !slices.Equal(back.counts, both.counts) || back.n != 8 {
		t.Errorf("decoded %v n=%d err=%v", back.counts, back.n, err)
	}
	if m, err := mergeEncoded(nil, merged); err != nil || string(m) != string(merged) {
		t.Errorf("merge with empty: %x %v", m, err)
	}
	for _, bad := range [][]byte{{0x00, 0x01}, {0x80}, {0x05}, {0xff, 0x07, 0x01}} {
		if _, err := mergeEncoded(bad, nil); err == nil {
			t.Errorf("malformed %x accepted", bad)
		}
		var h histogram
		if err := h.merge(bad); err == nil {
			t.Errorf("malformed %x decoded", bad)
		}
	}
}

// FuzzHistogramDecode: a damaged latency blob (the file is on a user's disk) is an error,
// never a panic, and a blob that decodes merges to the same counts both ways.
func FuzzHistogramDecode(f *testing.F) {
	var h histogram
	for _, d := range []int64{0, 1500, 250e6, 7e9} {
		h.add(d)
	}
	f.Add(h.appendEncoded(nil), []byte{})
	f.Add([]byte{0x01, 0x02}, []byte{0xff, 0x07, 0x01})
	f.Add([]byte{0x80}, []byte{0x10, 0x01, 0x05, 0x01})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		m, err := mergeEncoded(a, b)
		var ha, hb histogram
		errA, errB := ha.merge(a), hb.merge(b)
		if (err == nil) != (errA == nil && errB == nil) {
			t.Fatalf("merge error %v, decode errors %v %v", err, errA, errB)
		}
		if err != nil {
			return
		}
		var hm histogram
		if err := hm.merge(m); err != nil || hm.n != ha.n+hb.n {
			t.Fatalf("merged %d values (%v), want %d", hm.n, err, ha.n+hb.n)
		}
	})
}
