package faults

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/coord"
	"github.com/idsim/idsim/spec"
)

var renewalLossKind = KindInfo{
	Kind:     "renewal_loss",
	Summary:  "from `at` for `for`, each lease renewal from the workers is lost with `probability`, decided by the run's seeded random stream",
	Params:   "at, for, workers, probability",
	Keys:     []string{"at", "for", "workers", "probability"},
	Required: []string{"at", "for", "workers", "probability"},
	Zero:     RenewalLoss{},
	Parse: func(m *spec.Map) (Fault, error) {
		var c struct {
			At          spec.Duration `yaml:"at"`
			For         spec.Duration `yaml:"for"`
			Workers     spec.Workers  `yaml:"workers"`
			Probability spec.Fraction `yaml:"probability"`
		}
		err := m.Decode(&c)
		return RenewalLoss{At: c.At.V, For: c.For.V, Workers: workersOf(c.Workers), Probability: c.Probability.V}, err
	},
}

// RenewalLoss loses lease renewals from workers from At for For, each
// with Probability: a flaky link, an overloaded coordinator. Whether a
// given renewal is lost is drawn from the world's seeded stream for the
// fault, so a seed replays the same losses. It does not apply to schemes
// without a coordinator.
type RenewalLoss struct {
	At          time.Duration
	For         time.Duration
	Workers     Workers
	Probability float64
}

// Kind returns "renewal_loss".
func (RenewalLoss) Kind() string { return "renewal_loss" }

// Describe says whose renewals are lost and how often.
func (f RenewalLoss) Describe() string {
	return fmt.Sprintf("%g%% of the lease renewals of %v lost from %v for %v", f.Probability*100, f.Workers, f.At, f.For)
}

// Validate checks the loss.
func (f RenewalLoss) Validate(env Env) error {
	if err := validateWindow(f.At, f.For, f.Workers, env, "the loss"); err != nil {
		return err
	}
	if f.Probability <= 0 || f.Probability > 1 {
		return fieldErr("probability", "probability %g must be in (0, 1]", f.Probability)
	}
	return f.Workers.validate(env)
}

// Schedule arranges the losses, if the world has a coordinator.
func (f RenewalLoss) Schedule(w *sim.World, id string) error {
	c, ok := w.Service(coord.ServiceName).(*coord.Coordinator)
	if !ok {
		return nil
	}
	from, to := int64(f.At), int64(f.At+f.For)
	c.LoseRenewals(f.Workers, from, to, f.Probability, w.Stream("renewal_loss/"+id, 0))
	w.At(from, func(now int64) { w.Mark(f.Spans(id, len(w.Workers()), w.Config().Duration)[0]) })
	return nil
}

// Spans: the losses last from At for For.
func (f RenewalLoss) Spans(id string, workers int, _ int64) []sim.Activity {
	return window(id, f.Workers, workers, f.At, f.For)
}

// Live loses the workers' etcd renewals.
func (f RenewalLoss) Live(p LivePlan, id string, workers int) {
	for _, w := range f.Workers.Resolve(workers) {
		p.LoseRenewals(w, int64(f.At), int64(f.At+f.For), f.Probability, "renewal_loss/"+id)
	}
}

// AppliesTo reports whether s takes worker IDs from a coordinator.
func (RenewalLoss) AppliesTo(s kind.Scheme) bool { return uses(s, kind.Coordinator) }

// Needs says what the loss strikes.
func (RenewalLoss) Needs() string {
	return "a worker-ID coordinator (worker_ids with a session strategy)"
}
