package proxy

import (
	"runtime"
	"sync"
)

const (
	// spanQueueSize bounds the calls waiting to be described: about a second of a
	// busy application's calls. Each holds its captured bodies.
	spanQueueSize = 1024
	// maxBatch bounds the calls turned into one ptrace.Traces.
	maxBatch = 128
)

// spanQueue hands finished calls to span builders running on their own goroutines,
// started with the first call. There is one builder per two CPUs (at least one), and
// each yields the CPU after every call it describes: the goroutines relaying requests
// must never wait behind a batch of span building.
type spanQueue struct {
	// emit describes a batch, calling yield after each call.
	emit func(batch []*record, yield func())
	// size is the capacity of the queue.
	size int

	start   sync.Once
	mu      sync.RWMutex // guards closed against push
	closed  bool
	records chan *record
	workers sync.WaitGroup
}

// push queues rec without ever blocking; it reports false when the queue is full or
// closed, and the caller then owns rec.
func (q *spanQueue) push(rec *record) bool {
	q.start.Do(q.run)
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return false
	}
	select {
	case q.records <- rec:
		return true
	default:
		return false
	}
}

func (q *spanQueue) run() {
	q.records = make(chan *record, q.size)
	for range max(1, runtime.GOMAXPROCS(0)/2) {
		q.workers.Go(q.work)
	}
}

// work builds spans from what is queued, in batches of what has piled up.
func (q *spanQueue) work() {
	batch := make([]*record, 0, maxBatch)
	for rec := range q.records {
		batch = append(batch[:0], rec)
	more:
		for len(batch) < maxBatch {
			select {
			case rec, ok := <-q.records:
				if !ok {
					break more
				}
				batch = append(batch, rec)
			default:
				break more
			}
		}
		q.emit(batch, runtime.Gosched)
		clear(batch)
	}
}

// close stops accepting calls and waits until those queued have been emitted.
func (q *spanQueue) close() {
	q.start.Do(func() {}) // never started: nothing to wait for
	q.mu.Lock()
	if !q.closed && q.records != nil {
		close(q.records)
	}
	q.closed = true
	q.mu.Unlock()
	q.workers.Wait()
}
