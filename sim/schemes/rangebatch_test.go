package schemes

import (
	"fmt"
	"hash/fnv"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/rangebatch"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/check"
)

func batchWorld(t *testing.T, cfg rangebatch.Config, par int) *sim.World {
	t.Helper()
	w, err := sim.New(sim.Config{
		Seed: 3, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano(), Duration: int64(2 * time.Second),
		Workers:     make([]sim.Identity, 8),
		Load:        sim.Load{Rate: sim.PerSecond(1000)},
		Scheme:      RangeBatch{Config: cfg, Latency: sim.Latency{Base: int64(200 * time.Microsecond), Jitter: int64(100 * time.Microsecond)}, First: 1},
		Parallelism: par,
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestRangeBatchAccounting(t *testing.T) {
	w := batchWorld(t, rangebatch.Config{Batch: 50, PrefetchAt: 0.5}, 0)
	db := w.Service(DatabaseService).(*SequenceDB)
	db.Outage(int64(500*time.Millisecond), int64(700*time.Millisecond))
	w.At(int64(time.Second), func(now int64) { w.Workers()[2].Crash(now) })
	w.At(int64(time.Second+10*time.Millisecond), func(now int64) { w.Workers()[2].Restart(now) })
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	s := w.Summary()
	if d := check.Duplicates(w.Logs()); len(d) != 0 {
		t.Fatalf("%d duplicates from disjoint ranges", len(d))
	}
	if len(s.Violations) != 0 {
		t.Errorf("%d out-of-order IDs", len(s.Violations))
	}
	if s.Lost == 0 {
		t.Error("the crash lost no buffered IDs")
	}
	if db.Refused == 0 || s.Errors == 0 {
		t.Errorf("outage: %d refused, %d errors", db.Refused, s.Errors)
	}
	// Every allocated ID is issued, lost, buffered or in flight.
	inFlight := int64(db.Allocated) - s.Generated - s.Lost - int64(w.Buffered())
	if inFlight < 0 || inFlight > 8*50 {
		t.Errorf("allocated %d = generated %d + lost %d + buffered %d + in flight %d", db.Allocated, s.Generated, s.Lost, w.Buffered(), inFlight)
	}
	// Each client takes one range per 50 IDs, plus refused attempts.
	if rt := int64(db.Requests - db.Refused); rt > s.Generated/50+2*8+10 {
		t.Errorf("%d successful round trips for %d IDs in batches of 50", rt, s.Generated)
	}
}

// Auto-increment: a round trip per ID, so a worker issues at most one ID
// per round trip time however much load it is offered.
func TestAutoIncrementIsLatencyBound(t *testing.T) {
	w := batchWorld(t, rangebatch.Config{Batch: 1}, 0)
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	s := w.Summary()
	db := w.Service(DatabaseService).(*SequenceDB)
	if int64(db.Requests) < s.Generated || int64(db.Requests) > s.Generated+8 {
		t.Errorf("%d requests for %d IDs", db.Requests, s.Generated)
	}
	if s.LatencyMax < int64(400*time.Microsecond) {
		t.Errorf("max latency %v, want at least a round trip", time.Duration(s.LatencyMax))
	}
}

func TestNetworkDeterministicAcrossParallelism(t *testing.T) {
	var prints []string
	for _, par := range []int{1, 3} {
		w := batchWorld(t, rangebatch.Config{Batch: 7, PrefetchAt: 0.3}, par)
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		h := fnv.New64a()
		for _, l := range w.Logs() {
			l.Each(func(i int64, id uint64, tm int64) bool {
				fmt.Fprint(h, l.Worker, id, tm)
				return true
			})
		}
		prints = append(prints, fmt.Sprintf("%x %+v", h.Sum64(), w.Summary()))
	}
	if prints[0] != prints[1] {
		t.Fatalf("parallelism changed the run:\n%s\n%s", prints[0], prints[1])
	}
}
