package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// Writes run on the writer's driver connection itself (sql.Conn.Raw), with the write
// statements prepared on it once. A batch executes hundreds of statements, and
// database/sql's per-statement work (locking, converting the arguments into a fresh
// slice) cost about as much as SQLite binding them.

// writeConn is the writer's driver connection and the write statements prepared on it.
// Only a Raw callback on the writer pool's single connection touches it, so the pool
// serialises its use.
type writeConn struct {
	conn  driver.Conn
	stmts [numStmts]driver.Stmt
	// rows[st][n] inserts n rows (rows.go), prepared when first used.
	rows [numRowsStmts][maxRows + 1]driver.Stmt
}

// prepare prepares the write statements on conn, once per connection: SQLite checks
// them against the schema then, so Open reports a statement the schema does not match.
func (s *Store) prepare(ctx context.Context) error {
	c, err := s.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Raw(func(dc any) error { _, err := s.writeConnOf(ctx, dc); return err })
}

func (s *Store) writeConnOf(ctx context.Context, dc any) (*writeConn, error) {
	if s.wc != nil && s.wc.conn == dc {
		return s.wc, nil
	}
	// A new connection (database/sql replaced a broken one): the old statements went
	// with the old connection.
	conn, ok := dc.(interface {
		driver.Conn
		driver.ConnPrepareContext
		driver.ConnBeginTx
	})
	if !ok {
		return nil, fmt.Errorf("driver connection %T cannot prepare or begin with a context", dc)
	}
	wc := &writeConn{conn: conn}
	for i, q := range writeStmts {
		st, err := conn.PrepareContext(ctx, q)
		if err != nil {
			wc.close()
			return nil, err
		}
		wc.stmts[i] = st
	}
	for st := range rowsStmts { // the one-row forms: checked against the schema now
		if _, err := wc.rowsStmt(ctx, rowsStmt(st), 1); err != nil {
			wc.close()
			return nil, err
		}
	}
	s.wc = wc
	return wc, nil
}

// rowsStmt is the statement that inserts n rows with st, prepared on first use.
func (wc *writeConn) rowsStmt(ctx context.Context, st rowsStmt, n int) (driver.Stmt, error) {
	if wc.rows[st][n] == nil {
		p, err := wc.conn.(driver.ConnPrepareContext).PrepareContext(ctx, rowsStmts[st].sql(n))
		if err != nil {
			return nil, err
		}
		wc.rows[st][n] = p
	}
	return wc.rows[st][n], nil
}

func (wc *writeConn) close() {
	for _, st := range wc.stmts {
		if st != nil {
			_ = st.Close()
		}
	}
	for _, sizes := range wc.rows {
		for _, st := range sizes {
			if st != nil {
				_ = st.Close()
			}
		}
	}
}

// closeWriteConn closes the prepared statements before the connection closes.
func (s *Store) closeWriteConn() {
	if s.wc == nil {
		return
	}
	c, err := s.w.Conn(context.Background())
	if err != nil {
		return
	}
	defer c.Close()
	_ = c.Raw(func(dc any) error {
		if s.wc.conn == dc {
			s.wc.close()
		}
		s.wc = nil
		return nil
	})
}

// batch is one write transaction.
type batch struct {
	s   *Store
	ctx context.Context
	// stmtCtx is ctx without its cancellation, for the statements: given a cancellable
	// context, the driver starts a goroutine per statement to interrupt it, which cost
	// more than the insert itself. A statement of a batch is at most maxRows rows, so
	// checking ctx between statements (execStmt) ends a cancelled batch as promptly.
	stmtCtx context.Context
	wc      *writeConn
	buf     []byte
	args    []driver.NamedValue // reused by every statement
}

// errBegin marks a failure to start the transaction.
type errBegin struct{ error }

func (e errBegin) Unwrap() error { return e.error }

