package faults

import (
	"fmt"
	"slices"
	"time"

	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/spec"
)

var duplicateWorkerIDKind = KindInfo{
	Kind:     "duplicate_worker_id",
	Summary:  "from `at`, every listed worker after the first is restarted configured with the first one's worker ID",
	Params:   "at, workers (two or more)",
	Keys:     []string{"at", "workers"},
	Required: []string{"workers"},
	Zero:     DuplicateWorkerID{},
	Parse: func(m *spec.Map) (Fault, error) {
		var c struct {
			At      spec.Duration `yaml:"at"`
			Workers spec.Workers  `yaml:"workers"`
		}
		if err := m.Decode(&c); err != nil {
			return nil, err
		}
		if c.Workers.All {
			return nil, spec.Errorf(c.Workers.P, "list the workers that share an ID, e.g. [3, 7]")
		}
		return DuplicateWorkerID{At: c.At.V, Workers: c.Workers.V}, nil
	},
}

// DuplicateWorkerID configures workers with the same worker ID: from At,
// every worker in Workers after the first is restarted with the first
// one's identity, as when a copied configuration is deployed.
type DuplicateWorkerID struct {
	At      time.Duration
	Workers Workers
}

// Kind returns "duplicate_worker_id".
func (DuplicateWorkerID) Kind() string { return "duplicate_worker_id" }

// Describe says which workers share an ID.
func (f DuplicateWorkerID) Describe() string {
	return fmt.Sprintf("%v share worker %d's ID from %v", f.Workers, f.Workers[0], f.At)
}

// Validate checks that at least two distinct workers are listed.
func (f DuplicateWorkerID) Validate(env Env) error {
	if err := validateAt(f.At, env); err != nil {
		return err
	}
	if len(f.Workers) < 2 {
		return fieldErr("workers", "list at least two workers to share an ID")
	}
	return f.Workers.validate(env)
}

// Schedule restarts the copies with the first worker's identity at At.
func (f DuplicateWorkerID) Schedule(w *sim.World, id string) error {
	ws := slices.Clone([]int(f.Workers))
	w.At(int64(f.At), func(now int64) {
		src := w.Workers()[ws[0]].Identity()
		for _, i := range ws[1:] {
			wk := w.Workers()[i]
			wk.SetIdentity(now, src)
			if err := wk.Restart(now); err != nil {
				w.Fail(fmt.Errorf("%s: restarting worker %d: %w", id, i, err))
			}
		}
		w.Mark(f.Spans(id, len(w.Workers()), w.Config().Duration)[0])
	})
	return nil
}

// Spans: the copies run with the shared ID from At to the end.
func (f DuplicateWorkerID) Spans(id string, _ int, duration int64) []sim.Activity {
	return []sim.Activity{{Fault: id, Workers: slices.Clone([]int(f.Workers)), From: int64(f.At), To: duration}}
}
