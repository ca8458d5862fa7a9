package lincheck

import (
	"bytes"
	"context"
	"database/sql"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"

	"github.com/idsim/idsim/generators/faulty"
	"github.com/idsim/idsim/generators/rangebatch"
)

// history makes n allocations by clients concurrent clients against a
// correct fetch-and-add: each call takes effect at a random instant
// inside its interval, with some values skipped (gaps).
func history(n, clients int, seed uint64) []Op {
	rng := rand.New(rand.NewPCG(seed, 1))
	type pending struct {
		op     Op
		effect int64
	}
	var ops []Op
	var next uint64 = 1000
	free := make([]int64, clients) // when each client is free again
	var events []pending
	for len(events) < n {
		c := rng.IntN(clients)
		call := free[c] + int64(rng.IntN(100))
		ret := call + 1 + int64(rng.IntN(200))
		free[c] = ret + 1
		events = append(events, pending{op: Op{Client: c, Call: call, Return: ret, N: uint64(1 + rng.IntN(10))}, effect: call + int64(rng.Int64N(ret-call+1))})
	}
	// Apply in effect order.
	order := make([]int, len(events))
	for i := range order {
		order[i] = i
	}
	sortBy(order, func(i int) int64 { return events[i].effect })
	for _, i := range order {
		if rng.IntN(20) == 0 {
			next += 7 // a gap
		}
		events[i].op.Lo = next
		next += events[i].op.N
	}
	for _, e := range events {
		ops = append(ops, e.op)
	}
	return ops
}

func sortBy(idx []int, key func(int) int64) {
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && key(idx[j]) < key(idx[j-1]); j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
}

func TestCorrectHistoriesAreLinearizable(t *testing.T) {
	for seed := range uint64(20) {
		if r := Check(history(300, 6, seed), 0); !r.Linearizable {
			t.Fatalf("seed %d: a correct history judged not linearizable (window %d): %s", seed, r.Window, r.Overlap())
		}
	}
}

// Planted bugs: a duplicated range, and a range handed out below one
// that had completed before it was asked for.
func TestPlantedViolations(t *testing.T) {
	h := history(300, 6, 7)
	dup := append([]Op(nil), h...)
	dup[200].Lo = dup[100].Lo
	if r := Check(dup, 0); r.Linearizable {
		t.Error("a duplicated range passed")
	} else if !strings.Contains(r.Overlap(), "overlap") {
		t.Errorf("explanation: %s", r.Overlap())
	}
	// Two non-overlapping ops in real-time order with swapped values.
	late := []Op{{Client: 0, Call: 0, Return: 10, N: 1, Lo: 5}, {Client: 1, Call: 20, Return: 30, N: 1, Lo: 4}}
	if r := Check(late, 0); r.Linearizable {
		t.Error("a value below one already completed passed")
	} else if !strings.Contains(r.Overlap(), "after client 0's allocation") {
		t.Errorf("explanation: %s", r.Overlap())
	}
	var html bytes.Buffer
	r := Check(late, 0)
	if err := r.Visualize(&html, []Annotation{{Tag: "faults", Text: "db_outage#1", Start: 0, End: 25}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "<html") || !strings.Contains(html.String(), "db_outage#1") {
		t.Error("visualisation lacks the page or the annotation")
	}
}

// Against a real SQLite database (and PostgreSQL when IDSIM_POSTGRES_DSN
// names one, always in CI): concurrent clients of the SQL allocator give a
// linearizable history; the read-then-write allocator without a
// transaction does not.
func TestSQLiteAllocators(t *testing.T) {
	testSQLAllocators(t, false, func(t *testing.T) *sql.DB {
		path := filepath.Join(t.TempDir(), "seq.db")
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate")
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}

func TestPostgresAllocators(t *testing.T) {
	dsn := os.Getenv("IDSIM_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true and IDSIM_POSTGRES_DSN is not set: in CI this test runs, it does not skip (.ci/run starts a PostgreSQL and sets it)")
		}
		t.Skip("set IDSIM_POSTGRES_DSN (e.g. postgres://user:pw@localhost/db?sslmode=disable) to run against PostgreSQL")
	}
	testSQLAllocators(t, true, func(t *testing.T) *sql.DB {
		db, err := sql.Open("postgres", dsn)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`DROP TABLE IF EXISTS idsim_sequences`); err != nil {
			t.Fatal(err)
		}
		return db
	})
}

func testSQLAllocators(t *testing.T, postgres bool, connect func(*testing.T) *sql.DB) {
	ctx := context.Background()
	open := func(t *testing.T) *sql.DB {
		db := connect(t)
		t.Cleanup(func() { db.Close() })
		if err := (&rangebatch.SQL{DB: db, Name: "orders", Postgres: postgres}).Init(ctx, 1); err != nil {
			t.Fatal(err)
		}
		return db
	}
	run := func(t *testing.T, alloc func(n uint64) (uint64, error)) []Op {
		start := time.Now()
		var mu sync.Mutex
		var ops []Op
		var wg sync.WaitGroup
		for c := range 8 {
			wg.Go(func() {
				for range 60 {
					call := time.Since(start).Nanoseconds()
					lo, err := alloc(10)
					ret := time.Since(start).Nanoseconds()
					if err != nil {
						continue // a failed allocation's effect is unknown: left out
					}
					mu.Lock()
					ops = append(ops, Op{Client: c, Call: call, Return: ret, N: 10, Lo: lo})
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		return ops
	}
	t.Run("atomic update", func(t *testing.T) {
		a := &rangebatch.SQL{DB: open(t), Name: "orders", Postgres: postgres}
		ops := run(t, func(n uint64) (uint64, error) { r, err := a.Allocate(ctx, n); return r.Lo, err })
		r := Check(ops, 0)
		t.Logf("%d allocations in %d windows (largest %d)", r.Ops, r.Windows, r.Largest)
		if r.Ops < 400 || !r.Linearizable {
			t.Fatalf("%d ops, linearizable %v: %s", r.Ops, r.Linearizable, r.Overlap())
		}
	})
	t.Run("read then write", func(t *testing.T) {
		a := &faulty.ReadThenWrite{DB: open(t), Name: "orders", Between: runtime.Gosched, Postgres: postgres}
		ops := run(t, func(n uint64) (uint64, error) { lo, _, err := a.Allocate(ctx, n); return lo, err })
		r := Check(ops, 0)
		if r.Linearizable {
			t.Fatalf("the read-then-write allocator passed (%d ops)", r.Ops)
		}
		t.Logf("caught in window %d of %d: %s", r.Window, r.Windows, r.Overlap())
	})
}

// BenchmarkCheck100k checks 100,000 allocations by 64 concurrent
// clients and reports the rate and the memory allocated.
func BenchmarkCheck100k(b *testing.B) {
	h := history(100_000, 64, 1)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	var r Result
	for range b.N {
		r = Check(h, 0)
		if !r.Linearizable {
			b.Fatal("not linearizable")
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.N*len(h))/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/1e6, "MB/check")
	b.ReportMetric(float64(r.Largest), "largest-window")
}
