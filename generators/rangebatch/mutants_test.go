package rangebatch

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// Tests written to kill mutants that survived the rest of the suite
// (tools/mutate). Each says what it pins down.

// actions runs a core over one batch [5, 5+batch) and returns what each
// call did; the calls that fetch or wait issue no ID (0).
func actions(t *testing.T, cfg Config) []Action {
	t.Helper()
	c, err := NewCore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if id, a := c.Next(); a != Fetch || id != 0 {
		t.Fatalf("first call: %d, %v; want 0, Fetch", id, a)
	}
	if id, a := c.Next(); a != Wait || id != 0 {
		t.Fatalf("second call: %d, %v; want 0, Wait", id, a)
	}
	c.Supply(Range{5, 5 + cfg.Batch})
	var out []Action
	for i := uint64(0); i < cfg.Batch; i++ {
		id, a := c.Next()
		if id != 5+i {
			t.Fatalf("call %d issued %d", i, id)
		}
		out = append(out, a)
	}
	return out
}

// PrefetchAt is the fraction of a batch used before the next one is
// asked for: 0 never, 1 at the last ID, 0.5 at the half.
func TestPrefetchThreshold(t *testing.T) {
	I, F := Issued, IssuedFetch
	for _, c := range []struct {
		at   float64
		want []Action
	}{
		{0, []Action{I, I, I, I}},
		{0.5, []Action{I, F, I, I}},
		{0.7, []Action{I, F, I, I}},
		{1, []Action{I, I, I, F}},
	} {
		if got := actions(t, Config{Batch: 4, PrefetchAt: c.at}); !slices.Equal(got, c.want) {
			t.Errorf("PrefetchAt %v: %v, want %v", c.at, got, c.want)
		}
	}
	if got := actions(t, Config{Batch: 1, PrefetchAt: 1}); !slices.Equal(got, []Action{F}) {
		t.Errorf("Batch 1, PrefetchAt 1: %v", got)
	}
}

// The limits of Config: Batch 1 and PrefetchAt 0 and 1 are accepted.
func TestConfigLimits(t *testing.T) {
	for _, cfg := range []Config{{Batch: 1}, {Batch: 1, PrefetchAt: 1}, {Batch: 1, PrefetchAt: 0}} {
		if _, err := NewCore(cfg); err != nil {
			t.Errorf("%+v: %v", cfg, err)
		}
	}
	if _, err := New(Config{Batch: 1}, nil); err == nil {
		t.Error("nil allocator accepted")
	}
	if _, err := New(Config{}, NewMemory(0)); err == nil {
		t.Error("Batch 0 accepted by New")
	}
	if c, _ := NewCore(Config{Batch: 7}); c.Batch() != 7 {
		t.Errorf("Batch() = %d", c.Batch())
	}
}

// A range supplied while the current one still holds IDs waits behind
// it; Buffered counts both; a range supplied to an empty core is used
// at once.
func TestSupplyAndBuffered(t *testing.T) {
	c, _ := NewCore(Config{Batch: 3, PrefetchAt: 0.3})
	c.Next()
	c.Supply(Range{10, 13})
	if c.Buffered() != 3 {
		t.Fatalf("Buffered = %d, want 3", c.Buffered())
	}
	if id, a := c.Next(); id != 10 || a != IssuedFetch {
		t.Fatalf("first ID: %d %v", id, a)
	}
	c.Supply(Range{20, 23})
	if c.Buffered() != 5 {
		t.Fatalf("Buffered = %d, want 2 + 3", c.Buffered())
	}
	var got []uint64
	for range 5 {
		id, _ := c.Next()
		got = append(got, id)
	}
	if !slices.Equal(got, []uint64{11, 12, 20, 21, 22}) || c.Buffered() != 0 {
		t.Fatalf("issued %v, %d left", got, c.Buffered())
	}
	// While a fetch is in flight, a failed fetch lets the next call
	// fetch again.
	if _, a := c.Next(); a != Wait {
		t.Fatalf("with the prefetch in flight: %v, want Wait", a)
	}
	c.Failed()
	if _, a := c.Next(); a != Fetch {
		t.Fatalf("after the failure: %v, want Fetch", a)
	}
}

