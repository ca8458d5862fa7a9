package sim_test

import (
	"testing"
	"time"

	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/check"
)

// sleepy is written as sony/sonyflake is: a 10 ms tick and an 8-bit
// sequence; when the sequence is used up it moves to the next tick and
// sleeps until the clock gets there. It mutates its state before
// sleeping, so a call must resume, not restart.
type sleepy struct {
	tick, seq int64
	worker    uint64
}

func (g *sleepy) next(c sim.BlockingClock) (uint64, error) {
	now := c.Now() / int64(10*time.Millisecond)
	if g.tick < now {
		g.tick, g.seq = now, 0
	} else {
		g.seq = (g.seq + 1) & 0xff
		if g.seq == 0 {
			g.tick++
			c.Sleep(time.Duration(g.tick*int64(10*time.Millisecond) - c.Now()))
		}
	}
	return uint64(g.tick)<<16 | uint64(g.seq)<<8 | g.worker, nil
}

// spinner is written as bwmarrin/snowflake is: a 1 ms tick and a 4-bit
// sequence; when the sequence is used up it spins on the clock until the
// next millisecond.
// With mono it reads the monotonic clock, as bwmarrin/snowflake does
// through time.Since.
type spinner struct {
	ms, seq int64
	worker  uint64
	mono    bool
}

func (g *spinner) read(c sim.BlockingClock) int64 {
	if g.mono {
		return c.Monotonic() / 1e6
	}
	return c.Now() / 1e6
}

func (g *spinner) next(c sim.BlockingClock) (uint64, error) {
	now := g.read(c)
	if now == g.ms {
		g.seq = (g.seq + 1) & 0xf
		if g.seq == 0 {
			for now <= g.ms {
				now = g.read(c)
			}
		}
	} else {
		g.seq = 0
	}
	g.ms = now
	return uint64(now)<<12 | uint64(g.seq)<<8 | g.worker, nil
}

type blockingScheme struct{ spin, mono bool }

func (blockingScheme) IDBits() int { return 64 }

func (s blockingScheme) NewGenerator(env sim.Env) (sim.Instance, error) {
	w := uint64(env.Identity.Node)
	if s.spin {
		g := &spinner{worker: w, mono: s.mono}
		return sim.Instance{Narrow: sim.NewBlocking(env.Clock, g.next)}, nil
	}
	g := &sleepy{worker: w}
	return sim.Instance{Narrow: sim.NewBlocking(env.Clock, g.next)}, nil
}

// TestBlockingGenerators runs a sleeping and a spinning generator far
// above their ceilings: every call completes, in virtual time, with no
// duplicate and each worker's IDs increasing, the callers delayed as the
// sleeps and spins say — and the run is the same when repeated.
func TestBlockingGenerators(t *testing.T) {
	for _, tt := range []struct {
		name    string
		spin    bool
		mono    bool
		ceiling float64 // IDs per second per worker
	}{{"sleep", false, false, 256 / 0.01}, {"spin", true, false, 16 / 0.001}, {"spin on the monotonic clock", true, true, 16 / 0.001}} {
		t.Run(tt.name, func(t *testing.T) {
			dups := 0
			run := func() sim.Summary {
				w, err := sim.New(sim.Config{
					Seed: 3, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano(), Duration: int64(time.Second),
					Workers: []sim.Identity{{Node: 0}, {Node: 1}},
					Load:    sim.Load{Rate: mustRate(t, "100000/s")}, Scheme: blockingScheme{spin: tt.spin, mono: tt.mono},
				})
				if err != nil {
					t.Fatal(err)
				}
				if err := w.Run(); err != nil {
					t.Fatal(err)
				}
				dups = len(check.Duplicates(w.Logs()))
				return w.Summary()
			}
			a, b := run(), run()
			if a.Generated != b.Generated || a.WaitTotal != b.WaitTotal {
				t.Fatalf("reruns differ: %d/%d generated, %d/%d ns waited", a.Generated, b.Generated, a.WaitTotal, b.WaitTotal)
			}
			if a.Errors != 0 || len(a.Violations) != 0 || dups != 0 {
				t.Fatalf("%d errors, %d order violations, %d duplicates", a.Errors, len(a.Violations), dups)
			}
			// Two workers at their ceiling for a second, give or take the
			// ticks at the ends.
			if want := 2 * tt.ceiling; float64(a.Generated) < 0.97*want || float64(a.Generated) > 1.01*want {
				t.Errorf("generated %d, want about %.0f (the ceiling)", a.Generated, want)
			}
			if a.WaitedCalls == 0 || a.WaitMax <= 0 {
				t.Errorf("no call waited: %+v", a)
			}
		})
	}
}

func mustRate(t *testing.T, s string) sim.Rate {
	r, err := sim.ParseRate(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
