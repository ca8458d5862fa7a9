// Package faults is idsim's fault catalogue. A fault is a typed, validated
// description — what happens, when, to which workers — plus its effect on
// a simulated world. Faults record when they act, so that every finding
// can name the faults in force when it happened.
//
// Times are true (virtual) time since the start of the run.
package faults

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/coord"
)

// Fault is one entry of a fault schedule.
type Fault interface {
	// Kind is the fault's name in scenario files, e.g. "clock_step".
	Kind() string
	// Validate checks the fault against the run it will act on and returns
	// a *FieldError naming the offending field.
	Validate(env Env) error
	// Schedule arranges the fault's effects in w. id names the fault in
	// findings.
	Schedule(w *sim.World, id string) error
	// Describe says in a few words what the fault does.
	Describe() string
}

// Env is what a fault is validated against.
type Env struct {
	Workers  int
	Duration time.Duration
}

// FieldError is a validation error about one field of a fault.
type FieldError struct {
	Field string
	Msg   string
}

// Error renders "field: message".
func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Workers selects workers by index. Nil or empty selects all of them.
type Workers []int

// Resolve returns the selected indexes for a run with n workers.
func (ws Workers) Resolve(n int) []int {
	if len(ws) == 0 {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return all
	}
	return ws
}

// String renders the selection as in a scenario file.
func (ws Workers) String() string {
	if len(ws) == 0 {
		return "all workers"
	}
	if len(ws) == 1 {
		return fmt.Sprintf("worker %d", ws[0])
	}
	s := make([]string, len(ws))
	for i, w := range ws {
		s[i] = fmt.Sprint(w)
	}
	return "workers " + strings.Join(s, ", ")
}

func (ws Workers) validate(env Env) error {
	seen := map[int]bool{}
	for _, w := range ws {
		if w < 0 || w >= env.Workers {
			return fieldErr("workers", "worker %d does not exist: the scenario has workers 0..%d", w, env.Workers-1)
		}
		if seen[w] {
			return fieldErr("workers", "worker %d is listed twice", w)
		}
		seen[w] = true
	}
	return nil
}

func validateAt(at time.Duration, env Env) error {
	if at < 0 || at >= env.Duration {
		return fieldErr("at", "%v is outside the run (0 to %v)", at, env.Duration)
	}
	return nil
}

// Kinds lists the fault kinds with a line on each and their parameters,
// for help texts.
func Kinds() []KindInfo {
	return []KindInfo{
		{"clock_step", "an NTP step: the wall clocks of the workers jump by `by` at `at` (backwards when negative)", "at, workers, by"},
		{"duplicate_worker_id", "from `at`, every listed worker after the first is restarted configured with the first one's worker ID", "at, workers (two or more)"},
		{"sequence_flood", "from `at` for `for`, extra load of `rate` per worker on top of the base load, to exceed the per-tick ceiling", "at, for, workers, rate, pattern"},
		{"clock_drift", "from `at` (for `for`, or to the end), the clocks run fast or slow by `ppm` parts per million", "at, for, workers, ppm"},
		{"clock_freeze", "from `at` for `for`, the wall clocks stand still", "at, for, workers"},
		{"pause", "from `at` for `for`, the workers stop (a stop-the-world pause): calls queue, state is kept", "at, for, workers"},
		{"restart", "at `at` the workers crash, losing in-memory state; they come back after `downtime`; `stagger` spaces them out one by one, `times` and `every` repeat the round", "at, workers, downtime, stagger, every, times"},
		{"db_outage", "from `at` for `for`, the database behind range allocation and auto-increment refuses requests", "at, for"},
		{"coordinator_partition", "from `at` for `for`, the workers cannot reach the worker-ID coordinator: claims and lease renewals are lost", "at, for, workers"},
		{"renewal_loss", "from `at` for `for`, each lease renewal from the workers is lost with `probability`, decided by the run's seeded random stream", "at, for, workers, probability"},
		{"network_delay", "from `at` for `for`, messages between the workers and shared services (database, coordinator) take `by` longer each way", "at, for, workers, by"},
	}
}

