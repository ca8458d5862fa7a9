package faults

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/spec"
)

var sequenceFloodKind = KindInfo{
	Kind:     "sequence_flood",
	Summary:  "from `at` for `for`, extra load of `rate` per worker on top of the base load, to exceed the per-tick ceiling",
	Params:   "at, for, workers, rate, pattern",
	Keys:     []string{"at", "for", "workers", "rate", "pattern"},
	Required: []string{"at", "for", "workers", "rate"},
	Zero:     SequenceFlood{},
	Parse: func(m *spec.Map) (Fault, error) {
		var c struct {
			WindowKeys `yaml:",inline"`
			Rate       spec.Rate `yaml:"rate"`
			Pattern    spec.Text `yaml:"pattern"`
		}
		if err := m.Decode(&c); err != nil {
			return nil, err
		}
		pattern := sim.Constant
		if c.Pattern.Set {
			p, err := sim.ParsePattern(c.Pattern.V)
			if err != nil {
				return nil, spec.Errorf(c.Pattern.P, "%v", err)
			}
			pattern = p
		}
		return SequenceFlood{At: c.At.V, For: c.For.V, Workers: workersOf(c.Workers), Rate: c.Rate.V, Pattern: pattern}, nil
	},
}

// SequenceFlood adds load of Rate per worker from At for For, on top of
// the base load: a burst meant to exceed the per-tick ceiling.
type SequenceFlood struct {
	At      time.Duration
	For     time.Duration
	Workers Workers
	Rate    sim.Rate
	Pattern sim.Pattern
}

// Kind returns "sequence_flood".
func (SequenceFlood) Kind() string { return "sequence_flood" }

// Describe says how hard and how long the flood is.
func (f SequenceFlood) Describe() string {
	return fmt.Sprintf("flood of %v (%v) on %v from %v for %v", f.Rate, f.Pattern, f.Workers, f.At, f.For)
}

// Validate checks the flood.
func (f SequenceFlood) Validate(env Env) error {
	if err := validateWindow(f.At, f.For, f.Workers, env, "the flood"); err != nil {
		return err
	}
	if f.Rate.PerSec == nil || f.Rate.PerSec.Sign() <= 0 {
		return fieldErr("rate", "the flood needs a positive rate")
	}
	return f.Workers.validate(env)
}

// Schedule adds the extra load at At.
func (f SequenceFlood) Schedule(w *sim.World, id string) error {
	ws := f.Workers.Resolve(len(w.Workers()))
	w.At(int64(f.At), func(now int64) {
		for _, i := range ws {
			if err := w.Workers()[i].AddLoad(sim.Load{Rate: f.Rate, Pattern: f.Pattern}, now, now+int64(f.For), "fault/"+id); err != nil {
				w.Fail(fmt.Errorf("%s: worker %d: %w", id, i, err))
			}
		}
		w.Mark(f.Spans(id, len(w.Workers()), w.Config().Duration)[0])
	})
	return nil
}

// Spans: the flood lasts from At for For.
func (f SequenceFlood) Spans(id string, workers int, _ int64) []sim.Activity {
	return window(id, f.Workers, workers, f.At, f.For)
}
