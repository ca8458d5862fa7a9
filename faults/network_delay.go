package faults

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/spec"
)

var networkDelayKind = KindInfo{
	Kind:     "network_delay",
	Summary:  "from `at` for `for`, messages between the workers and shared services (database, coordinator) take `by` longer each way",
	Params:   "at, for, workers, by",
	Keys:     []string{"at", "for", "workers", "by"},
	Required: []string{"at", "for", "workers", "by"},
	Zero:     NetworkDelay{},
	Parse: func(m *spec.Map) (Fault, error) {
		var c struct {
			WindowKeys `yaml:",inline"`
			By         spec.Duration `yaml:"by"`
		}
		err := m.Decode(&c)
		return NetworkDelay{At: c.At.V, For: c.For.V, Workers: workersOf(c.Workers), By: c.By.V}, err
	},
}

// NetworkDelay makes messages between workers and the shared services
// take By longer each way, for messages sent from At for For.
type NetworkDelay struct {
	At      time.Duration
	For     time.Duration
	Workers Workers
	By      time.Duration
}

// Kind returns "network_delay".
func (NetworkDelay) Kind() string { return "network_delay" }

// Describe says whose messages are slowed and by how much.
func (f NetworkDelay) Describe() string {
	return fmt.Sprintf("messages of %v delayed by %v from %v for %v", f.Workers, f.By, f.At, f.For)
}

// Validate checks the delay.
func (f NetworkDelay) Validate(env Env) error {
	if err := validateWindow(f.At, f.For, f.Workers, env, "the delay"); err != nil {
		return err
	}
	if f.By <= 0 {
		return fieldErr("by", "the delay must be positive")
	}
	return f.Workers.validate(env)
}

// Schedule slows the workers' links.
func (f NetworkDelay) Schedule(w *sim.World, id string) error {
	ws := f.Workers.Resolve(len(w.Workers()))
	from, to := int64(f.At), int64(f.At+f.For)
	for _, i := range ws {
		w.Workers()[i].DelayNetwork(from, to, int64(f.By))
	}
	w.At(from, func(now int64) { w.Mark(f.Spans(id, len(w.Workers()), w.Config().Duration)[0]) })
	return nil
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// Spans: messages sent from At for For are late, the last by By.
func (f NetworkDelay) Spans(id string, workers int, _ int64) []sim.Activity {
	return []sim.Activity{{Fault: id, Workers: f.Workers.Resolve(workers), From: int64(f.At), To: int64(f.At+f.For) + int64(f.By)}}
}

// Live delays the workers' etcd renewals.
func (f NetworkDelay) Live(p LivePlan, _ string, workers int) {
	for _, w := range f.Workers.Resolve(workers) {
		p.DelayRenewals(w, int64(f.At), int64(f.At+f.For), int64(f.By))
	}
}

// AppliesTo reports whether s talks to a shared service.
func (NetworkDelay) AppliesTo(s kind.Scheme) bool { return uses(s, kind.Database, kind.Coordinator) }

// Needs says what the delay strikes.
func (NetworkDelay) Needs() string { return "a shared service (a database or a worker-ID coordinator)" }