// KindInfo describes a fault kind.
type KindInfo struct {
	Kind, Summary, Params string
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
		w.Mark(sim.Activity{Fault: id, Workers: ws, From: now, To: now + max(0, -int64(f.By))})
	})
	return nil
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
		w.Mark(sim.Activity{Fault: id, Workers: ws, From: now, To: w.Config().Duration})
	})
	return nil
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
	if err := validateAt(f.At, env); err != nil {
		return err
	}
	if f.For <= 0 {
		return fieldErr("for", "the flood needs a positive duration")
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
		w.Mark(sim.Activity{Fault: id, Workers: ws, From: now, To: now + int64(f.For)})
	})
	return nil
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
		w.Mark(sim.Activity{Fault: id, Workers: ws, From: now, To: end})
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
	if err := validateAt(f.At, env); err != nil {
		return err
	}
	if f.For <= 0 {
		return fieldErr("for", "the freeze needs a positive duration")
	}
	return f.Workers.validate(env)
}

// Schedule freezes the clocks at At and lets them run again after For.
func (f ClockFreeze) Schedule(w *sim.World, id string) error {
	ws := f.Workers.Resolve(len(w.Workers()))
	w.At(int64(f.At), func(now int64) {
		for _, i := range ws {
			w.Workers()[i].Clock().SetFrozen(now, true)
		}
		w.Mark(sim.Activity{Fault: id, Workers: ws, From: now, To: now + int64(f.For)})
	})
	w.At(int64(f.At+f.For), func(now int64) {
		for _, i := range ws {
			w.Workers()[i].Clock().SetFrozen(now, false)
		}
	})
	return nil
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
	if err := validateAt(f.At, env); err != nil {
		return err
	}
	if f.For <= 0 {
		return fieldErr("for", "the pause needs a positive duration")
	}
	return f.Workers.validate(env)
}

// Schedule pauses the workers at At.
func (f Pause) Schedule(w *sim.World, id string) error {
	ws := f.Workers.Resolve(len(w.Workers()))
	w.At(int64(f.At), func(now int64) {
		for _, i := range ws {
			w.Workers()[i].Pause(now, int64(f.For))
		}
		w.Mark(sim.Activity{Fault: id, Workers: ws, From: now, To: now + int64(f.For)})
	})
	return nil
}

// Restart crashes workers at At, losing their generators' in-memory
// state, and starts them again after Downtime. With Stagger, the k-th
// listed worker goes down k×Stagger after the first (a rolling deploy);
// with Times > 1, the whole round repeats every Every (a crash loop, or
// deploy after deploy).
type Restart struct {
	At       time.Duration
	Workers  Workers
	Downtime time.Duration
	Stagger  time.Duration
	Every    time.Duration
	Times    int64
}

// Kind returns "restart".
func (Restart) Kind() string { return "restart" }

// Describe says who restarts and how long they are down.
func (f Restart) Describe() string {
	s := fmt.Sprintf("%v crash at %v and restart after %v", f.Workers, f.At, f.Downtime)
	if f.Stagger > 0 {
		s += fmt.Sprintf(", one after another %v apart", f.Stagger)
	}
	if f.Times > 1 {
		s += fmt.Sprintf(", %d times every %v", f.Times, f.Every)
	}
	return s
}

// Validate checks the restart.
func (f Restart) Validate(env Env) error {
	if err := validateAt(f.At, env); err != nil {
		return err
	}
	if f.Downtime < 0 {
		return fieldErr("downtime", "negative downtime %v", f.Downtime)
	}
	if f.Stagger < 0 {
		return fieldErr("stagger", "negative stagger %v", f.Stagger)
	}
	if f.Times < 0 || f.Times > 1_000_000 {
		return fieldErr("times", "times %d out of range 1..1000000", f.Times)
	}
	if f.Times > 1 && f.Every <= 0 {
		return fieldErr("times", "repeating a restart needs every, the interval between rounds, e.g. every: 10ms")
	}
	if f.Every < 0 || f.Every > 0 && f.Times <= 1 {
		return fieldErr("every", "every is the interval between rounds: give a positive one with times of 2 or more")
	}
	return f.Workers.validate(env)
}

