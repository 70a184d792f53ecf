package store

import (
	"context"
	"sync"
	"time"
)

// checkpointInterval is how often the log is copied into the database file. At the
// ingest rates of docs/benchmarks.md that keeps the log to a few tens of MiB.
const checkpointInterval = 500 * time.Millisecond

// startCheckpoints runs passive checkpoints on a connection of their own. SQLite would
// otherwise run them inside the commit that crosses the log size limit, on the single
// writer: with them off the write path, a second core copies pages while the writer
// writes. A passive checkpoint never blocks the writer or readers.
func (s *Store) startCheckpoints() error {
	db, err := openDB(s.path, false)
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	s.ckpt = db
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(checkpointInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				// A failed checkpoint leaves the log longer; the next one or a commit
				// past the autocheckpoint limit catches up.
				_, _ = db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
			}
		}
	}()
	s.stopCkpt = func() { cancel(); wg.Wait() }
	return nil
}
