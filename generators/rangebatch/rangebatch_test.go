package rangebatch

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"

	"github.com/idsim/idsim/generators/internal/rapidtest"
	"pgregory.net/rapid"
)

func TestMain(m *testing.M) {
	rapidtest.DefaultSeed()
	os.Exit(m.Run())
}

func TestCoreDoubleBuffer(t *testing.T) {
	c, _ := NewCore(Config{Batch: 10, PrefetchAt: 0.8})
	if _, a := c.Next(); a != Fetch {
		t.Fatalf("first call: %v, want Fetch", a)
	}
	if _, a := c.Next(); a != Wait {
		t.Fatalf("second call while fetching: %v, want Wait", a)
	}
	c.Supply(Range{100, 110})
	var got []uint64
	var actions []Action
	for i := 0; i < 10; i++ {
		id, a := c.Next()
		got = append(got, id)
		actions = append(actions, a)
	}
	// After 8 of 10 (80%) the next range is asked for, once.
	if got[0] != 100 || got[9] != 109 || actions[7] != IssuedFetch || actions[6] != Issued || actions[8] != Issued {
		t.Fatalf("ids %v actions %v", got, actions)
	}
	c.Supply(Range{200, 210})
	if id, a := c.Next(); id != 200 || a != Issued || c.Buffered() != 9 {
		t.Fatalf("after the switch: %d %v, %d buffered", id, a, c.Buffered())
	}
}

func TestCoreFailedFetchAsksAgain(t *testing.T) {
	c, _ := NewCore(Config{Batch: 1})
	c.Next()
	c.Failed()
	if _, a := c.Next(); a != Fetch {
		t.Fatalf("after a failed fetch: %v, want Fetch", a)
	}
}

func TestConfigRejects(t *testing.T) {
	for _, cfg := range []Config{{}, {Batch: 5, PrefetchAt: 1.5}, {Batch: 5, PrefetchAt: -0.1}} {
		if _, err := NewCore(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}

// Any interleaving of calls and of fetch completions issues each ID of
// the supplied ranges at most once, in increasing order.
func TestPropertyCoreIssuesEachIDOnceInOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		batch := rapid.Uint64Range(1, 20).Draw(t, "batch")
		c, _ := NewCore(Config{Batch: batch, PrefetchAt: rapid.SampledFrom([]float64{0, 0.25, 0.5, 1}).Draw(t, "prefetch")})
		next := uint64(1)
		pending := 0
		var last uint64
		seen := map[uint64]bool{}
		for i := rapid.IntRange(1, 300).Draw(t, "steps"); i > 0; i-- {
			if pending > 0 && rapid.Bool().Draw(t, "complete") {
				if rapid.IntRange(0, 4).Draw(t, "fail") == 0 {
					c.Failed()
				} else {
					c.Supply(Range{next, next + batch})
					next += batch + rapid.Uint64Range(0, 3).Draw(t, "gap")
				}
				pending--
				continue
			}
			id, a := c.Next()
			switch a {
			case Fetch, IssuedFetch:
				pending++
			}
			if a == Issued || a == IssuedFetch {
				if seen[id] || id <= last {
					t.Fatalf("issued %d after %d (seen before: %v)", id, last, seen[id])
				}
				seen[id], last = true, id
			}
			if pending > 1 {
				t.Fatalf("%d fetches in flight", pending)
			}
		}
	})
}

type flaky struct {
	Memory
	fail bool
}

func (f *flaky) Allocate(ctx context.Context, n uint64) (Range, error) {
	if f.fail {
		return Range{}, errors.New("database down")
	}
	return f.Memory.Allocate(ctx, n)
}

func TestGeneratorConcurrent(t *testing.T) {
	g, err := New(Config{Batch: 100, PrefetchAt: 0.5}, NewMemory(1))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[uint64]bool{}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5000; i++ {
				id, err := g.Next(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[id] {
					t.Errorf("duplicate %d", id)
				}
				seen[id] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 40000 {
		t.Errorf("%d distinct IDs", len(seen))
	}
}

func TestGeneratorOutage(t *testing.T) {
	a := &flaky{Memory: Memory{next: 1}}
	g, _ := New(Config{Batch: 3}, a)
	for i := 0; i < 3; i++ {
		g.Next(context.Background())
	}
	a.fail = true
	if _, err := g.Next(context.Background()); err == nil {
		t.Fatal("no error with the allocator down and nothing buffered")
	}
	a.fail = false
	if id, err := g.Next(context.Background()); err != nil || id != 4 {
		t.Fatalf("after recovery: %d %v", id, err)
	}
}