// write runs f in one transaction on the writer's connection: committed if f succeeds,
// rolled back otherwise. The resource cache may name rows of a rolled back transaction,
// so it is dropped then.
func (s *Store) write(ctx context.Context, f func(*batch) error) error {
	c, err := s.w.Conn(ctx)
	if err != nil {
		return s.describe("starting a write", err)
	}
	defer c.Close()
	err = c.Raw(func(dc any) error {
		wc, err := s.writeConnOf(ctx, dc)
		if err != nil {
			return errBegin{err}
		}
		tx, err := wc.conn.(driver.ConnBeginTx).BeginTx(ctx, driver.TxOptions{})
		if err != nil {
			return errBegin{err}
		}
		b := &batch{s: s, ctx: ctx, stmtCtx: context.WithoutCancel(ctx), wc: wc, buf: make([]byte, 0, 1024)}
		if err := f(b); err != nil {
			return errors.Join(err, tx.Rollback())
		}
		if err := ctx.Err(); err != nil { // the caller gave up: it will retry, or drop the data
			return errors.Join(err, tx.Rollback())
		}
		return tx.Commit()
	})
	if err == nil {
		return nil
	}
	if errors.As(err, new(errBegin)) {
		return s.describe("starting a write", err)
	}
	s.resMu.Lock()
	clear(s.resources)
	s.resMu.Unlock()
	return s.describe("writing a batch", err)
}

// bind converts args for the driver into b.args. The driver takes int64, float64,
// bool, string, []byte and nil; Go ints are widened, as database/sql would.
func (b *batch) bind(args []any) ([]driver.NamedValue, error) {
	b.args = b.args[:0]
	for i, a := range args {
		switch v := a.(type) {
		case int:
			a = int64(v)
		case int64, float64, bool, string, []byte, nil:
		default:
			var err error
			if a, err = driver.DefaultParameterConverter.ConvertValue(a); err != nil {
				return nil, fmt.Errorf("argument %d: %w", i+1, err)
			}
		}
		b.args = append(b.args, driver.NamedValue{Ordinal: i + 1, Value: a})
	}
	return b.args, nil
}

func (b *batch) exec(st stmt, args ...any) (driver.Result, error) {
	return b.execStmt(b.wc.stmts[st], args)
}

func (b *batch) execStmt(st driver.Stmt, args []any) (driver.Result, error) {
	if err := b.ctx.Err(); err != nil {
		return nil, err
	}
	nv, err := b.bind(args)
	if err != nil {
		return nil, err
	}
	return st.(driver.StmtExecContext).ExecContext(b.stmtCtx, nv)
}

// execRows inserts rows of width arguments each, given one after the other in args, with
// statements of up to maxRows rows (rows.go). stored, if not nil, is told each
// statement's first row, its number of rows and its result.
func (b *batch) execRows(st rowsStmt, width int, args []any, stored func(first, n int, res driver.Result) error) error {
	return b.eachRowsStmt(st, width, args, func(p driver.Stmt, first, n int, args []any) error {
		res, err := b.execStmt(p, args)
		if err != nil || stored == nil {
			return err
		}
		return stored(first, n, res)
	})
}

// eachRowsStmt calls f with the statements that cover the rows in args, width arguments
// each: up to maxRows rows, fewer in a power of two, and each one's rows and arguments.
func (b *batch) eachRowsStmt(st rowsStmt, width int, args []any, f func(p driver.Stmt, first, n int, args []any) error) error {
	rows := len(args) / width
	for first, n := 0, 0; first < rows; first += n {
		n = min(maxRowsOf(st), 1<<(bits.Len(uint(rows-first))-1))
		p, err := b.wc.rowsStmt(b.stmtCtx, st, n)
		if err != nil {
			return err
		}
		if err := f(p, first, n, args[first*width:(first+n)*width]); err != nil {
			return err
		}
	}
	return nil
}

// queryRow runs a query of one row into row; with no row, row is all nil.
func (b *batch) queryRow(st stmt, row []driver.Value, args ...any) error {
	clear(row)
	return b.query(b.wc.stmts[st], row, func() bool { return false }, args)
}

// queryRows runs st over the values in args, width each, as execRows does, and calls
// each after reading each result row into row.
func (b *batch) queryRows(st rowsStmt, width int, args []any, row []driver.Value, each func()) error {
	return b.eachRowsStmt(st, width, args, func(p driver.Stmt, _, _ int, args []any) error {
		return b.query(p, row, func() bool { each(); return true }, args)
	})
}

// query runs a query and calls each after reading each of its rows into row, until each
// returns false.
func (b *batch) query(st driver.Stmt, row []driver.Value, each func() bool, args []any) error {
	if err := b.ctx.Err(); err != nil {
		return err
	}
	nv, err := b.bind(args)
	if err != nil {
		return err
	}
	rows, err := st.(driver.StmtQueryContext).QueryContext(b.stmtCtx, nv)
	if err != nil {
		return err
	}
	for {
		if err := rows.Next(row); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			_ = rows.Close()
			return err
		}
		if !each() {
			break
		}
	}
	return rows.Close()
}
