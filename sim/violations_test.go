package sim_test

import (
	"testing"
	"time"

	"github.com/idsim/idsim/sim"
)

// downScheme issues IDs that count down: every ID after a worker's first
// is out of order.
type downScheme struct{}

func (downScheme) IDBits() int { return 64 }
func (downScheme) NewGenerator(env sim.Env) (sim.Instance, error) {
	return sim.Instance{Narrow: &down{next: 1 << 40}}, nil
}

type down struct{ next uint64 }

func (d *down) TryNext() (uint64, time.Duration, error) {
	d.next--
	return d.next, 0, nil
}

// A worker counts every out-of-order ID but keeps only the first
// MaxViolationsKept, in order, so that a scheme with no order holds a
// bounded list however long it runs; the summary adds the counts.
func TestViolationsKeptBounded(t *testing.T) {
	const workers = 2
	w, err := sim.New(sim.Config{Seed: 1, Duration: int64(100 * time.Millisecond), Workers: make([]sim.Identity, workers),
		Load: sim.Load{Rate: sim.PerSecond(50_000), Pattern: sim.Poisson}, Scheme: downScheme{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, wk := range w.Workers() {
		st := wk.Stats()
		if st.ViolationCount != st.Generated-1 || st.Generated < 3*sim.MaxViolationsKept {
			t.Fatalf("worker %d: %d violations counted for %d IDs", wk.Index, st.ViolationCount, st.Generated)
		}
		if len(st.Violations) != sim.MaxViolationsKept {
			t.Fatalf("worker %d keeps %d violations", wk.Index, len(st.Violations))
		}
		for i, v := range st.Violations {
			if v.Index != int64(i+1) || v.Worker != wk.Index {
				t.Fatalf("worker %d: violation %d is entry %d of worker %d", wk.Index, i, v.Index, v.Worker)
			}
		}
		total += st.ViolationCount
	}
	sum := sim.Summarize(w)
	if sum.ViolationCount != total || len(sum.Violations) != workers*sim.MaxViolationsKept {
		t.Errorf("summary: %d counted, %d kept; want %d, %d", sum.ViolationCount, len(sum.Violations), total, workers*sim.MaxViolationsKept)
	}
}
