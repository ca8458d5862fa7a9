package rangebatch

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
)

// A fake database/sql driver, enough to test SQL's statements and
// arguments without a database: it keeps the idsim_sequences table as a
// map and understands exactly the statements SQL sends, in both
// placeholder styles.

type fakeDB struct {
	mu      sync.Mutex
	next    map[string]int64
	queries []string // every statement, with its arguments
	fail    error    // returned by every statement when set
	failOn  string   // fail only statements starting with this
}

var (
	fakeMu  sync.Mutex
	fakeDBs = map[string]*fakeDB{}
)

func init() { sql.Register("rangebatch-fake", fakeDriver{}) }

type fakeDriver struct{}

func (fakeDriver) Open(name string) (driver.Conn, error) {
	fakeMu.Lock()
	defer fakeMu.Unlock()
	return &fakeConn{db: fakeDBs[name]}, nil
}

type fakeConn struct{ db *fakeDB }

func (c *fakeConn) Prepare(q string) (driver.Stmt, error) { return &fakeStmt{c.db, q}, nil }
func (c *fakeConn) Close() error                          { return nil }
func (c *fakeConn) Begin() (driver.Tx, error)             { return nil, errors.New("no transactions") }

type fakeStmt struct {
	db *fakeDB
	q  string
}

func (s *fakeStmt) Close() error  { return nil }
func (s *fakeStmt) NumInput() int { return -1 }

func (s *fakeStmt) Exec(args []driver.Value) (driver.Result, error) {
	_, err := s.run(args)
	return driver.RowsAffected(1), err
}

func (s *fakeStmt) Query(args []driver.Value) (driver.Rows, error) {
	v, err := s.run(args)
	if err != nil {
		return nil, err
	}
	return &fakeRows{v: v}, nil
}

// run executes q and returns the value a RETURNING clause gives, if any.
func (s *fakeStmt) run(args []driver.Value) ([]int64, error) {
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	d.queries = append(d.queries, fmt.Sprint(s.q, args))
	if d.fail != nil && strings.HasPrefix(s.q, d.failOn) {
		return nil, d.fail
	}
	postgres := strings.Contains(s.q, "$1")
	switch {
	case strings.HasPrefix(s.q, "CREATE TABLE"):
		return nil, nil
	case strings.HasPrefix(s.q, "INSERT"):
		name, first := args[0].(string), args[1].(int64)
		if _, ok := d.next[name]; !ok {
			d.next[name] = first
		}
		return nil, nil
	case strings.HasPrefix(s.q, "UPDATE"):
		n, name := args[0].(int64), args[1].(string)
		if !postgres && len(args) != 3 || postgres && len(args) != 2 {
			return nil, fmt.Errorf("%d arguments for %q", len(args), s.q)
		}
		if !postgres && args[2].(int64) != n {
			return nil, errors.New("the two counts differ")
		}
		cur, ok := d.next[name]
		if !ok {
			return []int64{}, nil
		}
		d.next[name] = cur + n
		return []int64{cur}, nil
	}
	return nil, fmt.Errorf("unexpected statement %q", s.q)
}

type fakeRows struct {
	v    []int64
	done bool
}

func (r *fakeRows) Columns() []string { return []string{"lo"} }
func (r *fakeRows) Close() error      { return nil }
func (r *fakeRows) Next(dest []driver.Value) error {
	if r.done || len(r.v) == 0 {
		return io.EOF
	}
	r.done = true
	dest[0] = r.v[0]
	return nil
}

func openFake(t *testing.T) (*sql.DB, *fakeDB) {
	t.Helper()
	d := &fakeDB{next: map[string]int64{}}
	fakeMu.Lock()
	fakeDBs[t.Name()] = d
	fakeMu.Unlock()
	db, err := sql.Open("rangebatch-fake", t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, d
}

// SQL hands out consecutive ranges from its row, in both placeholder
// styles; Init does not reset an existing sequence.
func TestSQLAllocates(t *testing.T) {
	for _, postgres := range []bool{false, true} {
		t.Run(fmt.Sprint("postgres=", postgres), func(t *testing.T) {
			db, fake := openFake(t)
			s := &SQL{DB: db, Name: "ids", Postgres: postgres}
			ctx := context.Background()
			if err := s.Init(ctx, 100); err != nil {
				t.Fatal(err)
			}
			if err := s.Init(ctx, 5); err != nil {
				t.Fatal(err)
			}
			for _, want := range []Range{{100, 110}, {110, 120}} {
				r, err := s.Allocate(ctx, 10)
				if err != nil || r != want {
					t.Fatalf("Allocate(10) = %v, %v; want %v", r, err, want)
				}
			}
			if r, err := s.Allocate(ctx, 1<<40); err != nil || r.Len() != 1<<40 {
				t.Fatalf("Allocate(2^40) = %v, %v", r, err)
			}
			for _, q := range fake.queries {
				if strings.HasPrefix(q, "CREATE") {
					continue
				}
				if strings.Contains(q, "?") == postgres || strings.Contains(q, "$1") != postgres {
					t.Errorf("postgres=%v sent %s", postgres, q)
				}
			}
		})
	}
}

// SQL refuses counts of 0 and above 2^40 without asking the database,
// says when the sequence is missing, and wraps the database's errors.
func TestSQLErrors(t *testing.T) {
	db, fake := openFake(t)
	s := &SQL{DB: db, Name: "ids"}
	ctx := context.Background()
	for _, n := range []uint64{0, 1<<40 + 1} {
		if _, err := s.Allocate(ctx, n); err == nil || !strings.Contains(err.Error(), "cannot allocate") {
			t.Errorf("Allocate(%d): %v", n, err)
		}
	}
	if len(fake.queries) != 0 {
		t.Errorf("refused counts reached the database: %v", fake.queries)
	}
	if _, err := s.Allocate(ctx, 1); err == nil || !strings.Contains(err.Error(), "call Init") {
		t.Errorf("no sequence: %v", err)
	}
	boom := errors.New("boom")
	fake.fail = boom
	if _, err := s.Allocate(ctx, 1); !errors.Is(err, boom) {
		t.Errorf("database error: %v", err)
	}
	if err := s.Init(ctx, 1); !errors.Is(err, boom) || !strings.Contains(err.Error(), "table") {
		t.Errorf("Init, table: %v", err)
	}
	fake.failOn = "INSERT"
	if err := s.Init(ctx, 1); !errors.Is(err, boom) || !strings.Contains(err.Error(), "creating sequence ids") {
		t.Errorf("Init, sequence: %v", err)
	}
	fake.fail, fake.failOn = nil, ""
	fake.queries = nil
	if err := s.Init(ctx, 1); err != nil || len(fake.queries) != 2 {
		t.Errorf("Init: %v, %d statements", err, len(fake.queries))
	}
}
