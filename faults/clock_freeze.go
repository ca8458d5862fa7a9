package faults

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/spec"
)

var clockFreezeKind = KindInfo{
	Kind:     "clock_freeze",
	Summary:  "from `at` for `for`, the wall clocks stand still",
	Params:   "at, for, workers",
	Keys:     []string{"at", "for", "workers"},
	Required: []string{"at", "for", "workers"},
	Zero:     ClockFreeze{},
	Parse: func(m *spec.Map) (Fault, error) {
		var c WindowKeys
		err := m.Decode(&c)
		return ClockFreeze{At: c.At.V, For: c.For.V, Workers: workersOf(c.Workers)}, err
	},
}

// ClockFreeze stops the wall clocks from At for For.
type ClockFreeze struct {
	At      time.Duration
	For     time.Duration
	Workers Workers
}

// Kind returns "clock_freeze".
func (ClockFreeze) Kind() string { return "clock_freeze" }

// Describe says which clocks stop and for how long.
func (f ClockFreeze) Describe() string {
	return fmt.Sprintf("clocks of %v frozen from %v for %v", f.Workers, f.At, f.For)
}

// Validate checks the freeze.
func (f ClockFreeze) Validate(env Env) error {
	return validateWindow(f.At, f.For, f.Workers, env, "the freeze")
}

// Schedule freezes the clocks at At and lets them run again after For.
func (f ClockFreeze) Schedule(w *sim.World, id string) error {
	ws := f.Workers.Resolve(len(w.Workers()))
	w.At(int64(f.At), func(now int64) {
		for _, i := range ws {
			w.Workers()[i].Clock().SetFrozen(now, true)
		}
		w.Mark(f.Spans(id, len(w.Workers()), w.Config().Duration)[0])
	})
	w.At(int64(f.At+f.For), func(now int64) {
		for _, i := range ws {
			w.Workers()[i].Clock().SetFrozen(now, false)
		}
	})
	return nil
}

// Spans: the freeze lasts from At for For.
func (f ClockFreeze) Spans(id string, workers int, _ int64) []sim.Activity {
	return window(id, f.Workers, workers, f.At, f.For)
}

// MovesClocks marks the freeze as moving clocks.
func (ClockFreeze) MovesClocks() {}
