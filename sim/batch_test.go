package sim_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idsim/idsim/sim"
)

// counter128 issues a 128-bit ID from the wall clock's millisecond and a
// counter, and refuses while the clock reads earlier than the last
// millisecond it used: state, clock readings and errors, so that a batch
// that answered differently from calls one by one would show.
type counter128 struct {
	clock  *sim.Clock
	worker uint64
	lastMs int64
	n      uint64
}

func (g *counter128) issue(unix int64) (hi, lo uint64, err error) {
	ms := unix / 1e6
	if ms < g.lastMs {
		return 0, 0, errors.New("clock behind")
	}
	g.lastMs = ms
	g.n++
	return uint64(ms), g.worker<<48 | g.n, nil
}

func (g *counter128) TryNext128() (uint64, uint64, time.Duration, error) {
	hi, lo, err := g.issue(g.clock.Now())
	return hi, lo, 0, err
}

// batched is counter128 answering batches.
type batched struct {
	counter128
	batches *atomic.Int64 // workers run in parallel
}

func (g *batched) TryBatch(calls []sim.ClockReading, out []sim.BatchResult) {
	g.batches.Add(1)
	for i, c := range calls {
		hi, lo, err := g.issue(c.Unix)
		out[i] = sim.BatchResult{Hi: hi, Lo: lo, Err: err}
	}
}

type counterScheme struct {
	batch   bool
	shared  bool
	batches *atomic.Int64
}

func (counterScheme) IDBits() int    { return 128 }
func (s counterScheme) Shared() bool { return s.shared }
func (s counterScheme) NewGenerator(env sim.Env) (sim.Instance, error) {
	g := counter128{clock: env.Clock, worker: uint64(env.Worker)}
	if s.batch {
		return sim.Instance{Wide: &batched{counter128: g, batches: s.batches}}, nil
	}
	return sim.Instance{Wide: &g}, nil
}

// TestBatchesAnswerAsCallsOneByOne runs the same generator with and
// without BatchGenerator, and in parallel and interleaved (SharedScheme),
// through a backward step, a pause, a crash and a restart: the IDs, their
// times and every counter are the same; the batched run makes far fewer
// exchanges than calls, and none spans a global event.
func TestBatchesAnswerAsCallsOneByOne(t *testing.T) {
	run := func(s counterScheme) (string, sim.Summary) {
		w, err := sim.New(sim.Config{
			Seed: 9, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano(), Duration: int64(time.Second),
			Workers: []sim.Identity{{Node: 0}, {Node: 1}, {Node: 2}},
			Load:    sim.Load{Rate: mustRate(t, "20000/s"), Pattern: sim.Poisson}, Scheme: s,
		})
		if err != nil {
			t.Fatal(err)
		}
		ws := w.Workers()
		w.At(200e6, func(now int64) { ws[1].Clock().Step(now, -50e6) })
		w.At(400e6, func(now int64) { ws[0].Pause(now, 30e6) })
		w.At(600e6, func(now int64) { ws[2].Crash(now) })
		w.At(650e6, func(now int64) {
			if err := ws[2].Restart(now); err != nil {
				t.Error(err)
			}
		})
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		for _, l := range w.Logs() {
			l.Each(func(_ int64, lo uint64, at int64) bool {
				fmt.Fprintf(&out, "%d %d\n", lo, at)
				return true
			})
		}
		return out.String(), w.Summary()
	}
	plain, ps := run(counterScheme{})
	var n atomic.Int64
	for _, s := range []counterScheme{{batch: true, batches: &n}, {shared: true}, {batch: true, shared: true, batches: new(atomic.Int64)}} {
		got, gs := run(s)
		if got != plain || fmt.Sprint(gs) != fmt.Sprint(ps) {
			t.Errorf("%+v: the run differs from calls one by one:\n%+v\n%+v", s, gs, ps)
		}
	}
	if ps.Errors == 0 || ps.Generated < 50_000 {
		t.Fatalf("the step should make the generator refuse: %d errors, %d IDs", ps.Errors, ps.Generated)
	}
	if b := n.Load(); b == 0 || b > 20 {
		t.Errorf("%d batches for %d calls", b, ps.Offered)
	}
}
