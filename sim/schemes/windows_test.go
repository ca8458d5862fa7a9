package schemes

import (
	"fmt"
	"hash/fnv"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/coord"
)

// shortWindows hides Coordinated's TimerDelay: the world cuts every
// window at the smallest latency.
type shortWindows struct{ Coordinated }

func (shortWindows) TimerDelay() int64 { return 0 }

// leaseRun runs a few workers under fenced leases through a pause longer
// than the lease (the session is lost and claimed again from the reply
// handler), a crash and restart and a clock step, and returns a hash of
// every worker's record and counters and the coordinator's exchanges.
func leaseRun(t *testing.T, s sim.Scheme, par int) string {
	t.Helper()
	ids := make([]sim.Identity, 6)
	for i := range ids {
		ids[i] = sim.Identity{Node: i}
	}
	w, err := sim.New(sim.Config{Seed: 7, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano(), Duration: int64(4 * time.Second), Workers: ids,
		Load: sim.Load{Rate: sim.PerSecond(20_000), Pattern: sim.Poisson}, Scheme: s, Parallelism: par})
	if err != nil {
		t.Fatal(err)
	}
	wk := w.Workers()
	w.At(int64(500*time.Millisecond), func(now int64) { wk[3].Pause(now, int64(1500*time.Millisecond)) })
	w.At(int64(800*time.Millisecond), func(now int64) { wk[1].Crash(now) })
	w.At(int64(900*time.Millisecond), func(now int64) {
		if err := wk[1].Restart(now); err != nil {
			t.Error(err)
		}
	})
	w.At(int64(1200*time.Millisecond), func(now int64) { wk[2].Clock().Step(now, -int64(300*time.Millisecond)) })
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	h := fnv.New64a()
	for i, x := range wk {
		x.Log().Each(func(j int64, id uint64, tm int64) bool {
			fmt.Fprintln(h, i, j, id, tm)
			return true
		})
		fmt.Fprintf(h, "%+v\n", *x.Stats())
	}
	for _, e := range w.Exchanges() {
		fmt.Fprintf(h, "%+v\n", e)
	}
	return fmt.Sprintf("%x/%d", h.Sum64(), len(w.Exchanges()))
}

// Windows cut at the earliest moment a worker can send give the same
// run, bit for bit, as windows cut at every latency, serially and in
// parallel.
func TestTimerWindowsChangeNothing(t *testing.T) {
	s := Coordinated{
		Snowflake: Snowflake{Layout: snowflake.Twitter, Datacenters: 1, OnBackward: snowflake.Ignore},
		IDs: WorkerIDs{Strategy: coord.LowestFree, Lease: true, Fence: true, TTL: time.Second, Heartbeat: 100 * time.Millisecond,
			Latency: sim.Latency{Base: int64(250 * time.Microsecond), Jitter: int64(100 * time.Microsecond)}},
	}
	if s.TimerDelay() != int64(100*time.Millisecond) {
		t.Fatalf("TimerDelay %d", s.TimerDelay())
	}
	want := leaseRun(t, shortWindows{s}, 1)
	for _, par := range []int{1, 2, 8} {
		if got := leaseRun(t, s, par); got != want {
			t.Errorf("parallelism %d: %s, with short windows %s", par, got, want)
		}
	}
	t.Log(want)
}
