package faults

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/coord"
	"github.com/idsim/idsim/spec"
)

var coordinatorPartitionKind = KindInfo{
	Kind:     "coordinator_partition",
	Summary:  "from `at` for `for`, the workers cannot reach the worker-ID coordinator: claims and lease renewals are lost",
	Params:   "at, for, workers",
	Keys:     []string{"at", "for", "workers"},
	Required: []string{"at", "for", "workers"},
	Zero:     CoordinatorPartition{},
	Parse: func(m *spec.Map) (Fault, error) {
		var c WindowKeys
		err := m.Decode(&c)
		return CoordinatorPartition{At: c.At.V, For: c.For.V, Workers: workersOf(c.Workers)}, err
	},
}

// CoordinatorPartition cuts the network between workers and the
// worker-ID coordinator from At for For: their claims and renewals are
// lost, so a starting worker cannot get an ID and a holder cannot renew
// its lease. It does not apply to schemes without a coordinator.
type CoordinatorPartition struct {
	At      time.Duration
	For     time.Duration
	Workers Workers
}

// Kind returns "coordinator_partition".
func (CoordinatorPartition) Kind() string { return "coordinator_partition" }

// Describe says who is cut off and for how long.
func (f CoordinatorPartition) Describe() string {
	return fmt.Sprintf("%v cut off from the coordinator from %v for %v", f.Workers, f.At, f.For)
}

// Validate checks the partition.
func (f CoordinatorPartition) Validate(env Env) error {
	return validateWindow(f.At, f.For, f.Workers, env, "the partition")
}

// Schedule cuts the links, if the world has a coordinator.
func (f CoordinatorPartition) Schedule(w *sim.World, id string) error {
	c, ok := w.Service(coord.ServiceName).(*coord.Coordinator)
	if !ok {
		return nil // no coordinator: the fault does not apply
	}
	from, to := int64(f.At), int64(f.At+f.For)
	c.Partition(f.Workers, from, to)
	w.At(from, func(now int64) { w.Mark(f.Spans(id, len(w.Workers()), w.Config().Duration)[0]) })
	return nil
}

// Spans: the partition lasts from At for For.
func (f CoordinatorPartition) Spans(id string, workers int, _ int64) []sim.Activity {
	return window(id, f.Workers, workers, f.At, f.For)
}

// Live cuts the workers off from etcd.
func (f CoordinatorPartition) Live(p LivePlan, _ string, workers int) {
	for _, w := range f.Workers.Resolve(workers) {
		p.CutCoordinator(w, int64(f.At), int64(f.At+f.For))
	}
}

// AppliesTo reports whether s takes worker IDs from a coordinator.
func (CoordinatorPartition) AppliesTo(s kind.Scheme) bool { return uses(s, kind.Coordinator) }

// Needs says what the partition strikes.
func (CoordinatorPartition) Needs() string {
	return "a worker-ID coordinator (worker_ids with a session strategy)"
}
