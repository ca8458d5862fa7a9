package faults

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/spec"
)

var clockStepKind = KindInfo{
	Kind:     "clock_step",
	Summary:  "an NTP step: the wall clocks of the workers jump by `by` at `at` (backwards when negative)",
	Params:   "at, workers, by",
	Keys:     []string{"at", "workers", "by"},
	Required: []string{"at", "workers", "by"},
	Zero:     ClockStep{},
	Parse: func(m *spec.Map) (Fault, error) {
		var c struct {
			At      spec.Duration `yaml:"at"`
			Workers spec.Workers  `yaml:"workers"`
			By      spec.Duration `yaml:"by"`
		}
		err := m.Decode(&c)
		return ClockStep{At: c.At.V, Workers: workersOf(c.Workers), By: c.By.V}, err
	},
}

// ClockStep is an NTP step: at At the wall clocks of the workers jump by
// By, backwards when By is negative.
type ClockStep struct {
	At      time.Duration
	Workers Workers
	By      time.Duration
}

// Kind returns "clock_step".
func (ClockStep) Kind() string { return "clock_step" }

// Describe says what the step does.
func (f ClockStep) Describe() string {
	dir := "forward"
	if f.By < 0 {
		dir = "backward"
	}
	return fmt.Sprintf("clock step %s by %v on %v at %v", dir, abs(f.By), f.Workers, f.At)
}

// Validate checks the step.
func (f ClockStep) Validate(env Env) error {
	if err := validateAt(f.At, env); err != nil {
		return err
	}
	if f.By == 0 {
		return fieldErr("by", "a step of 0 changes nothing")
	}
	return f.Workers.validate(env)
}

// Schedule steps the clocks at At. A backward step acts for |By| after
// it, while the clocks read times they already read once; a forward step
// acts for an instant.
func (f ClockStep) Schedule(w *sim.World, id string) error {
	ws := f.Workers.Resolve(len(w.Workers()))
	w.At(int64(f.At), func(now int64) {
		for _, i := range ws {
			w.Workers()[i].Clock().Step(now, int64(f.By))
		}
		w.Mark(f.Spans(id, len(w.Workers()), w.Config().Duration)[0])
	})
	return nil
}

// Spans: a backward step acts for |By| after it, while the clocks read
// times they already read once; a forward step acts for an instant.
func (f ClockStep) Spans(id string, workers int, _ int64) []sim.Activity {
	at := int64(f.At)
	return []sim.Activity{{Fault: id, Workers: f.Workers.Resolve(workers), From: at, To: at + max(0, -int64(f.By))}}
}

// Live steps the workers' clocks.
func (f ClockStep) Live(p LivePlan, _ string, workers int) {
	for _, w := range f.Workers.Resolve(workers) {
		p.StepClock(w, int64(f.At), int64(f.By))
	}
}

// MovesClocks marks the step as moving clocks.
func (ClockStep) MovesClocks() {}
