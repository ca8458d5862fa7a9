package sim_test

import (
	"testing"
	"time"

	"github.com/idsim/idsim/sim"
)

// Arrivals gives the times a World's worker serves its base load at, for
// each worker: a World whose generator records its clock at every call
// sees exactly them.
func TestArrivalsAreTheWorldsLoad(t *testing.T) {
	const seed, workers, dur = 42, 3, int64(20 * time.Millisecond)
	load := sim.Load{Rate: sim.PerSecond(50_000), Pattern: sim.Poisson}
	w, err := sim.New(sim.Config{Seed: seed, Duration: dur, Workers: make([]sim.Identity, workers), Load: load, Scheme: counterScheme{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	for i, wk := range w.Workers() {
		a, err := sim.NewArrivals(load, seed, i, dur)
		if err != nil {
			t.Fatal(err)
		}
		var want []int64
		for at, ok := a.Next(); ok; at, ok = a.Next() {
			want = append(want, at)
		}
		var got []int64
		wk.Log().Each(func(_ int64, _ uint64, tt int64) bool { got = append(got, tt); return true })
		if len(want) < 500 || len(got) != len(want) {
			t.Fatalf("worker %d: %d calls served, %d arrivals", i, len(got), len(want))
		}
		for j := range want {
			if got[j] != want[j] {
				t.Fatalf("worker %d call %d at %d, arrival at %d", i, j, got[j], want[j])
			}
		}
	}
}
