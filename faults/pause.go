package faults

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/spec"
)

var pauseKind = KindInfo{
	Kind:     "pause",
	Summary:  "from `at` for `for`, the workers stop (a stop-the-world pause): calls queue, state is kept",
	Params:   "at, for, workers",
	Keys:     []string{"at", "for", "workers"},
	Required: []string{"at", "for", "workers"},
	Zero:     Pause{},
	Parse: func(m *spec.Map) (Fault, error) {
		var c WindowKeys
		err := m.Decode(&c)
		return Pause{At: c.At.V, For: c.For.V, Workers: workersOf(c.Workers)}, err
	},
}

// Pause stops workers from At for For, as a stop-the-world pause does:
// calls queue, the generator keeps its state, the clocks run on.
type Pause struct {
	At      time.Duration
	For     time.Duration
	Workers Workers
}

// Kind returns "pause".
func (Pause) Kind() string { return "pause" }

// Describe says who pauses and for how long.
func (f Pause) Describe() string {
	return fmt.Sprintf("%v paused from %v for %v", f.Workers, f.At, f.For)
}

// Validate checks the pause.
func (f Pause) Validate(env Env) error {
	return validateWindow(f.At, f.For, f.Workers, env, "the pause")
}

// Schedule pauses the workers at At.
func (f Pause) Schedule(w *sim.World, id string) error {
	ws := f.Workers.Resolve(len(w.Workers()))
	w.At(int64(f.At), func(now int64) {
		for _, i := range ws {
			w.Workers()[i].Pause(now, int64(f.For))
		}
		w.Mark(f.Spans(id, len(w.Workers()), w.Config().Duration)[0])
	})
	return nil
}

// Spans: the pause lasts from At for For.
func (f Pause) Spans(id string, workers int, _ int64) []sim.Activity {
	return window(id, f.Workers, workers, f.At, f.For)
}

// Live pauses the workers.
func (f Pause) Live(p LivePlan, _ string, workers int) {
	for _, w := range f.Workers.Resolve(workers) {
		p.Pause(w, int64(f.At), int64(f.At+f.For))
	}
}