// Memory hands out consecutive ranges from its first value.
func TestMemoryRanges(t *testing.T) {
	m := NewMemory(5)
	a, _ := m.Allocate(context.Background(), 3)
	b, _ := m.Allocate(context.Background(), 2)
	if a != (Range{5, 8}) || b != (Range{8, 10}) || a.Len() != 3 {
		t.Errorf("ranges %v %v", a, b)
	}
}

// secondFails is a Memory whose second allocation fails.
type secondFails struct {
	Memory
	calls atomic.Int32
}

func (s *secondFails) Allocate(ctx context.Context, n uint64) (Range, error) {
	if s.calls.Add(1) == 2 {
		return Range{}, errors.New("database down")
	}
	return s.Memory.Allocate(ctx, n)
}

// A failed prefetch is forgotten: the fetch is no longer in flight, and
// the generator goes on issuing.
func TestGeneratorPrefetchFails(t *testing.T) {
	a := &secondFails{Memory: Memory{next: 1}}
	g, _ := New(Config{Batch: 2, PrefetchAt: 0.5}, a)
	if id, err := g.Next(context.Background()); err != nil || id != 1 {
		t.Fatalf("first: %d %v", id, err)
	}
	// The first ID started a prefetch, which fails.
	deadline := time.Now().Add(5 * time.Second)
	for {
		g.mu.Lock()
		inflight := g.core.inflight
		g.mu.Unlock()
		if !inflight && a.calls.Load() >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the failed prefetch is still in flight after 5 s")
		}
		time.Sleep(time.Millisecond)
	}
	for want := uint64(2); want <= 4; want++ {
		if id, err := g.Next(context.Background()); err != nil || id != want {
			t.Fatalf("after the failed prefetch: %d %v, want %d", id, err, want)
		}
	}
}

// gated's first allocation waits for release and then fails (if fail is
// set) or succeeds; the others succeed at once.
type gated struct {
	Memory
	fail    bool
	calls   atomic.Int32
	started chan struct{}
	release chan struct{}
}

func (g *gated) Allocate(ctx context.Context, n uint64) (Range, error) {
	if g.calls.Add(1) == 1 {
		close(g.started)
		<-g.release
		if g.fail {
			return Range{}, errors.New("database down")
		}
	}
	return g.Memory.Allocate(ctx, n)
}

// A caller waiting for another's fetch is woken when that fetch ends:
// it takes an ID from the fetched range, or after a failure fetches for
// itself.
func TestWaiterWokenByTheFetch(t *testing.T) {
	for _, fail := range []bool{false, true} {
		a := &gated{Memory: Memory{next: 1}, fail: fail, started: make(chan struct{}), release: make(chan struct{})}
		g, _ := New(Config{Batch: 4}, a)
		first := make(chan error, 1)
		go func() {
			_, err := g.Next(context.Background())
			first <- err
		}()
		<-a.started
		second := make(chan uint64, 1)
		go func() {
			id, _ := g.Next(context.Background())
			second <- id
		}()
		time.Sleep(50 * time.Millisecond) // let the second caller start waiting
		close(a.release)
		if err := <-first; (err != nil) != fail {
			t.Fatalf("fail=%v: the fetching caller got %v", fail, err)
		}
		want := uint64(2)
		if fail {
			want = 1
		}
		select {
		case id := <-second:
			if id != want {
				t.Errorf("fail=%v: the waiter got %d, want %d", fail, id, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("fail=%v: the waiter was not woken when the fetch ended", fail)
		}
	}
}

// A successful prefetch's range is used: one caller gets consecutive
// IDs across batches, with no range skipped.
func TestPrefetchedRangeIsUsed(t *testing.T) {
	g, _ := New(Config{Batch: 2, PrefetchAt: 0.5}, NewMemory(1))
	for want := uint64(1); want <= 8; want++ {
		if id, err := g.Next(context.Background()); err != nil || id != want {
			t.Fatalf("got %d %v, want %d", id, err, want)
		}
	}
}
