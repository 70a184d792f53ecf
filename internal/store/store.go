// Package store is otelcol-llm's embedded database: GenAI traces, logs and metrics in a
// pure-Go SQLite file (no cgo), with retention per signal, a shorter retention for message
// content, a size cap, and the queries behind the API, the web UI and llmctl.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// ErrNewerSchema is returned by Open for a file written by a newer otelcol-llm.
var ErrNewerSchema = errors.New("database schema is newer than this build")

// Options configure a Store.
type Options struct {
	// Path of the database file; its directory is created if missing.
	Path string
	// Policy is the retention policy that Enforce applies.
	Policy Policy
	// Now is the clock; nil means time.Now. Tests use a fake one.
	Now func() time.Time
}

// Store is an open database. It is safe for concurrent use: writes are serialised on one
// connection, reads run in parallel on others (WAL lets readers proceed during a write).
type Store struct {
	path   string
	policy Policy
	now    func() time.Time
	w      *sql.DB
	r      *sql.DB
	wc     *writeConn // writeconn.go

	// ckpt copies the write-ahead log into the database file on its own connection, so
	// that writes do not pay for it (checkpoint.go).
	ckpt     *sql.DB
	stopCkpt func()

	// resources caches resource attribute JSON → id; guarded by the single writer.
	resMu     sync.Mutex
	resources map[string]int64
}

// Open opens or creates the database at opts.Path, migrating an older schema. A file
// from a newer build, a file that is not SQLite, or a file another process holds locked
// is refused with an error that says what to do; the file is never modified then.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Path == "" {
		return nil, errors.New("store: path is empty")
	}
	if dir := filepath.Dir(opts.Path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: creating directory for %s: %w", opts.Path, err)
		}
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s := &Store{path: opts.Path, policy: opts.Policy, now: now, resources: map[string]int64{}}
	var err error
	if s.w, err = openDB(opts.Path, false); err != nil {
		return nil, err
	}
	s.w.SetMaxOpenConns(1)
	if err := s.migrate(ctx); err != nil {
		s.w.Close()
		return nil, err
	}
	if s.r, err = openDB(opts.Path, true); err != nil {
		s.w.Close()
		return nil, err
	}
	s.r.SetMaxOpenConns(4)
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: preparing statements on %s: %w", opts.Path, err)
	}
	if err := s.startCheckpoints(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func openDB(path string, readOnly bool) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// 16 MiB of page cache per connection. Reads mostly go through the memory map below;
	// a larger cache (64 MiB was tried) cost more to manage than it saved, on ingest into
	// a store of 1M spans with random trace ids as on the dashboard's queries
	// (docs/benchmarks.md).
	q.Add("_pragma", "cache_size(-16384)")
	// Pages in the first 256 MiB of the file are read through a memory map: no system call
	// and no copy per page read.
	q.Add("_pragma", "mmap_size(268435456)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		// Take the write lock at BEGIN, where SQLite waits busy_timeout for it; a deferred
		// transaction that upgrades later may fail at once instead.
		q.Set("_txlock", "immediate")
		// The checkpointer keeps the log short; a commit checkpoints only if it falls
		// behind (16,384 pages of log, 256 MiB in a store made with 16 KiB pages, instead
		// of SQLite's 1,000).
		q.Add("_pragma", "wal_autocheckpoint(16384)")
		// A statement of many rows keeps the pages it changes in a statement journal, to
		// undo it alone if it fails; in memory, not in a temporary file (rows.go).
		q.Add("_pragma", "temp_store(MEMORY)")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	return db, nil
}

// pageSize is the page size of the files this build makes.
const pageSize = 16384

// migrate brings the file to SchemaVersion, each step in its own transaction.
func (s *Store) migrate(ctx context.Context) error {
	var version int
	if err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return s.describe("reading schema version", err)
	}
	if version > SchemaVersion {
		return fmt.Errorf("store: %s has schema version %d but this build supports up to %d: %w; "+
			"run a newer otelcol-llm, or set path to another file", s.path, version, SchemaVersion, ErrNewerSchema)
	}
	if version == 0 {
		// Must precede the first table, and WAL. A span's content is typically 1–3 KiB: in
		// pages of 4 KiB one fits, and a third of the page stays empty; in pages of 16 KiB
		// they pack, and a commit writes a quarter of the log frames. Files made with 4 KiB
		// pages keep them.
		if _, err := s.w.ExecContext(ctx, fmt.Sprintf("PRAGMA page_size = %d", pageSize)); err != nil {
			return s.describe("setting page_size", err)
		}
		// Must precede the first table: lets eviction give space back to the file system.
		if _, err := s.w.ExecContext(ctx, "PRAGMA auto_vacuum = INCREMENTAL"); err != nil {
			return s.describe("setting auto_vacuum", err)
		}
	}
	if _, err := s.w.ExecContext(ctx, "PRAGMA journal_mode = WAL"); err != nil {
		return s.describe("enabling WAL", err)
	}
	return migrateTo(ctx, s.w, version, SchemaVersion, s.describe)
}

// migrateTo applies migrations from version from up to version to.
func migrateTo(ctx context.Context, db *sql.DB, from, to int, describe func(string, error) error) error {
	for v := from; v < to; v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return describe("starting migration", err)
		}
		m := migrations[v]
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return describe(fmt.Sprintf("migrating schema %d → %d", v, v+1), err)
		}
		if m.fill != nil {
			if err := m.fill(ctx, tx); err != nil {
				tx.Rollback()
				return describe(fmt.Sprintf("migrating schema %d → %d", v, v+1), err)
			}
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			tx.Rollback()
			return describe("recording schema version", err)
		}
		if err := tx.Commit(); err != nil {
			return describe(fmt.Sprintf("committing schema %d", v+1), err)
		}
	}
	return nil
}

// describe turns SQLite's terse errors about the file itself into ones that say what to do.
func (s *Store) describe(what string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "file is not a database"), strings.Contains(msg, "malformed"):
		return fmt.Errorf("store: %s: %s is not a valid llmstore database (%w); move it aside to start a new store", what, s.path, err)
	case strings.Contains(msg, "database is locked"), strings.Contains(msg, "SQLITE_BUSY"):
		return fmt.Errorf("store: %s: %s is locked by another process (%w); stop the other collector or use another path", what, s.path, err)
	case strings.Contains(msg, "disk is full"), strings.Contains(msg, "SQLITE_FULL"):
		return fmt.Errorf("store: %s: disk full at %s (%w); free space or lower max_size_mib", what, s.path, err)
	}
	return fmt.Errorf("store: %s on %s: %w", what, s.path, err)
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close releases the database; pending writes have committed or failed before.
func (s *Store) Close() error {
	if s.stopCkpt != nil {
		s.stopCkpt()
	}
	var errs []error
	if s.ckpt != nil {
		errs = append(errs, s.ckpt.Close())
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		s.closeWriteConn()
		_, _ = s.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}
