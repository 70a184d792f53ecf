// Package calljoin remembers the dimensions of recent GenAI calls by span ID, so that
// evaluations that arrive apart from their call — user feedback sent minutes later, model-
// graded results, evaluation log records — are counted under the call's model, provider,
// operation and service, the dimensions every other LLM metric has.
package calljoin

import (
	"strings"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Dims are the dimensions of one call.
type Dims struct {
	Operation, Provider, Model, Service string
}

// Index is a fixed-size, first-in-first-out map from span ID to Dims: memory stays bounded
// however many calls pass, and the oldest call is forgotten first. Distinct Dims are
// interned, so an entry costs a span ID and an index, and remembered strings never pin the
// pdata buffers they were read from. Safe for concurrent use.
type Index struct {
	mu      sync.Mutex
	byID    map[pcommon.SpanID]uint32
	ring    []pcommon.SpanID
	next    int
	full    bool
	dims    []Dims
	dimsIdx map[Dims]uint32
	// last is the most recently remembered Dims: calls of one batch mostly share them.
	last    uint32
	hasLast bool
}

// maxDistinctDims bounds the intern table; past it, the table starts over (entries that
// point into the old table are dropped with it).
const maxDistinctDims = 1 << 16

// New returns an Index that remembers the last capacity calls.
func New(capacity int) *Index {
	return &Index{
		byID:    make(map[pcommon.SpanID]uint32, capacity),
		ring:    make([]pcommon.SpanID, capacity),
		dimsIdx: map[Dims]uint32{},
	}
}

// Remember records a call's dimensions.
func (x *Index) Remember(id pcommon.SpanID, d Dims) {
	if id.IsEmpty() || len(x.ring) == 0 {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	var di uint32
	ok := x.hasLast && x.dims[x.last] == d
	if ok {
		di = x.last
	} else {
		di, ok = x.dimsIdx[d]
	}
	if !ok {
		if len(x.dims) == maxDistinctDims {
			x.resetLocked()
		}
		// Copies, so that the index does not keep a batch's memory alive.
		d = Dims{Operation: strings.Clone(d.Operation), Provider: strings.Clone(d.Provider),
			Model: strings.Clone(d.Model), Service: strings.Clone(d.Service)}
		di = uint32(len(x.dims))
		x.dims = append(x.dims, d)
		x.dimsIdx[d] = di
	}
	x.last, x.hasLast = di, true
	if _, present := x.byID[id]; !present {
		if x.full {
			delete(x.byID, x.ring[x.next])
		}
		x.ring[x.next] = id
		x.next++
		if x.next == len(x.ring) {
			x.next, x.full = 0, true
		}
	}
	x.byID[id] = di
}

// Lookup returns the dimensions of a remembered call.
func (x *Index) Lookup(id pcommon.SpanID) (Dims, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	di, ok := x.byID[id]
	if !ok {
		return Dims{}, false
	}
	return x.dims[di], true
}

// Len is the number of calls remembered.
func (x *Index) Len() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return len(x.byID)
}

func (x *Index) resetLocked() {
	clear(x.byID)
	clear(x.dimsIdx)
	x.dims = x.dims[:0]
	x.next, x.full, x.hasLast = 0, false, false
}