// Schedule crashes the workers and restarts them after Downtime, round
// after round. A restart's activity lasts from the crash to one second
// after the worker is back, when a restarted generator is most exposed.
func (f Restart) Schedule(w *sim.World, id string) error {
	ws := f.Workers.Resolve(len(w.Workers()))
	rounds := max(f.Times, 1)
	for r := range rounds {
		for k, i := range ws {
			if f.Stagger == 0 && k > 0 {
				break
			}
			group := []int{i}
			if f.Stagger == 0 {
				group = ws
			}
			at := int64(f.At) + r*int64(f.Every) + int64(k)*int64(f.Stagger)
			w.At(at, func(now int64) {
				for _, i := range group {
					w.Workers()[i].Crash(now)
				}
				w.Mark(sim.Activity{Fault: id, Workers: group, From: now, To: now + int64(f.Downtime) + int64(time.Second)})
			})
			w.At(at+int64(f.Downtime), func(now int64) {
				for _, i := range group {
					if err := w.Workers()[i].Restart(now); err != nil {
						w.Fail(fmt.Errorf("%s: restarting worker %d: %w", id, i, err))
					}
				}
			})
		}
	}
	return nil
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
	if err := validateAt(f.At, env); err != nil {
		return err
	}
	if f.For <= 0 {
		return fieldErr("for", "the partition needs a positive duration")
	}
	return f.Workers.validate(env)
}

// Schedule cuts the links, if the world has a coordinator.
func (f CoordinatorPartition) Schedule(w *sim.World, id string) error {
	c, ok := w.Service(coord.ServiceName).(*coord.Coordinator)
	if !ok {
		return nil // no coordinator: the fault does not apply
	}
	from, to := int64(f.At), int64(f.At+f.For)
	c.Partition(f.Workers, from, to)
	w.At(from, func(now int64) { w.Mark(sim.Activity{Fault: id, Workers: f.Workers, From: from, To: to}) })
	return nil
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
	if err := validateAt(f.At, env); err != nil {
		return err
	}
	if f.For <= 0 {
		return fieldErr("for", "the loss needs a positive duration")
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
	w.At(from, func(now int64) { w.Mark(sim.Activity{Fault: id, Workers: f.Workers, From: from, To: to}) })
	return nil
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
	if err := validateAt(f.At, env); err != nil {
		return err
	}
	if f.For <= 0 {
		return fieldErr("for", "the delay needs a positive duration")
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
	w.At(from, func(now int64) { w.Mark(sim.Activity{Fault: id, Workers: ws, From: from, To: to + int64(f.By)}) })
	return nil
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// DatabaseOutage makes the database behind range allocation and
// auto-increment refuse requests from At for For. It does not apply to
// schemes without a database.
type DatabaseOutage struct {
	At  time.Duration
	For time.Duration
}

// Kind returns "db_outage".
func (DatabaseOutage) Kind() string { return "db_outage" }

// Describe says how long the database is down.
func (f DatabaseOutage) Describe() string {
	return fmt.Sprintf("database down from %v for %v", f.At, f.For)
}

// Validate checks the outage.
func (f DatabaseOutage) Validate(env Env) error {
	if err := validateAt(f.At, env); err != nil {
		return err
	}
	if f.For <= 0 {
		return fieldErr("for", "the outage needs a positive duration")
	}
	return nil
}

// Schedule takes the database down, if the world has one.
func (f DatabaseOutage) Schedule(w *sim.World, id string) error {
	db, ok := w.Service("db").(interface{ Outage(from, to int64) })
	if !ok {
		return nil // no database: the fault does not apply
	}
	from, to := int64(f.At), int64(f.At+f.For)
	db.Outage(from, to)
	w.At(from, func(now int64) { w.Mark(sim.Activity{Fault: id, From: from, To: to}) })
	return nil
}
