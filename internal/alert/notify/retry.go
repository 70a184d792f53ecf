package notify

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"
)

// Backoff is an exponential backoff with jitter; the context deadline (the route's
// group_interval, as in Alertmanager) bounds the whole delivery.
type Backoff struct {
	Initial    time.Duration `mapstructure:"initial_interval"`
	Max        time.Duration `mapstructure:"max_interval"`
	Multiplier float64       `mapstructure:"multiplier"`
}

// DefaultBackoff matches the backoff library Alertmanager uses: 500 ms × 1.5 up to 60 s.
func DefaultBackoff() Backoff {
	return Backoff{Initial: 500 * time.Millisecond, Max: time.Minute, Multiplier: 1.5}
}

// Limiter is a token bucket: Rate notifications per second with bursts of Burst.
type Limiter struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

// NewLimiter returns nil (no limit) when rate <= 0.
func NewLimiter(rate float64, burst int) *Limiter {
	if rate <= 0 {
		return nil
	}
	b := float64(max(burst, 1))
	return &Limiter{rate: rate, burst: b, tokens: b}
}

// Wait blocks until a token is available or ctx ends.
func (l *Limiter) Wait(ctx context.Context) error {
	if l == nil {
		return nil
	}
	for {
		l.mu.Lock()
		now := time.Now()
		if !l.last.IsZero() {
			l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
		}
		l.last = now
		if l.tokens >= 1 {
			l.tokens--
			l.mu.Unlock()
			return nil
		}
		wait := time.Duration((1 - l.tokens) / l.rate * float64(time.Second))
		l.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Deliver sends d through n, retrying retryable failures with backoff (at least the
// receiver's Retry-After) until success, a permanent failure or the end of ctx. It
// returns the number of attempts and the last error.
func Deliver(ctx context.Context, n Notifier, d *Data, b Backoff, l *Limiter) (int, error) {
	wait := b.Initial
	for attempt := 1; ; attempt++ {
		if err := l.Wait(ctx); err != nil {
			return attempt - 1, err
		}
		retry, err := n.Notify(ctx, d)
		if err == nil {
			return attempt, nil
		}
		if !retry {
			return attempt, &PermanentError{err}
		}
		pause := time.Duration(float64(wait) * (0.5 + rand.Float64())) // ±50% jitter
		var se *StatusError
		if errors.As(err, &se) && se.RetryAfter > pause {
			pause = se.RetryAfter
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return attempt, err
		case <-t.C:
		}
		wait = min(time.Duration(float64(wait)*b.Multiplier), b.Max)
	}
}

// PermanentError is a failure that retrying cannot fix (4xx, bad payload, bad address).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }
