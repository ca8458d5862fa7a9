package sim_test

import (
	"slices"
	"testing"
	"time"

	"github.com/idsim/idsim/sim"
)

// ticker is a scheme whose generators set a timer every 100ms and log
// when each fires; calls succeed with a counter.
type ticker struct{ fired [][]int64 }

func (*ticker) IDBits() int { return 64 }

func (s *ticker) NewGenerator(env sim.Env) (sim.Instance, error) {
	g := &tickGen{}
	var tick func()
	tick = func() {
		s.fired[env.Net.Worker()] = append(s.fired[env.Net.Worker()], env.Net.Now())
		env.Net.After(int64(100*time.Millisecond), tick)
	}
	env.Net.After(int64(100*time.Millisecond), tick)
	return sim.Instance{Narrow: g}, nil
}

type tickGen struct{ n uint64 }

func (g *tickGen) TryNext() (uint64, time.Duration, error) { g.n++; return g.n, 0, nil }

func TestTimersFollowPausesAndCrashes(t *testing.T) {
	s := &ticker{fired: make([][]int64, 3)}
	w, err := sim.New(sim.Config{
		Seed: 1, Start: start, Duration: int64(time.Second),
		Workers: []sim.Identity{{Node: 0}, {Node: 1}, {Node: 2}},
		Load:    sim.Load{Rate: sim.PerSecond(1000), Pattern: sim.Poisson},
		Scheme:  s,
	})
	if err != nil {
		t.Fatal(err)
	}
	ms := int64(time.Millisecond)
	w.At(250*ms, func(now int64) { w.Workers()[1].Pause(now, 300*ms) })
	w.At(250*ms, func(now int64) { w.Workers()[2].Crash(now) })
	w.At(420*ms, func(now int64) {
		if err := w.Workers()[2].Restart(now); err != nil {
			t.Error(err)
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	for i, want := range [][]int64{
		{100, 200, 300, 400, 500, 600, 700, 800, 900},
		// Paused from 250 to 550: the 300 timer fires late, at 550.
		{100, 200, 550, 650, 750, 850, 950},
		// Crashed at 250: the timer dies with the process; the restarted
		// one sets its own at 420.
		{100, 200, 520, 620, 720, 820, 920},
	} {
		got := make([]int64, len(s.fired[i]))
		for k, f := range s.fired[i] {
			got[k] = f / ms
		}
		if !slices.Equal(got, want) {
			t.Errorf("worker %d timers fired at %v ms, want %v", i, got, want)
		}
	}
}
