package faults

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/spec"
)

var clockDriftKind = KindInfo{
	Kind:     "clock_drift",
	Summary:  "from `at` (for `for`, or to the end), the clocks run fast or slow by `ppm` parts per million",
	Params:   "at, for, workers, ppm",
	Keys:     []string{"at", "for", "workers", "ppm"},
	Required: []string{"at", "workers", "ppm"},
	Zero:     ClockDrift{},
	Parse: func(m *spec.Map) (Fault, error) {
		var c struct {
			At      spec.Duration `yaml:"at"`
			For     spec.Duration `yaml:"for"`
			Workers spec.Workers  `yaml:"workers"`
			PPM     spec.Int      `yaml:"ppm"`
		}
		err := m.Decode(&c)
		return ClockDrift{At: c.At.V, For: c.For.V, Workers: workersOf(c.Workers), PPM: c.PPM.V}, err
	},
}

// ClockDrift makes clocks run fast (PPM > 0) or slow from At, for For
// or, when For is zero, to the end of the run.
type ClockDrift struct {
	At      time.Duration
	For     time.Duration
	Workers Workers
	PPM     int64
}

// Kind returns "clock_drift".
func (ClockDrift) Kind() string { return "clock_drift" }

// Describe says how much the clocks drift.
func (f ClockDrift) Describe() string {
	return fmt.Sprintf("clock drift of %+d ppm on %v from %v", f.PPM, f.Workers, f.At)
}

// Validate checks the drift.
func (f ClockDrift) Validate(env Env) error {
	if err := validateAt(f.At, env); err != nil {
		return err
	}
	if f.PPM == 0 || f.PPM <= -1e6 || f.PPM >= 1e6 {
		return fieldErr("ppm", "%d is not a drift: want a non-zero value between -999999 and 999999", f.PPM)
	}
	if f.For < 0 {
		return fieldErr("for", "negative duration %v", f.For)
	}
	return f.Workers.validate(env)
}

// Schedule sets the drift at At and clears it after For.
func (f ClockDrift) Schedule(w *sim.World, id string) error {
	ws := f.Workers.Resolve(len(w.Workers()))
	end := w.Config().Duration
	if f.For > 0 {
		end = int64(f.At + f.For)
	}
	w.At(int64(f.At), func(now int64) {
		for _, i := range ws {
			if err := w.Workers()[i].Clock().SetDrift(now, f.PPM); err != nil {
				w.Fail(fmt.Errorf("%s: %w", id, err))
			}
		}
		w.Mark(f.Spans(id, len(w.Workers()), w.Config().Duration)[0])
	})
	if f.For > 0 {
		w.At(end, func(now int64) {
			for _, i := range ws {
				w.Workers()[i].Clock().SetDrift(now, 0) // 0 ppm is always valid
			}
		})
	}
	return nil
}

// Spans: the drift lasts from At for For, or to the end.
func (f ClockDrift) Spans(id string, workers int, duration int64) []sim.Activity {
	end := duration
	if f.For > 0 {
		end = int64(f.At + f.For)
	}
	return []sim.Activity{{Fault: id, Workers: f.Workers.Resolve(workers), From: int64(f.At), To: end}}
}

// MovesClocks marks the drift as moving clocks.
func (ClockDrift) MovesClocks() {}
